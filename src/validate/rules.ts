// The named cross-field rules: what the schema cannot say about one value at a time. They judge
// the resolved model, because whether two ports clash is only known once defaults are applied;
// every problem still points into the ensemble file through each value's origin.
import { canReconfigure } from '../reconfig.js';
import { DIALECTS } from '../dialects/index.js';
import { atLeast, hasTagOrDigest, homeRepository } from '../images.js';
import { addressOf, isLoopback, LOOPBACK_MACHINE } from '../machine.js';
import { PORT_KINDS, PREPARE_SERVICE, type Ensemble, type Member, type PortKind, type Problem } from '../model.js';
import { quoted } from '../pointer.js';
import { refusedService, serviceName, SHORTEST_STACK } from '../swarm.js';
import { plaintextClientOpen } from '../security.js';
import { CONFIG_PORT_KEYS, failuresThatLoseQuorum, MANAGED_KEYS } from '../zookeeper.js';

interface Rule {
  readonly severity: 'error' | 'warning';
  problems(ensemble: Ensemble): Problem[];
}

function duplicates(members: readonly Member[], key: (m: Member) => unknown): Array<[Member, Member]> {
  const first = new Map<unknown, Member>();
  const pairs: Array<[Member, Member]> = [];
  for (const m of members) {
    const k = key(m);
    const seen = first.get(k);
    if (seen) pairs.push([seen, m]);
    else first.set(k, m);
  }
  return pairs;
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;
/**
 * Whether two addresses a member binds on one machine may be the same: zkgen resolves no names, so
 * a name may stand for any address of its machine; only two different IPv4 addresses are surely apart.
 */
const mayBeOneAddress = (a: string, b: string) => a === b || !IPV4.test(a) || !IPV4.test(b);

/** The folders holding a normalised folder, nearest first: /a/b/c → /a/b, /a, /. */
function parentsOf(folder: string): string[] {
  const parents: string[] = [];
  for (let at = folder.lastIndexOf('/'); at > 0; at = folder.lastIndexOf('/', at - 1)) parents.push(folder.slice(0, at));
  if (folder !== '/') parents.push('/');
  return parents;
}

/** Whether folder `inner` is `outer` or lies inside it (both normalised, see resolve). */
const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer === '/' ? '/' : `${outer}/`);

// Host folders a data folder may not be or lie in. The official image hands its data folders to
// its own user (chown -R), and every image writes into them: a system folder would be taken over.
// Folders the system owns whole: nothing of an ensemble belongs anywhere inside them.
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr'];
// Folders that hold others' files: a data folder may lie inside them, but may not be one of them.
const SHARED_FOLDERS = ['/', '/home', '/media', '/mnt', '/opt', '/root', '/srv', '/tmp', '/var', '/var/backups', '/var/cache', '/var/lib', '/var/local', '/var/log', '/var/mail', '/var/opt', '/var/spool', '/var/tmp', '/usr/local'];

/**
 * Why a folder the bundle has taken over (`because`: how) is a system folder, if it is one: the
 * one test of data, keys and secrets folders.
 */
function systemFolder(folder: string, because = 'images take their data folders over'): string | undefined {
  const tree = SYSTEM_TREES.find((t) => within(folder, t));
  if (tree) return `lies in ${tree}, which the system owns: ${because}`;
  if (SHARED_FOLDERS.includes(folder)) return `holds others' files, and ${because}: use a folder of its own inside it`;
  return undefined;
}

/** Where members of one machine mount the same folder, or one inside another's: each such member once. */
function dataApart(e: Ensemble, members: readonly Member[]): Problem[] {
  // On several machines, which machine's folder it is.
  const on = e.machines.length > 1 && members[0] ? ` on ${members[0].machine}` : '';
  const problems: Problem[] = [];
  const mounts = members.map((m) => ({ member: m, folders: DIALECTS[e.dialect].volumes(m, e).filter((v) => !v.readOnly).map((v) => v.host) }));
  // A system folder is the mistake to tell of (the next rule does), not what lies in it.
  const own = mounts.filter(({ member }) => systemFolder(member.dataDir) === undefined);
  // Most ensembles have no folder inside or equal to another member's: say so without pairing
  // every member with every other (255 members are 32,000 pairs). A folder can only meet
  // another member's at itself or at one of its parents.
  const owners = new Map<string, Set<Member>>();
  for (const { member, folders } of own) for (const f of folders) owners.set(f, (owners.get(f) ?? new Set()).add(member));
  const meets = own.some(({ member, folders }) =>
    folders.some((f) => [f, ...parentsOf(f)].some((p) => [...(owners.get(p) ?? [])].some((o) => o !== member))),
  );
  if (!meets) return problems;
  // Each member's folder is one mistake, told once, against the first member it meets.
  const told = new Set<Member>();
  for (const [i, a] of own.entries()) {
    for (const b of own.slice(i + 1)) {
      // Two members of one name share their default folder too; the name is the one mistake.
      if (a.member.name === b.member.name || told.has(a.member) || told.has(b.member)) continue;
      if (a.member.dataDir === b.member.dataDir) {
        told.add(b.member);
        problems.push({ pointer: b.member.origin.dataDir, message: `data folder ${quoted(b.member.dataDir)} is also ${a.member.name}'s${on}: two members cannot share a dataDir` });
        continue;
      }
      const nested = (inner: typeof a, outer: typeof a) =>
        inner.folders.flatMap((f) => outer.folders.filter((g) => within(f, g)).map((g) => [f, g] as const))[0];
      for (const [inner, outer] of [[b, a], [a, b]] as const) {
        const pair = nested(inner, outer);
        if (!pair) continue;
        told.add(inner.member);
        problems.push({
          pointer: inner.member.origin.dataDir,
          message: `${inner.member.name}'s folder ${quoted(pair[0])} lies inside ${outer.member.name}'s ${quoted(pair[1])}${on}: members' data folders cannot nest`,
        });
        break;
      }
    }
  }
  return problems;
}

/** The host folders tls.sh, auth.sh and super-user.sh write into, with where the file sets them. */
function secretFolders(e: Ensemble): Array<{ folder: string; pointer: string; what: string }> {
  return [
    ...(e.tls ? [{ folder: e.tls.keys, pointer: e.origin.tls, what: 'TLS keys folder' }] : []),
    ...(e.auth ? [{ folder: e.auth.secrets, pointer: e.origin.auth, what: 'secrets folder' }] : []),
    ...(e.reconfig ? [{ folder: e.reconfig.secrets, pointer: e.origin.reconfig, what: "super user's folder" }] : []),
  ];
}

/** A port a member binds: the laid-out ports, and the config keys that are ports. */
interface Binding {
  readonly member: Member;
  /** How a message names it: "client port", "secureClientPort". */
  readonly label: string;
  readonly port: number;
  readonly pointer: string;
  /** Set in the ensemble file for this member (rather than laid out), so the better place to point. */
  readonly inEnsembleFile: boolean;
  /** The address it is bound to; none for every interface. */
  readonly address?: string;
}

/** A config value that should be a port, as a port; undefined when it is not one. */
const asPort = (value: string) => (/^[1-9][0-9]{0,4}$/.test(value) && Number(value) <= 65535 ? Number(value) : undefined);

function bindings(e: Ensemble): Binding[] {
  const configPorts = e.settings.config.filter(([key]) => CONFIG_PORT_KEYS.includes(key));
  return e.members.flatMap((member) => [
    ...PORT_KINDS.flatMap((kind): Binding[] => {
      const port = member.ports[kind];
      if (port === undefined) return [];
      const at = member.origin.ports[kind];
      return [{ member, label: `${kind} port`, port, pointer: at, inEnsembleFile: at.includes('/ports/'), ...(bindsOwnAddress(e, kind) && { address: addressOf(member.host) }) }];
    }),
    ...configPorts.flatMap(([key, value]): Binding[] => {
      const port = asPort(value);
      return port === undefined ? [] : [{ member, label: key, port, pointer: `${e.origin.config}/${key}`, inEnsembleFile: true }];
    }),
  ]);
}

const participants = (e: Ensemble) => e.members.filter((m) => m.role === 'participant');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Where a member's port is bound: peer and election ports on the member's own address (ZooKeeper
 * binds the server line's address); client and AdminServer ports there too when the ensemble
 * listens on its own addresses and the image can say so (src/security.ts); metrics ports on every
 * interface.
 */
const bindsOwnAddress = (e: Ensemble, kind: PortKind) =>
  kind === 'peer' ||
  kind === 'election' ||
  ((kind === 'client' || kind === 'admin' || (kind === 'secureClient' && DIALECTS[e.dialect].unboundSecureClient === undefined)) &&
    e.listen === 'own' &&
    DIALECTS[e.dialect].bindsOwnAddress);

// Each rule by its name, which says what must hold as ZooKeeper or Docker would have it (a key:
// tsc refuses two rules of one name), checked in this order.
const RULES: Readonly<Record<string, Rule>> = {
  'Member ids are unique': {
    severity: 'error',
    problems: (e) =>
      duplicates(e.members, (m) => m.id).map(([a, b]) => ({
        pointer: b.origin.id,
        message: `id ${b.id} is also ${a.name}'s: each member's myid must be its own`,
      })),
  },
  'Member names are unique': {
    severity: 'error',
    problems: (e) =>
      duplicates(e.members, (m) => m.name)
        // Two members of one id get one default name; the id is the one mistake.
        .filter(([a, b]) => a.id !== b.id || b.origin.name.endsWith('/name'))
        .map(([a, b]) => ({
          pointer: b.origin.name,
          message: `name ${quoted(b.name)} is also member ${a.id}'s: container names must differ`,
        })),
  },
  'No member takes the name of the step that prepares the data folders': {
    severity: 'error',
    problems: (e) =>
      DIALECTS[e.dialect].dataOwner === undefined
        ? []
        : e.members
            .filter((m) => m.name === PREPARE_SERVICE)
            .map((m) => ({
              pointer: m.origin.name,
              message: `"${PREPARE_SERVICE}" is the compose service that gives the data folders to the image's user before the members start: name the member otherwise`,
            })),
  },
  'Members keep their data apart on their machine': {
    severity: 'error',
    // Every host folder a member mounts (the official image's <dataDir>/datalog too), not only its
    // dataDir: one member's folder inside another's would be written by both. Read-only mounts (the
    // ensemble's shared secrets) are written by none. A folder is a machine's own: members on
    // different machines may give the same path.
    problems: (e) => {
      const byMachine = new Map<string, Member[]>();
      for (const m of e.members) {
        const mine = byMachine.get(m.machine);
        if (mine) mine.push(m);
        else byMachine.set(m.machine, [m]);
      }
      return [...byMachine.values()].flatMap((members) => dataApart(e, members));
    },
  },
  'A data folder is no system folder': {
    severity: 'error',
    problems: (e) =>
      e.members.flatMap((m) => {
        const why = systemFolder(m.dataDir);
        return why === undefined ? [] : [{ pointer: m.origin.dataDir, message: `${m.name}'s data folder ${quoted(m.dataDir)} ${why}` }];
      }),
  },
  'Member ids lie in 1..255': {
    severity: 'error',
    // Ids given are bounded by the schema; one counted on from the previous member's is not.
    problems: (e) =>
      e.members
        .filter((m) => m.id > 255)
        .map((m) => ({ pointer: m.origin.id, message: `${m.name}'s id would be ${m.id} (one more than the previous member's), above 255: give ids that fit` })),
  },
  'A config key that is a port holds a port': {
    severity: 'error',
    problems: (e) =>
      e.settings.config
        .filter(([key, value]) => CONFIG_PORT_KEYS.includes(key) && asPort(value) === undefined)
        .map(([key, value]) => ({ pointer: `${e.origin.config}/${key}`, message: `${key} is a port: ${quoted(value)} is not a number in 1..65535` })),
  },
  'A member is never addressed as 0.0.0.0': {
    severity: 'error',
    problems: (e) =>
      e.members
        .filter((m) => m.host === '0.0.0.0')
        .map((m) => ({
          pointer: m.origin.host,
          message: "0.0.0.0 cannot be a member's address: peers and clients must reach it there; give the address they use",
        })),
  },
  'A member on several machines is reached at an address of the network': {
    severity: 'error',
    problems: (e) =>
      e.machines.length < 2
        ? []
        : e.members
            .filter((m) => isLoopback(m.host))
            .map((m) => ({
              pointer: m.origin.host,
              message: `${m.host} reaches only the machine one is on: the members on ${e.machines.filter((x) => x !== m.machine).join(', ')} cannot reach ${m.name} there; give its address on the network`,
            })),
  },
  'Two machines never share an address': {
    severity: 'error',
    // Members the file puts on different machines lay their ports out apart (each alone on its
    // machine takes the base ports), so at one address they would have the same server line.
    // Loopback addresses are the rule above's to tell of.
    problems: (e) => {
      const holder = new Map<string, Member>();
      return e.members.flatMap((m) => {
        if (isLoopback(m.host)) return [];
        const address = addressOf(m.host);
        const first = holder.get(address);
        if (!first) holder.set(address, m);
        if (!first || first.machine === m.machine) return [];
        return [
          {
            pointer: m.origin.machine,
            message: `${m.name} runs on ${quoted(m.machine)} at ${quoted(m.host)}, the address of ${first.name} on ${quoted(first.machine)}: one address is one machine; put both on one machine, or give ${m.name} its machine's own address`,
          },
        ];
      });
    },
  },
  'A member on several machines can name a Swarm service': {
    severity: 'error',
    // With several machines the bundle holds stack.yml, where each member is the service
    // <stack>_<name>: a name Swarm refuses beside every stack name would deploy a stack in part.
    problems: (e) =>
      e.machines.length < 2
        ? []
        : e.members.flatMap((m) => {
            const why = refusedService(serviceName(SHORTEST_STACK, m.name));
            return why === undefined
              ? []
              : [{ pointer: m.origin.name, message: `${quoted(m.name)} cannot name a Swarm service: stack.yml makes it ${quoted(serviceName('<stack>', m.name))}, and ${why}; name the member otherwise` }];
          }),
  },
  'Every port lies in 1..65535': {
    severity: 'error',
    problems: (e) =>
      e.members.flatMap((m) =>
        PORT_KINDS.filter((k) => (m.ports[k] ?? 0) > 65535).map((k) => ({
          pointer: m.origin.ports[k],
          message: `${m.name}'s ${k} port would be ${m.ports[k]}, above 65535`,
        })),
      ),
  },
  'No two ports collide on one host': {
    severity: 'error',
    problems: (e) => {
      const problems: Problem[] = [];
      // Bindings by machine and port: only those can clash, so each looks through its own few.
      const byPort = new Map<string, Array<Binding & { machine: string }>>();
      for (const binding of bindings(e)) {
        const { member, port } = binding;
        const mine = { ...binding, machine: member.machine };
        const key = `${mine.machine}\n${String(port)}`;
        const same = byPort.get(key) ?? [];
        const holder = same.find((t) => t.address === undefined || mine.address === undefined || mayBeOneAddress(t.address, mine.address));
        same.push(mine);
        byPort.set(key, same);
        if (!holder) continue;
        // Two members of one id get one layout; the id is the one mistake.
        if (holder.member !== member && holder.member.id === member.id && !binding.inEnsembleFile && !holder.inEnsembleFile) continue;
        const whose = holder.member === member ? `its own ${holder.label}` : `${holder.member.name}'s ${holder.label}`;
        // Point at the port the file sets, if one of the two is set rather than laid out.
        const at = binding.inEnsembleFile || !holder.inEnsembleFile ? binding.pointer : holder.pointer;
        const where = member.machine === LOOPBACK_MACHINE ? member.host : member.machine;
        problems.push({ pointer: at, message: `${member.name}'s ${binding.label} ${port} is also ${whose} on ${where}` });
      }
      return problems;
    },
  },
  'AdminServer and metrics ports belong to servers that are on': {
    severity: 'error',
    problems: (e) => {
      const problems: Problem[] = [];
      const zk = e.release.zookeeper;
      const runs = `${e.image} runs ZooKeeper ${zk.major}.${zk.minor}`;
      const has35 = atLeast(zk, 3, 5);
      if (!has35 && e.adminServer) problems.push({ pointer: e.origin.adminServer, message: `${runs}, which has no AdminServer (it came with 3.5)` });
      if (!atLeast(zk, 3, 6) && e.metrics) problems.push({ pointer: e.origin.metrics, message: `${runs}, which has no metrics provider (it came with 3.6)` });
      for (const m of e.members) {
        if (m.ports.admin !== undefined && !e.adminServer) {
          problems.push({ pointer: m.origin.ports.admin, message: `an admin port is given, but the AdminServer is off${has35 ? ': set adminServer to true' : ` (ZooKeeper ${zk.major}.${zk.minor} has none)`}` });
        }
        if (m.ports.metrics !== undefined && !e.metrics) {
          problems.push({ pointer: m.origin.ports.metrics, message: 'a metrics port is given, but metrics are off: set metrics to true' });
        }
      }
      return problems;
    },
  },
  'An ensemble has at least one participant': {
    severity: 'error',
    problems: (e) =>
      participants(e).length === 0
        ? [{ pointer: e.origin.servers, message: 'every member is an observer: observers only follow participants, and at least one must vote' }]
        : [],
  },
  'A hierarchical quorum groups every participant and only participants': {
    severity: 'error',
    problems: (e) => {
      const problems: Problem[] = [];
      const grouped = e.members.some((m) => m.group !== undefined);
      for (const m of e.members) {
        if (m.role === 'observer' && m.group !== undefined) {
          problems.push({ pointer: m.origin.group, message: `${m.name} is an observer: observers do not vote, so they belong to no group` });
        }
        if (m.role === 'observer' && m.weight !== undefined) {
          problems.push({ pointer: m.origin.weight, message: `${m.name} is an observer: observers do not vote, so they carry no weight` });
        }
        if (grouped && m.role === 'participant' && m.group === undefined) {
          problems.push({ pointer: m.origin.member, message: `${m.name} has no group: in a hierarchical quorum every participant belongs to one` });
        }
        if (!grouped && m.role === 'participant' && m.weight !== undefined) {
          problems.push({ pointer: m.origin.weight, message: 'a weight counts only in a hierarchical quorum: give the participants groups' });
        }
      }
      const groups = new Map<number, number>();
      for (const m of e.members) if (m.group !== undefined && m.role === 'participant') groups.set(m.group, (groups.get(m.group) ?? 0) + (m.weight ?? 1));
      for (const [group, weight] of groups) {
        const first = e.members.find((m) => m.group === group);
        if (weight === 0 && first) {
          problems.push({ pointer: first.origin.group, message: `group ${group} weighs nothing: a group's members must together carry some weight` });
        }
      }
      return problems;
    },
  },
  'config sets only keys no field of zkgen sets': {
    severity: 'error',
    problems: (e) =>
      e.settings.config.flatMap(([key]) => {
        const managed = MANAGED_KEYS.find(([pattern]) => pattern.test(key));
        return managed ? [{ pointer: `${e.origin.config}/${key}`, message: `${key} is zkgen's to write: set it with ${managed[1]}` }] : [];
      }),
  },
  'The image tag was published': {
    severity: 'error',
    problems: (e) => (e.release.unpublished ? [{ pointer: e.origin.image, message: e.release.unpublished }] : []),
  },
  'The image can express the ensemble': {
    severity: 'error',
    problems: (e) => DIALECTS[e.dialect].inexpressible(e),
  },
  'An ensemble tolerates at least one failure': {
    severity: 'warning',
    problems: (e) => {
      const voters = participants(e);
      if (failuresThatLoseQuorum(voters) > 1) return [];
      const n = voters.length;
      const grouped = voters.some((m) => m.group !== undefined);
      const message = grouped
        ? 'these groups tolerate no failure: losing one participant can lose the quorum (more than half of the groups must each keep more than half of their weight); give each group 3 members or more'
        : n === 1
          ? e.members.length === 1
            ? '1 member runs standalone, not as an ensemble: no failure is tolerated; use at least 3'
            : '1 participant: losing it loses the quorum; use at least 3'
          : '2 participants tolerate no failure (losing either loses the quorum); use at least 3';
      return [{ pointer: e.origin.servers, message }];
    },
  },
  'Every participant adds to the failures tolerated': {
    severity: 'warning',
    problems: (e) => {
      const voters = participants(e);
      const tolerated = failuresThatLoseQuorum(voters) - 1;
      // No failure tolerated is the rule above's to say.
      if (tolerated < 1) return [];
      // A participant of no weight never counts; any other that adds nothing could go.
      const idle = voters.find((m) => m.weight !== 0 && failuresThatLoseQuorum(voters.filter((v) => v !== m)) - 1 === tolerated);
      if (!idle) return [];
      if (!voters.some((m) => m.group !== undefined)) {
        const noun = voters.length === e.members.length ? 'members' : 'participants';
        return [{ pointer: e.origin.servers, message: `${voters.length} ${noun} tolerate ${plural(tolerated, 'failure')}, no more than ${voters.length - 1} would: consider an odd number` }];
      }
      return [{ pointer: e.origin.servers, message: `these groups tolerate ${plural(tolerated, 'failure')}, no more than they would without ${idle.name}: consider an odd number of members per group` }];
    },
  },
  'Losing one machine keeps the quorum': {
    severity: 'warning',
    problems: (e) => {
      // One machine is the whole ensemble, which the size warnings already speak of; a
      // hierarchical quorum counts groups and weights, which this head count cannot judge.
      if (e.machines.length < 2 || e.members.some((m) => m.group !== undefined)) return [];
      const voters = participants(e);
      return e.machines.flatMap((machine) => {
        const here = voters.filter((m) => m.machine === machine);
        // Losing a machine is losing all its participants at once.
        const [first] = here;
        return first && here.length >= failuresThatLoseQuorum(voters)
          ? [
              {
                pointer: first.origin.machine,
                message: `${machine} runs ${here.length} of the ${plural(voters.length, 'participant')} (${here.map((m) => m.name).join(', ')}): losing that one machine loses the quorum; spread them so that no machine runs half or more`,
              },
            ]
          : [];
      });
    },
  },
  'The image can run TLS as asked': {
    severity: 'error',
    problems: (e) => {
      if (!e.tls) return [];
      // zkgen never writes a store's password into the bundle: ZooKeeper must read it from a file.
      const reason =
        DIALECTS[e.dialect].noTls ??
        (atLeast(e.release.zookeeper, 3, 8)
          ? undefined
          : `${e.image} runs ZooKeeper ${e.release.zookeeper.major}.${e.release.zookeeper.minor}, which cannot read the stores' passwords from files (ssl.*.passwordPath, ZooKeeper 3.8; Confluent Platform 7.6): passing them would put them in the bundle`);
      return reason ? [{ pointer: e.origin.tls, message: reason }] : [];
    },
  },
  'The image can reconfigure as asked': {
    severity: 'error',
    problems: (e) => {
      if (!e.reconfig) return [];
      const reason =
        DIALECTS[e.dialect].noReconfig ??
        (canReconfigure(e) ? undefined : `${e.image} runs ZooKeeper ${e.release.zookeeper.major}.${e.release.zookeeper.minor}, which has no dynamic reconfiguration (3.5.3 and later)`);
      return reason ? [{ pointer: e.origin.reconfig, message: reason }] : [];
    },
  },
  'Keys and secrets stay apart from data': {
    severity: 'error',
    // A member writes its data folders; the keys and secrets folders are read by members only.
    problems: (e) =>
      secretFolders(e).flatMap(({ folder, pointer, what }) =>
        e.members
          .filter((m) => DIALECTS[e.dialect].volumes(m, e).some(({ host, readOnly }) => !readOnly && (within(host, folder) || within(folder, host))))
          .map((m) => ({ pointer, message: `the ${what} ${quoted(folder)} and ${m.name}'s data folders overlap: a member would write where the keys are` })),
      ),
  },
  'A keys or secrets folder is no system folder': {
    severity: 'error',
    // tls.sh, auth.sh and super-user.sh run as root and chmod and chown the folder they are given,
    // and members mount it: the data folders' rule, for the same reasons.
    problems: (e) =>
      secretFolders(e).flatMap(({ folder, pointer, what }) => {
        const why = systemFolder(folder, 'tls.sh, auth.sh and super-user.sh chmod and chown their folder as root, and members mount it');
        return why === undefined ? [] : [{ pointer, message: `the ${what} ${quoted(folder)} ${why}` }];
      }),
  },
  'Keys and secrets folders stay apart from each other': {
    severity: 'error',
    // Each member mounts its own keys, the JAAS file's folder and the super user's server/ folder;
    // the CA's key and the super user's password are never mounted. In one folder, or one inside
    // another, a member's mount would hold what it must not read.
    problems: (e) => {
      const folders = secretFolders(e);
      return folders.flatMap((a, i) =>
        folders
          .slice(i + 1)
          .filter((b) => within(a.folder, b.folder) || within(b.folder, a.folder))
          .map((b) => ({
            pointer: b.pointer,
            message: `the ${b.what} ${quoted(b.folder)} and the ${a.what} ${quoted(a.folder)} overlap: members would mount what only the host may read (the CA's key, the super user's password); give each a folder of its own`,
          })),
      );
    },
  },
  'The image can authenticate as asked': {
    severity: 'error',
    problems: (e) => {
      const auth = e.auth;
      if (!auth) return [];
      const zk = e.release.zookeeper;
      const reasons = {
        quorum: DIALECTS[e.dialect].noAuth?.quorum,
        // Before 3.6 a client without credentials is let in whatever zoo.cfg says: refused here
        // rather than promised.
        client:
          DIALECTS[e.dialect].noAuth?.client ??
          (atLeast(zk, 3, 6) ? undefined : `${e.image} runs ZooKeeper ${zk.major}.${zk.minor}, which cannot refuse a client without credentials (sessionRequireClientSASLAuth, 3.6 and later)`),
      };
      return (['quorum', 'client'] as const).flatMap((kind) => {
        const reason = reasons[kind];
        return auth[kind] && reason !== undefined ? [{ pointer: `${e.origin.auth}/${kind}`, message: reason }] : [];
      });
    },
  },
  'With the plaintext client port closed, members are asked through the AdminServer': {
    severity: 'error',
    problems: (e) =>
      !plaintextClientOpen(e) && !e.adminServer
        ? [
            {
              pointer: e.origin.adminServer || e.origin.tls,
              message:
                'with client TLS and the plaintext client port closed, status.sh, rolling-restart.sh and the health checks ask each member through its AdminServer (on its own address): turn adminServer on, or keep tls.plaintextClientPort',
            },
          ]
        : [],
  },
  'config leaves client TLS to tls': {
    severity: 'error',
    problems: (e) =>
      e.tls?.client
        ? e.settings.config
            .filter(([key]) => ['secureClientPort', 'secureClientPortAddress', 'serverCnxnFactory'].includes(key))
            .map(([key]) => ({ pointer: `${e.origin.config}/${key}`, message: `${key} is zkgen's to write with tls.client: set the port with ports.secureClient` }))
        : [],
  },
  'Client ports listen only where the file says': {
    severity: 'warning',
    // "listen": "all" is the file saying so; without it, an image that cannot bind is told of.
    problems: (e) =>
      e.listen === 'own' && !DIALECTS[e.dialect].bindsOwnAddress
        ? [
            {
              pointer: e.origin.image,
              message: `${homeRepository(e.dialect)} cannot be told where to listen: each member's client port listens on every interface of its machine; say "listen": "all" to accept that, or use an image that can bind`,
            },
          ]
        : [],
  },
  'Secure client ports listen only where the file says': {
    severity: 'warning',
    problems: (e) => {
      const reason = DIALECTS[e.dialect].unboundSecureClient;
      return e.listen === 'own' && e.tls?.client && reason !== undefined
        ? [
            {
              pointer: `${e.origin.tls}/client`,
              message: `${reason}: each member's secure client port listens on every interface of its machine (a client still needs a certificate from the ensemble's CA); say "listen": "all" to accept that`,
            },
          ]
        : [];
    },
  },
  'An image reference pins a tag or a digest': {
    severity: 'warning',
    problems: (e) =>
      hasTagOrDigest(e.image)
        ? []
        : [{ pointer: e.origin.image, message: `${quoted(e.image)} names no tag or digest, so Docker runs whatever is latest when it pulls: pin a version` }],
  },
  'ACLs stay on': {
    severity: 'warning',
    // zkgen authorises reconfig through a super user; skipACL would open it, and every znode, to
    // anyone who reaches a client port. Said, never done silently.
    problems: (e) =>
      e.settings.config
        .filter(([key, value]) => key === 'skipACL' && /^(yes|true)$/i.test(value))
        .map(([key]) => ({
          pointer: `${e.origin.config}/${key}`,
          message: `skipACL turns every ACL off, the super user's too: anyone who reaches a client port can read and change every znode${e.reconfig ? ' and reconfigure the ensemble' : ''}`,
        })),
  },
  'tls and auth turn something on': {
    severity: 'warning',
    // resolve drops them: no tls.sh or auth.sh, no keys or secrets mounted or demanded.
    problems: (e) => [
      ...(e.origin.tls !== '' && !e.tls
        ? [{ pointer: e.origin.tls, message: 'tls turns nothing on (quorum, client and portUnification are all off): no TLS, so no tls.sh and no keys mounted' }]
        : []),
      ...(e.origin.auth !== '' && !e.auth
        ? [{ pointer: e.origin.auth, message: 'auth turns nothing on (quorum and client are both off): no SASL, so no auth.sh and no secrets mounted' }]
        : []),
    ],
  },
  'The image still gets updates': {
    severity: 'warning',
    problems: (e) => (e.release.frozen ? [{ pointer: e.origin.image, message: e.release.frozen }] : []),
  },
  'ZooKeeper 3.4 answers every four-letter word': {
    severity: 'warning',
    problems: (e) =>
      !atLeast(e.release.zookeeper, 3, 5) && e.settings.fourLetterWords.length > 1
        ? [{ pointer: '/fourLetterWords', message: `${e.image} runs ZooKeeper 3.4, which has no whitelist: fourLetterWords changes nothing` }]
        : [],
  },
};

// A value shared by several members (the ensemble's host, say) is one mistake, said once.
function unique(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.pointer}\n${p.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

export function checkRules(ensemble: Ensemble): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  for (const rule of Object.values(RULES)) (rule.severity === 'error' ? errors : warnings).push(...rule.problems(ensemble));
  return { errors: unique(errors), warnings: unique(warnings) };
}
