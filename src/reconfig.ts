// Dynamic reconfiguration (ZooKeeper 3.5.3+), said once: what a member needs to accept `reconfig`,
// how a bundle records its membership, and the move of a running ensemble from the membership of
// the bundle it runs (the folder zkgen writes over) to the ensemble file's, with the rules that
// keep that move safe. The core stays pure: the CLI hands in the text of the old bundle's files.
import { atLeast } from './images.js';
import type { Ensemble, Member, Problem, Role } from './model.js';
import { machineOfHost } from './machine.js';
import { quoted } from './pointer.js';
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
export const reconfigVolumes = (ensemble: Ensemble): Array<readonly [string, string]> =>
  ensemble.reconfig ? [[`${ensemble.reconfig.secrets}/${RECONFIG_FILES.serverFolder}`, `${RECONFIG_MOUNT}:ro`]] : [];

// --- membership -----------------------------------------------------------------------------

/** One member as the running ensemble knows it: its id, its container's name and its server line. */
export interface Seat {
  readonly id: number;
  readonly name: string;
  /** The value of its `server.<id>` line, as the members' zoo.cfg has it. */
  readonly line: string;
  readonly role: Role;
  /** The machine its container runs on (hosts/<machine>/): its host unless the file named one. */
  readonly machine: string;
}

/** A bundle's members, and whether they accept reconfig. */
interface Membership {
  readonly seats: readonly Seat[];
  readonly reconfigEnabled: boolean;
  /** How members speak to each other and to clients (TLS, SASL), as securityOf says it. */
  readonly security: string;
}

/**
 * The settings of a zoo.cfg that say how members and clients speak (TLS on the quorum, a secure
 * client port, port unification, quorum and client SASL), as one string to compare: a move may not
 * change them, since joining members would speak otherwise than the running ones.
 */
function securityOf(settings: ReadonlyMap<string, string>): string {
  const keys = ['sslQuorum', 'portUnification', 'quorum.auth.enableSasl', 'sessionRequireClientSASLAuth', 'enforce.auth.enabled'];
  return [...keys.map((k) => `${k}=${settings.get(k) ?? ''}`), `secureClientPort=${settings.has('secureClientPort') ? 'yes' : ''}`].join(' ');
}

const roleOf = (line: string): Role => (/:observer(;|$)/.test(line) ? 'observer' : 'participant');

/**
 * The ensemble file's members as seats, their lines as the members' zoo.cfg has them: `settings`
 * is one member's zoo.cfg as its dialect writes it (every member's lists the same server lines).
 */
function seatsOf(ensemble: Ensemble, settings: ReadonlyMap<string, string>): Seat[] {
  return ensemble.members.map((m) => ({ id: m.id, name: m.name, line: settings.get(`server.${m.id}`) ?? '', role: m.role, machine: m.machine }));
}

/** reconfigure.sh's record of the membership it starts from, in the bundle beside it. */
export const FROM_RECORD = 'reconfigure-from.cfg';
const RECORD_HEADER = [
  `# ${FROM_RECORD}: the members reconfigure.sh moves the running ensemble from, as the bundle this`,
  '# one replaced had them: a member a line, its container name, its server line and its machine.',
];

export function fromRecord(seats: readonly Seat[]): string {
  return `${[...RECORD_HEADER, ...seats.map((s) => `${s.name} server.${s.id}=${s.line} ${s.machine}`)].join('\n')}\n`;
}

/** The machine a server line's member runs on when nothing else says: its host's. */
const machineOfLine = (line: string) => machineOfHost(line.slice(0, line.indexOf(':')));

const SERVER = /^server\.(\d+)=(.+)$/;

function readRecord(text: string): Seat[] | undefined {
  const seats: Seat[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    // A record written before machines were recorded has none: the member's host's, then.
    const [name, server, machine, ...rest] = line.split(' ');
    const [, id, value] = SERVER.exec(server ?? '') ?? [];
    if (!name || id === undefined || value === undefined || machine === '' || rest.length > 0) return undefined;
    seats.push({ id: Number(id), name, line: value, role: roleOf(value), machine: machine ?? machineOfLine(value) });
  }
  return seats;
}

/** The files of a bundle that say which machine each member runs on: each machine's remove.sh. */
export const MACHINE_FILE = /^hosts\/([^/]+)\/remove\.sh$/;
const REMOVES = /^docker rm -f -v (\S+) /gm;

/**
 * Which machine each member of a bundle on several machines runs on: the one whose remove.sh
 * removes its container (a member's machine is not always its host: the file may name it).
 */
function machinesOf(files: ReadonlyMap<string, string>): Map<string, string> {
  const machines = new Map<string, string>();
  for (const [path, text] of files) {
    const [, machine] = MACHINE_FILE.exec(path) ?? [];
    if (machine !== undefined) for (const [, name] of text.matchAll(REMOVES)) if (name !== undefined) machines.set(name, machine);
  }
  return machines;
}

/**
 * The membership of a bundle, from the text of its files (path → text): each member's folder in
 * conf/ names it, its myid its id, and the server lines of zoo.cfg (every member's alike) its line;
 * its machine is the one whose hosts/<machine>/remove.sh removes it, or else its host's.
 * Undefined when the files hold no such bundle.
 */
function membershipOf(files: ReadonlyMap<string, string>, oneMachine?: string): Membership | undefined {
  const seats: Seat[] = [];
  const machines = machinesOf(files);
  // A bundle of one machine has no hosts/ folder to say its name, which the file may have given
  // (members with hosts of their own on one "machine"): the caller's one machine, then.
  const machineOf = (name: string, line: string) => machines.get(name) ?? (machines.size === 0 && oneMachine !== undefined ? oneMachine : machineOfLine(line));
  let reconfigEnabled = true;
  let security: string | undefined;
  for (const [path, text] of files) {
    const [, name] = /^conf\/([^/]+)\/myid$/.exec(path) ?? [];
    if (name === undefined) continue;
    const cfg = files.get(`conf/${name}/zoo.cfg`);
    const id = Number(text.trim());
    if (cfg === undefined || !Number.isInteger(id)) return undefined;
    const lines = new Map(cfg.split('\n').flatMap((l) => (l.includes('=') ? [[l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const] : [])));
    const line = lines.get(`server.${id}`);
    if (line === undefined) return undefined;
    seats.push({ id, name, line, role: lines.get('peerType') === 'observer' || roleOf(line) === 'observer' ? 'observer' : 'participant', machine: machineOf(name, line) });
    reconfigEnabled &&= lines.get('reconfigEnabled') === 'true';
    security ??= securityOf(lines);
  }
  return seats.length === 0 || security === undefined ? undefined : { seats: seats.sort((a, b) => a.id - b.id), reconfigEnabled, security };
}

/**
 * Where a member is reached by its peers: its line's host:peer:election, without its role and
 * without where its client port listens (`;…`). A change of the latter alone (`listen`, client
 * TLS) is not a change of members: the members are the same, reached at the same place.
 */
const peerAddress = (line: string) => (line.split(';')[0] ?? '').replace(/:(observer|participant)$/, '');

/** Where a member's line says its plaintext client port listens: what follows `;`, or nothing. */
const clientPart = (line: string) => (line.includes(';') ? line.slice(line.indexOf(';') + 1) : '');
const listensAt = (line: string) => (clientPart(line) ? `listens for clients at ${quoted(clientPart(line))}` : 'opens no plaintext client port');

/**
 * Whether two memberships are the same members, reached at the same place. With `clients`, also
 * listening for clients at the same place: an ensemble with reconfiguration on keeps each
 * member's client address in its dynamic configuration, which a recreated member takes back
 * from the leader, so there a change of it is a change the move rules judge.
 */
const sameSeats = (a: readonly Seat[], b: readonly Seat[], clients = false) =>
  a.length === b.length &&
  a.every((s, i) => {
    const t = b[i];
    return (
      s.id === t?.id &&
      s.name === t.name &&
      s.role === t.role &&
      peerAddress(s.line) === peerAddress(t.line) &&
      s.machine === t.machine &&
      (!clients || clientPart(s.line) === clientPart(t.line))
    );
  });

// --- the move -------------------------------------------------------------------------------

/** A running ensemble's move from one membership to another, by reconfig. */
export interface Transition {
  readonly from: readonly Seat[];
  readonly to: readonly Seat[];
  /** New members: started with the current members' lines and their own, then added. */
  readonly joining: readonly Seat[];
  /** Members that stay but change role (participant ↔ observer): added again with their new line. */
  readonly turning: readonly Seat[];
  /** Members that go: removed, then their containers stopped and removed (data folders stay). */
  readonly leaving: readonly Seat[];
}

/**
 * Where the running ensemble starts from, given the bundle in the folder zkgen writes over: the
 * members of that bundle, when they differ from the file's (the bundle is the running ensemble's);
 * or, when they are the same, the membership its own reconfigure-from.cfg records (the same move,
 * written again: --check and a second run give the same bytes). Undefined when nothing moves.
 */
function startingPoint(running: ReadonlyMap<string, string>, to: readonly Seat[]): Membership | undefined {
  const machines = new Set(to.map((s) => s.machine));
  const current = membershipOf(running, machines.size === 1 ? [...machines][0] : undefined);
  if (current === undefined) return undefined;
  if (!sameSeats(current.seats, to, current.reconfigEnabled)) return current;
  const record = running.get(FROM_RECORD);
  const from = record === undefined ? undefined : readRecord(record);
  return from === undefined || sameSeats(from, current.seats) ? undefined : { seats: from, reconfigEnabled: true, security: current.security };
}

/** A named rule about a move: what would make it unsafe. */
interface MoveRule {
  readonly name: string;
  problems(from: Membership, ensemble: Ensemble, to: readonly Seat[], security: string): Problem[];
}

const STOP_INSTEAD =
  'write the new bundle to another folder (--out NEW), stop the running ensemble (its remove.sh; data folders stay) and start NEW, with the ensemble down in between — or, if the ensemble in this folder is not running, pass --stopped';

/** The rules a move must pass, in the order they are reported. */
const MOVE_RULES: readonly MoveRule[] = [
  {
    name: 'The image can reconfigure a running ensemble',
    problems: (_, e) =>
      canReconfigure(e)
        ? []
        : [{ pointer: e.origin.servers, message: `${e.image} runs ZooKeeper ${e.release.zookeeper.major}.${e.release.zookeeper.minor}, which cannot change the members of a running ensemble (dynamic reconfiguration is 3.5.3 and later): ${STOP_INSTEAD}` }],
  },
  {
    name: 'The running ensemble accepts reconfig',
    problems: (from, e) =>
      !canReconfigure(e) || from.reconfigEnabled
        ? []
        : [
            {
              pointer: e.origin.servers,
              message: `the running ensemble was generated without "reconfig", so its members refuse reconfig: first add "reconfig": true with its present members, run super-user.sh and rolling-restart.sh --recreate, then change the members; or ${STOP_INSTEAD}`,
            },
          ],
  },
  {
    name: 'The new ensemble keeps reconfig on',
    problems: (from, e) =>
      !canReconfigure(e) || !from.reconfigEnabled || e.reconfig
        ? []
        : [{ pointer: e.origin.reconfig || e.origin.servers, message: 'the members change while the running ensemble has reconfiguration on: keep "reconfig" in the file, or reconfigure.sh cannot move it' }],
  },
  {
    name: 'A member keeps its name, address and ports',
    problems: (from, e, to) =>
      e.members.flatMap((m) => {
        const mine = to.find((s) => s.id === m.id);
        const was = from.seats.find((s) => s.id === m.id);
        const named = from.seats.find((s) => s.name === m.name);
        if (named && named.id !== m.id) {
          return [{ pointer: m.origin.name, message: `${quoted(m.name)} runs as id ${named.id}: a member's id cannot change in place; remove it in one change and add it under a new name in another` }];
        }
        if (!was || !mine) return [];
        if (was.name !== m.name) return [{ pointer: m.origin.name, message: `id ${m.id} runs as ${quoted(was.name)}: a member cannot be renamed in place; remove it in one change and add it under a new id in another` }];
        if (was.machine !== mine.machine) {
          return [{ pointer: m.origin.member, message: `${m.name} runs on ${quoted(was.machine)} and would run on ${quoted(mine.machine)}: a member cannot move to another machine in place; remove it in one change and add it under a new id in another` }];
        }
        if (peerAddress(was.line) !== peerAddress(mine.line)) {
          return [
            {
              pointer: m.origin.member,
              message: `${m.name} is reached at ${quoted(peerAddress(was.line))} and would be at ${quoted(peerAddress(mine.line))}: a member's address and quorum ports cannot change in place. If the port layout moved them (its machine goes from one member to several, or back), give ${m.name} its present ports in the file; else remove it in one change and add it under a new id in another`,
            },
          ];
        }
        if (clientPart(was.line) !== clientPart(mine.line)) {
          return [
            {
              pointer: m.origin.member,
              message: `${m.name} ${listensAt(was.line)} and would ${listensAt(mine.line).replace(/^listens/, 'listen').replace(/^opens/, 'open')}: with reconfiguration on, the ensemble keeps each member's client address in its dynamic configuration, which a recreated member takes back from the leader, so zkgen does not change it yet (ports.client, listen, client TLS); keep it, or remove the member in one change and add it under a new id in another`,
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
    problems: (from, e) => {
      const voters = e.members.filter((m) => m.role === 'participant');
      const running = voters.filter((m) => from.seats.some((s) => s.id === m.id && s.role === 'participant'));
      const leaving = from.seats.filter((s) => s.role === 'participant' && !voters.some((m) => m.id === s.id));
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
    problems: (from, e, _, security) =>
      from.security === security
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
    problems: (from, e) => {
      const was = [...new Set(from.seats.map((s) => s.machine))].sort();
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
    problems: (_, e) =>
      e.members.some((m) => m.group !== undefined)
        ? [{ pointer: e.origin.servers, message: 'zkgen does not move an ensemble with groups and weights yet: its groups would have to change in the same reconfig' }]
        : [],
  },
];

/** The move from the running membership to the file's, or the problems that make it unsafe; nothing when the members stay. */
function transitionOf(
  from: Membership | undefined,
  ensemble: Ensemble,
  to: readonly Seat[],
  options: { security: string },
): { transition?: Transition; problems: Problem[] } {
  if (from === undefined) return { problems: [] };
  const problems = MOVE_RULES.flatMap((r) => r.problems(from, ensemble, to, options.security));
  if (problems.length > 0) return { problems };
  const was = new Map(from.seats.map((s) => [s.id, s]));
  const stays = new Set(to.map((s) => s.id));
  return {
    problems: [],
    transition: Object.freeze({
      from: Object.freeze([...from.seats]),
      to: Object.freeze(to),
      joining: Object.freeze(to.filter((s) => !was.has(s.id))),
      turning: Object.freeze(to.filter((s) => was.has(s.id) && was.get(s.id)?.role !== s.role)),
      leaving: Object.freeze(from.seats.filter((s) => !stays.has(s.id))),
    }),
  };
}

/**
 * The move a write over the running ensemble's bundle makes (its files' text, by path), or the
 * problems that make it unsafe; nothing without such a bundle, when the members stay, or when the
 * bundle's ensemble is not running. `zooCfg` is the dialect's: one member's is read, and only then.
 */
export function moveOf(
  running: ReadonlyMap<string, string> | undefined,
  ensemble: Ensemble,
  zooCfg: (member: Member) => readonly Setting[],
  options: { stopped: boolean },
): { transition?: Transition; problems: Problem[] } {
  if (running === undefined || options.stopped) return { problems: [] };
  const [first] = ensemble.members;
  const settings = new Map(first ? zooCfg(first) : []);
  const to = seatsOf(ensemble, settings);
  return transitionOf(startingPoint(running, to), ensemble, to, { security: securityOf(settings) });
}
