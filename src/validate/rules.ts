// The named cross-field rules: what the schema cannot say about one value at a time. They judge
// the resolved model, because whether two ports clash is only known once defaults are applied;
// every problem still points into the ensemble file through each value's origin.
import { DIALECTS } from '../dialects/index.js';
import { atLeast, hasTagOrDigest } from '../images.js';
import { PORT_KINDS, PREPARE_SERVICE, type Ensemble, type Member, type PortKind, type Problem } from '../model.js';
import { MANAGED_KEYS } from '../zookeeper.js';

export interface Rule {
  /** What must hold, said as ZooKeeper or Docker would have it. */
  readonly name: string;
  readonly severity: 'error' | 'warning';
  check(ensemble: Ensemble): Problem[];
}

function duplicates<K>(members: readonly Member[], key: (m: Member) => K): Array<[Member, Member]> {
  const first = new Map<K, Member>();
  const pairs: Array<[Member, Member]> = [];
  for (const m of members) {
    const k = key(m);
    const seen = first.get(k);
    if (seen) pairs.push([seen, m]);
    else first.set(k, m);
  }
  return pairs;
}

const isLoopback = (h: string) => h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h);
// Every loopback address is this machine; members elsewhere are told apart by name.
const machineOf = (host: string) => (isLoopback(host.toLowerCase()) ? 'this machine' : host.toLowerCase());
// localhost is 127.0.0.1 to the JVM: one address under two names.
const addressOf = (host: string) => (/^localhost$|\.localhost$/i.test(host) ? '127.0.0.1' : host.toLowerCase());

const participants = (e: Ensemble) => e.members.filter((m) => m.role === 'participant');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Where a member's port is bound: peer and election ports on the member's own address (ZooKeeper
 * binds the server line's address), client, AdminServer and metrics ports on every interface.
 */
const bindsOwnAddress = (kind: PortKind) => kind === 'peer' || kind === 'election';

export const RULES: readonly Rule[] = [
  {
    name: 'Member ids are unique',
    severity: 'error',
    check: (e) =>
      duplicates(e.members, (m) => m.id).map(([a, b]) => ({
        pointer: b.origin.id,
        message: `id ${b.id} is also ${a.name}'s: each member's myid must be its own`,
      })),
  },
  {
    name: 'Member names are unique',
    severity: 'error',
    check: (e) =>
      duplicates(e.members, (m) => m.name)
        // Two members of one id get one default name; the id is the one mistake.
        .filter(([a, b]) => a.id !== b.id || b.origin.name.endsWith('/name'))
        .map(([a, b]) => ({
          pointer: b.origin.name,
          message: `name "${b.name}" is also member ${a.id}'s: container names must differ`,
        })),
  },
  {
    name: 'No member takes the name of the step that prepares the data folders',
    severity: 'error',
    check: (e) =>
      DIALECTS[e.dialect].dataOwner === undefined
        ? []
        : e.members
            .filter((m) => m.name === PREPARE_SERVICE)
            .map((m) => ({
              pointer: m.origin.name,
              message: `"${PREPARE_SERVICE}" is the compose service that gives the data folders to the image's user before the members start: name the member otherwise`,
            })),
  },
  {
    name: 'Members keep their data apart',
    severity: 'error',
    check: (e) =>
      duplicates(e.members, (m) => m.dataDir.replace(/\/+$/, ''))
        // Two members of one name share their default folder too; the name is the one mistake.
        .filter(([a, b]) => a.name !== b.name)
        .map(([a, b]) => ({
          pointer: b.origin.dataDir,
          message: `data folder ${b.dataDir} is also ${a.name}'s: two members cannot share a dataDir`,
        })),
  },
  {
    name: 'A member is never addressed as 0.0.0.0',
    severity: 'error',
    check: (e) =>
      e.members
        .filter((m) => m.host === '0.0.0.0')
        .map((m) => ({
          pointer: m.origin.host,
          message: "0.0.0.0 cannot be a member's address: peers and clients must reach it there; give the address they use",
        })),
  },
  {
    name: 'Every port lies in 1..65535',
    severity: 'error',
    check: (e) =>
      e.members.flatMap((m) =>
        PORT_KINDS.filter((k) => (m.ports[k] ?? 0) > 65535).map((k) => ({
          pointer: m.origin.ports[k],
          message: `${m.name}'s ${k} port would be ${m.ports[k]}, above 65535`,
        })),
      ),
  },
  {
    name: 'No two ports collide on one host',
    severity: 'error',
    check: (e) => {
      const taken: Array<{ member: Member; kind: PortKind; machine: string; address?: string; port: number }> = [];
      const problems: Problem[] = [];
      for (const member of e.members) {
        for (const kind of PORT_KINDS) {
          const port = member.ports[kind];
          if (port === undefined) continue;
          const mine = { member, kind, machine: machineOf(member.host), port, ...(bindsOwnAddress(kind) && { address: addressOf(member.host) }) };
          const holder = taken.find(
            (t) => t.port === port && t.machine === mine.machine && (t.address === undefined || mine.address === undefined || t.address === mine.address),
          );
          taken.push(mine);
          if (!holder) continue;
          const whose = holder.member === member ? `its own ${holder.kind} port` : `${holder.member.name}'s ${holder.kind} port`;
          // Point at the port the file sets, if one of the two is set rather than laid out.
          const given = (p: string) => p.includes('/ports/');
          const at = given(member.origin.ports[kind]) || !given(holder.member.origin.ports[holder.kind]) ? member.origin.ports[kind] : holder.member.origin.ports[holder.kind];
          problems.push({
            pointer: at,
            message: `${member.name}'s ${kind} port ${port} is also ${whose} on ${member.host}`,
          });
        }
      }
      return problems;
    },
  },
  {
    name: 'AdminServer and metrics ports belong to servers that are on',
    severity: 'error',
    check: (e) => {
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
  {
    name: 'An ensemble has at least one participant',
    severity: 'error',
    check: (e) =>
      participants(e).length === 0
        ? [{ pointer: e.origin.servers, message: 'every member is an observer: observers only follow participants, and at least one must vote' }]
        : [],
  },
  {
    name: 'A hierarchical quorum groups every participant and only participants',
    severity: 'error',
    check: (e) => {
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
        if (weight === 0) {
          const first = e.members.find((m) => m.group === group)!;
          problems.push({ pointer: first.origin.group, message: `group ${group} weighs nothing: a group's members must together carry some weight` });
        }
      }
      return problems;
    },
  },
  {
    name: 'config sets only keys no field of zkgen sets',
    severity: 'error',
    check: (e) =>
      e.settings.config.flatMap(([key]) => {
        const managed = MANAGED_KEYS.find(([pattern]) => pattern.test(key));
        return managed ? [{ pointer: `${e.origin.config}/${key}`, message: `${key} is zkgen's to write: set it with ${managed[1]}` }] : [];
      }),
  },
  {
    name: 'The image tag was published',
    severity: 'error',
    check: (e) => (e.release.unpublished ? [{ pointer: e.origin.image, message: e.release.unpublished }] : []),
  },
  {
    name: 'The image can express the ensemble',
    severity: 'error',
    check: (e) => DIALECTS[e.dialect].check(e),
  },
  {
    name: 'An ensemble of fewer than 3 participants tolerates no failure',
    severity: 'warning',
    check: (e) => {
      const n = participants(e).length;
      return n === 1
        ? [
            {
              pointer: e.origin.servers,
              message: e.members.length === 1 ? '1 member runs standalone, not as an ensemble: no failure is tolerated; use at least 3' : '1 participant: losing it loses the quorum; use at least 3',
            },
          ]
        : n === 2
          ? [{ pointer: e.origin.servers, message: '2 participants tolerate no failure (losing either loses the quorum); use at least 3' }]
          : [];
    },
  },
  {
    name: 'An even number of participants tolerates no more failures than one fewer',
    severity: 'warning',
    check: (e) => {
      const n = participants(e).length;
      const noun = n === e.members.length ? 'members' : 'participants';
      // A hierarchical quorum counts groups and weights, not heads.
      const grouped = e.members.some((m) => m.group !== undefined);
      return !grouped && n >= 4 && n % 2 === 0
        ? [{ pointer: e.origin.servers, message: `${n} ${noun} tolerate ${plural(n / 2 - 1, 'failure')}, no more than ${n - 1} would: consider an odd number` }]
        : [];
    },
  },
  {
    name: 'An image reference pins a tag or a digest',
    severity: 'warning',
    check: (e) =>
      hasTagOrDigest(e.image)
        ? []
        : [{ pointer: e.origin.image, message: `"${e.image}" names no tag or digest, so Docker runs whatever is latest when it pulls: pin a version` }],
  },
  {
    name: 'The image still gets updates',
    severity: 'warning',
    check: (e) => (e.release.frozen ? [{ pointer: e.origin.image, message: e.release.frozen }] : []),
  },
  {
    name: 'ZooKeeper 3.4 answers every four-letter word',
    severity: 'warning',
    check: (e) =>
      !atLeast(e.release.zookeeper, 3, 5) && e.settings.fourLetterWords.length > 1
        ? [{ pointer: '/fourLetterWords', message: `${e.image} runs ZooKeeper 3.4, which has no whitelist: fourLetterWords changes nothing` }]
        : [],
  },
];

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
  for (const rule of RULES) (rule.severity === 'error' ? errors : warnings).push(...rule.check(ensemble));
  return { errors: unique(errors), warnings: unique(warnings) };
}
