// The shapes data takes on its one-way trip: ensemble file (as the schema accepts it) → resolved,
// frozen Ensemble → files. Nothing downstream reaches back upstream.
import type { Release } from './images.js';

// The ensemble file's types are the schema's (scripts/build-assets.mjs generates them), so the
// two cannot drift; the names below are read off them.
import type { EnsembleFile, MemberEntry, PortsEntry } from './generated/ensemble-file.js';

export type { EnsembleFile, MemberEntry, PortsEntry } from './generated/ensemble-file.js';
export type DialectName = NonNullable<EnsembleFile['dialect']>;
export type Role = NonNullable<MemberEntry['role']>;
export type RestartPolicy = NonNullable<EnsembleFile['restart']>;

/**
 * A port of a member, in ZooKeeper's vocabulary. The peer port is also called the quorum port;
 * admin is the AdminServer's (3.5+), metrics the Prometheus provider's, secureClient the TLS client
 * port (secureClientPort).
 */
export type PortKind = keyof PortsEntry;
// `kinds` itself, accepted only when it lists every kind of port: a kind the schema gains stops
// PORT_KINDS compiling (the error names it as `missing`) until it is added there.
const everyPortKind = <const K extends readonly PortKind[]>(
  kinds: K & ([Exclude<PortKind, K[number]>] extends [never] ? unknown : { missing: Exclude<PortKind, K[number]> }),
): K => kinds;
/** Every kind of port, in the order zkgen lays them out and reports them. */
export const PORT_KINDS = everyPortKind(['client', 'peer', 'election', 'admin', 'metrics', 'secureClient']);

export type Ports = Record<PortKind, number>;

/**
 * The compose service that hands each member's data folders to its image's user before the
 * members start (images that run without root): no member may take its name.
 */
export const PREPARE_SERVICE = 'zkgen-prepare';

/** Where client ports and AdminServers listen: each member's own address, or every interface. */
export type Listen = NonNullable<EnsembleFile['listen']>;

/** Where in the ensemble file a resolved value came from, as JSON pointers, for messages. */
export interface Origin {
  readonly member: string;
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly machine: string;
  readonly dataDir: string;
  readonly group: string;
  readonly weight: string;
  readonly ports: Readonly<Record<PortKind, string>>;
}

export interface Member {
  /** The member's myid. */
  readonly id: number;
  /** Container name and compose service name. */
  readonly name: string;
  /** The address peers and clients use to reach this member, and that it binds its server line to. */
  readonly host: string;
  /**
   * The machine it runs on: its host unless the file says otherwise, every loopback name and
   * address being this one machine ("localhost"). Ports are laid out per machine, and a bundle
   * for several machines has one folder per machine.
   */
  readonly machine: string;
  /** Ports in use; admin and metrics only while those servers are on, secureClient with client TLS. */
  readonly ports: Readonly<Pick<Ports, 'client' | 'peer' | 'election'> & Partial<Pick<Ports, 'admin' | 'metrics' | 'secureClient'>>>;
  /** Host folder mounted as the member's dataDir. */
  readonly dataDir: string;
  readonly role: Role;
  /** Hierarchical quorums: group number and weight, for participants in a grouped ensemble. */
  readonly group?: number;
  readonly weight?: number;
  readonly origin: Origin;
}

/** Settings every member shares; absent ones are left to the image's defaults. */
export interface Settings {
  readonly tickTime?: number;
  readonly initLimit?: number;
  readonly syncLimit?: number;
  readonly maxClientCnxns?: number;
  readonly autopurgeSnapRetainCount?: number;
  readonly autopurgePurgeInterval?: number;
  /** JVM heap as -Xmx takes it, e.g. 512m. */
  readonly heap?: string;
  /** Four-letter words allowed, srvr always among them (scripts and health checks need it). */
  readonly fourLetterWords: readonly string[];
  /** Other zoo.cfg keys, in the file's order. */
  readonly config: ReadonlyArray<readonly [string, string]>;
}

/** The fully explicit ensemble: every default applied, members in id order. Frozen. */
export interface Ensemble {
  readonly image: string;
  readonly dialect: DialectName;
  /** What the image reference says: the ZooKeeper line inside, and whether the tag exists and is maintained. */
  readonly release: Release;
  readonly members: readonly Member[];
  /** The machines members run on, in the order of their first member by id. */
  readonly machines: readonly string[];
  readonly adminServer: boolean;
  readonly metrics: boolean;
  readonly healthcheck: boolean;
  readonly listen: Listen;
  /** TLS, when the file asks for it. */
  readonly tls?: Tls;
  /** SASL authentication, when the file asks for it. */
  readonly auth?: Auth;
  /** Dynamic reconfiguration, when the file asks for it. */
  readonly reconfig?: Reconfig;
  readonly restart?: RestartPolicy;
  readonly settings: Settings;
  /** Where the ensemble-wide values came from, for messages. */
  readonly origin: Readonly<Record<'image' | 'dialect' | 'servers' | 'adminServer' | 'metrics' | 'listen' | 'tls' | 'auth' | 'reconfig' | 'config', string>>;
}

/** TLS as the file asks for it, every default applied. */
export interface Tls {
  readonly quorum: boolean;
  readonly client: boolean;
  /** Whether the plaintext client port stays open beside the secure one. */
  readonly plaintextClientPort: boolean;
  readonly portUnification: boolean;
  /** Host folder of the keys tls.sh makes: `<keys>/<member>/` is what the member mounts. */
  readonly keys: string;
}

/** SASL authentication as the file asks for it, every default applied. */
export interface Auth {
  readonly quorum: boolean;
  readonly client: boolean;
  /** Host folder of the JAAS file auth.sh makes, mounted read-only by every member. */
  readonly secrets: string;
}

/** Dynamic reconfiguration as the file asks for it, every default applied. */
export interface Reconfig {
  /** Host folder of the super user's password and of the members' JVM argument file, which super-user.sh makes. */
  readonly secrets: string;
}

/** One problem with an ensemble file: where (a JSON pointer; "" is the whole document) and what. */
export interface Problem {
  readonly pointer: string;
  readonly message: string;
  /** Where in the text, for problems found before there is a value to point into. */
  readonly position?: { readonly line: number; readonly column: number };
}

export interface GeneratedFile {
  /** Relative path inside the output folder, with '/' separators. */
  readonly path: string;
  readonly content: string;
  readonly executable: boolean;
}

/** The mode zkgen gives a file of the bundle, whatever the umask; --check finds any other stale. */
export const modeOf = (file: GeneratedFile): number => (file.executable ? 0o755 : 0o644);

/**
 * The bundle's list of its own files, rendered with the bundle (src/render) and read by the writer
 * (src/write/): `--out` replaces a folder only while every file in it is listed in the folder's
 * own manifest, so what a user adds to the folder is never taken for zkgen's. A path a line,
 * sorted, after a comment header; the manifest lists itself.
 */
export const MANIFEST = 'zkgen-manifest.txt';
