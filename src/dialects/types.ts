import type { DialectName, Ensemble, Member, Problem } from '../model.js';
import type { Setting } from '../zookeeper.js';

/**
 * What zkgen must know about one ZooKeeper image: how its environment spells an ensemble, where
 * it keeps data and zkCli, and what it cannot express. Renderers ask these questions and never
 * look at an image's name.
 */
export interface Dialect {
  readonly name: DialectName;
  /**
   * Seconds Docker gives a member to stop on SIGTERM before it kills it, when a rolling restart
   * stops it. ZooKeeper is crash-safe (it syncs its transaction log before acknowledging a write),
   * so an image whose first process ignores SIGTERM is better killed at once than waited for.
   */
  readonly stopTimeout: number;
  /**
   * Whether the image can tell ZooKeeper where the client port and AdminServer listen (`listen`);
   * one that cannot leaves them on every interface.
   */
  readonly bindsOwnAddress: boolean;
  /** Whether members get a health check when the ensemble file does not say. */
  readonly healthcheckByDefault: boolean;
  /**
   * Whether the image turns the AdminServer on when the ensemble file does not say (ZooKeeper 3.5+;
   * 3.4 has none). zkgen follows the image: its scripts and health checks never need it.
   */
  readonly adminServerByDefault: boolean;
  /**
   * The uid the image's server runs as without root, when it never takes root to hand its folders
   * to that user: a data folder on the host must belong to it before the member starts (Docker
   * creates a missing one owned by root). Undefined when the image runs as root or chowns its
   * folders itself.
   */
  readonly dataOwner?: number;
  /**
   * The words that run a class of ZooKeeper's own jar (its snapshot and log formatters) with
   * arguments in a throwaway container of the image, as its entrypoint and command: backup.sh and
   * restore.sh read archives with them.
   */
  readonly zooKeeperClass: readonly string[];
  /** zkCli inside the container, as the words that come before the server's host:port. */
  readonly zkCli: readonly string[];
  /** Where the member's configuration ends up inside the container. */
  readonly zooCfgPath: string;
  /** The host folders mounted into one member's container; the first holds myid. */
  volumes(member: Member, ensemble: Ensemble): readonly Mount[];
  /** Why the image cannot be given SASL authentication, quorum or client, if it cannot. */
  readonly noAuth?: { readonly quorum?: string; readonly client?: string };
  /** Why zkgen cannot turn on the image's dynamic reconfiguration, if it cannot (ZooKeeper before 3.5.3 is refused apart). */
  readonly noReconfig?: string;
  /**
   * Why the image's secure client port listens on every interface whatever the ensemble file says,
   * if it does: the image has no way to pass secureClientPortAddress.
   */
  readonly unboundSecureClient?: string;
  /** Why the image cannot be given TLS, if it cannot. */
  readonly noTls?: string;
  /** The uid the image runs ZooKeeper as, who must read the member's TLS keys and SASL secrets (tls.sh and auth.sh give them to it). */
  readonly tlsOwner?: string;
  /** The environment zkCli inside a container needs to be a TLS client, for images that support client TLS. */
  zkCliEnvironment?(): readonly Setting[];
  /**
   * The environment zkCli needs in a container of its own (not a member's) to log in with the
   * members' JAAS file, when the ensemble has SASL; for images that can be given it.
   */
  zkCliAuthEnvironment?(ensemble: Ensemble): readonly Setting[];
  /**
   * The environment every member shares (the server list), in the order it is written: said once
   * — a YAML mapping merged into every service, a bash array in run.sh — so output grows with the
   * number of members, not its square.
   */
  sharedEnvironment(ensemble: Ensemble): readonly Setting[];
  /**
   * The environment that gives a member its server list from `server.<id>` lines, for images that
   * can reconfigure: a member joining a running ensemble is started with the running members'
   * lines and its own (reconfigure.sh), not the list it will end up with.
   */
  serverList?(lines: readonly Setting[]): readonly Setting[];
  /** The rest of one member's environment, in the order it is written. */
  environment(member: Member, ensemble: Ensemble): readonly Setting[];
  /** The settings the member ends up running with, in the order its configuration file holds them. */
  zooCfg(member: Member, ensemble: Ensemble): readonly Setting[];
  /** What this image cannot express, with the reason. */
  inexpressible(ensemble: Ensemble): Problem[];
}

/**
 * A host folder mounted into a member's container. Read-only ones hold what members only read
 * (TLS keys, the JAAS file, the super user's JVM argument file); the others hold its data.
 */
export interface Mount {
  readonly host: string;
  readonly container: string;
  readonly readOnly?: true;
}

/** A folder the member writes its data into. */
export const dataMount = (host: string, container: string): Mount => ({ host, container });

/** A folder the member only reads. */
export const readOnlyMount = (host: string, container: string): Mount => ({ host, container, readOnly: true });

/** Settings with a key set more than once keep the last value in the first one's place, as java.util.Properties reads them. */
export function lastWins(lines: readonly Setting[]): Setting[] {
  const map = new Map<string, string>();
  for (const [k, v] of lines) map.set(k, v);
  return [...map];
}

/** An environment variable, or none when the ensemble leaves the setting to the image. */
export const optional = (key: string, value: number | string | undefined): Array<readonly [string, string]> =>
  value === undefined ? [] : [[key, String(value)]];

/**
 * Java with the $JAVA and $CLASSPATH that bin/zkEnv.sh sets, found beside the image's zkCli.sh
 * (every release ships both in bin/): zkEnv.sh says where Java and the jars are, as it does for zkCli.sh. The 3.6+ toolkit scripts
 * (zkSnapShotToolkit.sh …) do the same, but 3.4 has none.
 */
export const zkEnvJava = (zkCli: string): readonly string[] => [
  'bash',
  '-c',
  'ZOOBINDIR=$(dirname "$(command -v "$0")") && . "$ZOOBINDIR/zkEnv.sh" && exec "$JAVA" -cp "$CLASSPATH" "$@"',
  zkCli,
];
