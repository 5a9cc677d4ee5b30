import type { DialectName, Ensemble, Member } from '../model.js';

/**
 * What zkgen must know about one ZooKeeper image: how its environment spells an ensemble, where
 * it keeps data and zkCli, and what it cannot express. Renderers ask these questions and never
 * look at an image's name.
 */
export interface Dialect {
  readonly name: DialectName;
  /** The most members this image can be told about. */
  readonly maxMembers: number;
  /** Why maxMembers is what it is, for the message when an ensemble is larger. */
  readonly maxMembersReason: string;
  /** The member's dataDir inside the container, where the host data folder is mounted. */
  readonly containerDataDir: string;
  /** zkCli inside the container. */
  readonly zkCli: string;
  /** Where the member's zoo.cfg ends up inside the container. */
  readonly zooCfgPath: string;
  /** The container's environment for one member, in the order it is written. */
  environment(member: Member, ensemble: Ensemble): ReadonlyArray<readonly [string, string]>;
  /** The settings the member ends up running with, in the order its zoo.cfg holds them. */
  zooCfg(member: Member, ensemble: Ensemble): ReadonlyArray<readonly [string, string]>;
}
