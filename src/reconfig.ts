// Dynamic reconfiguration (ZooKeeper 3.5.3+), said once: what a member needs to accept `reconfig`,
// and the move of a running ensemble from the members of the bundle it runs (the folder zkgen writes
// over, as its record says them) to the ensemble file's, with the rules that keep that move safe.
// A move is a diff of two typed values: the record the CLI read and validated (src/record.ts), and
// the file's resolved ensemble.
import { atLeast } from './images.js';
import { readOnlyMount, type Mount } from './dialects/types.js';
import type { Ensemble, Problem } from './model.js';
import { quoted } from './pointer.js';
import { bundleMember, type BundleMember, type BundleRecord } from './record.js';
import { clientEndpoint } from './security.js';
import { failuresThatLoseQuorum, type Setting } from './zookeeper.js';

// --- what a member needs --------------------------------------------------------------------

/** Where the members' super-user folder (the JVM argument file) is mounted, read-only. */
export const RECONFIG_MOUNT = '/zkgen-reconfig';
/** The files super-user.sh writes: the password reconfigure.sh reads on the host, and the JVM argument file members read. */
export const RECONFIG_FILES = Object.freeze({ password: 'super.password', serverFolder: 'server', jvmArgs: 'jvm.args' });
/** The user reconfig is authorised for (ZooKeeper's digest super user). */
export const SUPER_USER = 'super';

/** Whether the ensemble's ZooKeeper line has dynamic reconfiguration (3.5.3, the first stable 3.5). */
export const canReconfigure = (ensemble: Ensemble): boolean => atLeast(ensemble.release.zookeeper, 3, 5);

/** The zoo.cfg lines of reconfiguration: on, and no falling back to standalone when one member is left (or first). */
export function reconfigSettings(ensemble: Ensemble): Setting[] {
  return ensemble.reconfig ? [['reconfigEnabled', 'true']] : [];
}

/** standaloneEnabled: off with reconfiguration, so that an ensemble of one can grow. */
export const standaloneEnabled = (ensemble: Ensemble): string => String(ensemble.reconfig === undefined);

/**
 * The JVM option that makes the super user known: the JVM reads its argument file (`@file`, Java
 * 9+), which super-user.sh wrote with the digest in it, so the digest is never in the bundle.
 */
export const reconfigJvmFlags = (ensemble: Ensemble): string | undefined =>
  ensemble.reconfig ? `@${RECONFIG_MOUNT}/${RECONFIG_FILES.jvmArgs}` : undefined;

/** The member's mount of the super user's server folder (the JVM argument file alone: the password stays on the host). */
export const reconfigVolumes = (ensemble: Ensemble): Mount[] =>
  ensemble.reconfig ? [readOnlyMount(`${ensemble.reconfig.secrets}/${RECONFIG_FILES.serverFolder}`, RECONFIG_MOUNT)] : [];

// --- the move -------------------------------------------------------------------------------

/** A running ensemble's move from one membership to another, by reconfig: members as the bundle's record says them. */
export interface Transition {
  readonly from: readonly BundleMember[];
  readonly to: readonly BundleMember[];
  /** New members: started with the current members' lines and their own, then added. */
  readonly joining: readonly BundleMember[];
  /** Members that stay but change role (participant ↔ observer): added again with their new line. */
  readonly changingRole: readonly BundleMember[];
  /** Members that go: removed, then their containers stopped and removed (data folders stay). */
  readonly leaving: readonly BundleMember[];
}

/** What a membership's members share that a move compares: where clients are let in, and how members speak. */
type Settings = Pick<BundleRecord, 'listen' | 'tls' | 'auth'>;

/** One side of a move: members, whether they accept reconfig, and the settings they run with. */
interface Membership {
  readonly members: readonly BundleMember[];
  readonly reconfigEnabled: boolean;
  readonly settings: Settings;
}

/** Where a member is reached by its peers: host:peer:election (its server line without role and client part). */
const peerAddress = (m: BundleMember) => `${m.host}:${m.ports.peer}:${m.ports.election}`;

/** Where a member's plaintext client port listens (its server line's `;…`), or nothing when it is closed. */
const clientPart = (m: BundleMember, settings: Settings) => clientEndpoint(m, settings) ?? '';
const listensAt = (part: string) => (part ? `listens for clients at ${quoted(part)}` : 'opens no plaintext client port');

/**
 * How members and clients speak (TLS on the quorum, a secure client port, port unification, quorum
 * and client SASL): a move may not change it, since joining members would speak otherwise than the
 * running ones.
 */
const speech = (s: Settings) =>
  JSON.stringify([s.tls?.quorum ?? false, s.tls?.client ?? false, s.tls?.portUnification ?? false, s.auth?.quorum ?? false, s.auth?.client ?? false]);

/**
 * Whether two memberships are the same members, reached at the same place. With `clients`, also
 * listening for clients at the same place: an ensemble with reconfiguration on keeps each
 * member's client address in its dynamic configuration, which a recreated member takes back
 * from the leader, so there a change of it is a change the move rules judge.
 */
function sameMembers(a: Membership, b: Membership, clients: boolean): boolean {
  return (
    a.members.length === b.members.length &&
    a.members.every((m, i) => {
      const n = b.members[i];
      return (
        m.id === n?.id &&
        m.name === n.name &&
        m.role === n.role &&
        peerAddress(m) === peerAddress(n) &&
        m.machine === n.machine &&
        (!clients || clientPart(m, a.settings) === clientPart(n, b.settings))
      );
    })
  );
}

const membershipOf = (record: BundleRecord, members = record.members): Membership => ({ members, reconfigEnabled: record.reconfig !== undefined, settings: record });

/**
 * Where the running ensemble starts from, given the record of the bundle in the folder zkgen writes
 * over: that bundle's members, when they differ from the file's (the bundle is the running
 * ensemble's); or, when they are the same, where the move that bundle carries starts (the same move,
 * written again: --check and a second run give the same bytes). Undefined when nothing moves.
 */
function startingPoint(running: BundleRecord, to: Membership): Membership | undefined {
  const current = membershipOf(running);
  if (!sameMembers(current, to, current.reconfigEnabled)) return current;
  const from = running.move && membershipOf(running, running.move.from);
  return from === undefined || sameMembers(from, current, false) ? undefined : from;
}

/** What the move rules are given: where the move starts, where it ends, and the file's ensemble. */
interface Move {
  readonly from: Membership;
  readonly to: Membership;
  readonly ensemble: Ensemble;
  /** Why zkgen cannot turn on the image's reconfiguration, if it cannot (its dialect's). */
  readonly noReconfig?: string;
}

/** A named rule about a move: what would make it unsafe. */
interface MoveRule {
  readonly name: string;
  problems(move: Move): Problem[];
}

const STOP_INSTEAD =
  'write the new bundle to another folder (--out NEW), stop the running ensemble (its remove.sh; data folders stay) and start NEW, with the ensemble down in between — or, if the ensemble in this folder is not running, pass --stopped';

/** The rules a move must pass, in the order they are reported. */
const MOVE_RULES: readonly MoveRule[] = [
  {
    name: 'The image can reconfigure a running ensemble',
    problems: ({ ensemble: e }) =>
      canReconfigure(e)
        ? []
        : [{ pointer: e.origin.servers, message: `${e.image} runs ZooKeeper ${e.release.zookeeper.major}.${e.release.zookeeper.minor}, which cannot change the members of a running ensemble (dynamic reconfiguration is 3.5.3 and later): ${STOP_INSTEAD}` }],
  },
  {
    name: 'The running ensemble accepts reconfig',
    // Setting reconfigEnabled first is advice only for an image whose reconfigEnabled zkgen sets.
    problems: ({ from, ensemble: e, noReconfig }) =>
      !canReconfigure(e) || from.reconfigEnabled
        ? []
        : [
            {
              pointer: e.origin.servers,
              message:
                noReconfig === undefined
                  ? `the running ensemble was generated without "reconfig", so its members refuse reconfig: first add "reconfig": true with its present members, run super-user.sh and rolling-restart.sh --recreate, then change the members; or ${STOP_INSTEAD}`
                  : `the running ensemble's members refuse reconfig, and zkgen cannot turn it on for ${e.image} (${noReconfig}): ${STOP_INSTEAD}`,
            },
          ],
  },
  {
    name: 'The new ensemble keeps reconfig on',
    problems: ({ from, ensemble: e }) =>
      !canReconfigure(e) || !from.reconfigEnabled || e.reconfig
        ? []
        : [{ pointer: e.origin.reconfig || e.origin.servers, message: 'the members change while the running ensemble has reconfiguration on: keep "reconfig" in the file, or reconfigure.sh cannot move it' }],
  },
  {
    name: 'A member keeps its name, address and ports',
    problems: ({ from, to, ensemble: e }) =>
      e.members.flatMap((m) => {
        const mine = to.members.find((s) => s.id === m.id);
        const was = from.members.find((s) => s.id === m.id);
        const named = from.members.find((s) => s.name === m.name);
        if (named && named.id !== m.id) {
          return [{ pointer: m.origin.name, message: `${quoted(m.name)} runs as id ${named.id}: a member's id cannot change in place; remove it in one change and add it under a new name in another` }];
        }
        if (!was || !mine) return [];
        if (was.name !== m.name) return [{ pointer: m.origin.name, message: `id ${m.id} runs as ${quoted(was.name)}: a member cannot be renamed in place; remove it in one change and add it under a new id in another` }];
        if (was.machine !== mine.machine) {
          return [{ pointer: m.origin.member, message: `${m.name} runs on ${quoted(was.machine)} and would run on ${quoted(mine.machine)}: a member cannot move to another machine in place; remove it in one change and add it under a new id in another` }];
        }
        if (peerAddress(was) !== peerAddress(mine)) {
          return [
            {
              pointer: m.origin.member,
              message: `${m.name} is reached at ${quoted(peerAddress(was))} and would be at ${quoted(peerAddress(mine))}: a member's address and quorum ports cannot change in place. If the port layout moved them (its machine goes from one member to several, or back), give ${m.name} its present ports in the file; else remove it in one change and add it under a new id in another`,
            },
          ];
        }
        const before = clientPart(was, from.settings);
        const after = clientPart(mine, to.settings);
        if (before !== after) {
          return [
            {
              pointer: m.origin.member,
              message: `${m.name} ${listensAt(before)} and would ${listensAt(after).replace(/^listens/, 'listen').replace(/^opens/, 'open')}: with reconfiguration on, the ensemble keeps each member's client address in its dynamic configuration, which a recreated member takes back from the leader, so zkgen does not change it yet (ports.client, listen, client TLS); keep it, or remove the member in one change and add it under a new id in another`,
            },
          ];
        }
        return [];
      }),
  },
  {
    name: 'Participants leave only while a quorum of the new ones already runs',
    // Joining members are started and synced before reconfig (step 1), so a pure growth (1 → 3
    // included) is safe: ZooKeeper commits once a quorum of the new membership, joiners among
    // them, has acknowledged. When participants leave in the same change, the new membership
    // would rest mostly on members that have only just joined: most of the new participants must
    // be participants running today, or the change is made in two (add, then remove).
    problems: ({ from, ensemble: e }) => {
      const voters = e.members.filter((m) => m.role === 'participant');
      const running = voters.filter((m) => from.members.some((s) => s.id === m.id && s.role === 'participant'));
      const leaving = from.members.filter((s) => s.role === 'participant' && !voters.some((m) => m.id === s.id));
      const lose = failuresThatLoseQuorum(voters.map(() => ({})));
      return leaving.length > 0 && voters.length - running.length >= lose
        ? [
            {
              pointer: e.origin.servers,
              message: `${leaving.map((s) => s.name).join(', ')} would leave while ${running.length} of the ${voters.length} new participants run today, and a quorum of them needs ${voters.length - lose + 1}: add members in one change and remove the old ones in another`,
            },
          ]
        : [];
    },
  },
  {
    name: 'A move keeps how members speak',
    problems: ({ from, to, ensemble: e }) =>
      speech(from.settings) === speech(to.settings)
        ? []
        : [
            {
              pointer: e.origin.tls || e.origin.auth || e.origin.servers,
              message:
                'the members change while TLS or authentication changes too: joining members would speak otherwise than the running ones. Change one at a time: the members (reconfigure.sh), then TLS or authentication (rolling-restart.sh --recreate), or the other way round',
            },
          ],
  },
  {
    name: 'A move stays on one machine, or on several',
    // The bundle of one machine moves its members with docker on that machine; the bundle of
    // several machines prints what to run on each (reconfigure.sh at the top, hosts/<machine>/
    // reconfigure.sh). A move from one machine to several, or back, is neither yet.
    problems: ({ from, ensemble: e }) => {
      const was = [...new Set(from.members.map((s) => s.machine))].sort();
      if (e.machines.length === 1) {
        const elsewhere = was.filter((m) => m !== e.machines[0]);
        return elsewhere.length === 0
          ? []
          : [{ pointer: e.origin.servers, message: `members run on ${elsewhere.map(quoted).join(', ')} besides ${quoted(e.machines[0] ?? '')}, and the bundle of one machine moves the members of that machine alone: remove those members by hand (zkCli's reconfig -remove as the super user, then docker rm -f on their machines), then write this file over the bundle with --stopped, nothing being left to move` }];
      }
      return was.length > 1
        ? []
        : [{ pointer: e.origin.servers, message: `the running members are all on ${quoted(was[0] ?? '')}: zkgen does not yet write a move from one machine to several; start each new member with its host's run.sh (its server list holding the running members and itself) and use zkCli's reconfig by hand (zkgen's docs/changing-members.md)` }];
    },
  },
  {
    name: 'A move keeps hierarchical quorums out',
    problems: ({ ensemble: e }) =>
      e.members.some((m) => m.group !== undefined)
        ? [{ pointer: e.origin.servers, message: 'zkgen does not move an ensemble with groups and weights yet: its groups would have to change in the same reconfig' }]
        : [],
  },
];

/**
 * The move a write over the running ensemble's bundle makes, given that bundle's record, or the
 * problems that make it unsafe; nothing without such a bundle, when the members stay, or when the
 * bundle's ensemble is not running (`stopped`). `noReconfig` is the dialect's reason it cannot
 * reconfigure, if any.
 */
export function moveOf(
  running: BundleRecord | undefined,
  ensemble: Ensemble,
  options: { stopped: boolean; noReconfig?: string },
): { transition?: Transition; problems: Problem[] } {
  if (running === undefined || options.stopped) return { problems: [] };
  const to: Membership = { members: ensemble.members.map(bundleMember), reconfigEnabled: ensemble.reconfig !== undefined, settings: ensemble };
  const from = startingPoint(running, to);
  if (from === undefined) return { problems: [] };
  const problems = MOVE_RULES.flatMap((r) => r.problems({ from, to, ensemble, ...(options.noReconfig !== undefined && { noReconfig: options.noReconfig }) }));
  if (problems.length > 0) return { problems };
  const was = new Map(from.members.map((s) => [s.id, s]));
  const stays = new Set(to.members.map((s) => s.id));
  return {
    problems: [],
    transition: Object.freeze({
      from: Object.freeze([...from.members]),
      to: Object.freeze([...to.members]),
      joining: Object.freeze(to.members.filter((s) => !was.has(s.id))),
      changingRole: Object.freeze(to.members.filter((s) => was.has(s.id) && was.get(s.id)?.role !== s.role)),
      leaving: Object.freeze(from.members.filter((s) => !stays.has(s.id))),
    }),
  };
}
