// The shapes data takes on its one-way trip: ensemble file (as the schema accepts it) → resolved,
// frozen Ensemble → files. Nothing downstream reaches back upstream.

/** A port of a member, in ZooKeeper's vocabulary. The peer port is also called the quorum port. */
export type PortKind = 'client' | 'peer' | 'election';
export const PORT_KINDS: readonly PortKind[] = ['client', 'peer', 'election'];

export type Ports = Record<PortKind, number>;

/** The ensemble file as schema/ensemble.schema.json accepts it. */
export interface EnsembleFile {
  $schema?: string;
  image?: string;
  servers: number | MemberEntry[];
  ports?: Partial<Ports>;
  host?: string;
  dataRoot?: string;
}

export interface MemberEntry {
  id?: number;
  name?: string;
  host?: string;
  ports?: Partial<Ports>;
  dataDir?: string;
}

/** Where in the ensemble file a resolved value came from, as JSON pointers, for messages. */
export interface Origin {
  readonly member: string;
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly dataDir: string;
  readonly ports: Readonly<Record<PortKind, string>>;
}

export interface Member {
  /** The member's myid. */
  readonly id: number;
  /** Container name and compose service name. */
  readonly name: string;
  /** The address peers and clients use to reach this member. */
  readonly host: string;
  readonly ports: Readonly<Ports>;
  /** Host folder mounted as the member's dataDir. */
  readonly dataDir: string;
  readonly origin: Origin;
}

export type DialectName = 'garland';

/** The fully explicit ensemble: every default applied, members in id order. Frozen. */
export interface Ensemble {
  readonly image: string;
  readonly dialect: DialectName;
  readonly members: readonly Member[];
  /** Pointer of the image, for messages. */
  readonly imageOrigin: string;
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
