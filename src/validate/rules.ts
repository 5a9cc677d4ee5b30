// The named cross-field rules: what the schema cannot say about one value at a time. They judge
// the resolved model, because whether two ports clash is only known once defaults are applied;
// every problem still points into the ensemble file through each value's origin.
import { DIALECTS } from '../dialects/index.js';
import { PORT_KINDS, type Ensemble, type Member, type PortKind, type Problem } from '../model.js';

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

// Every loopback name is this machine, and under host networking a client port is bound on every
// interface of it: members at localhost, 127.0.0.1 and 127.0.0.2 share one set of ports.
function machineOf(host: string): string {
  const h = host.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) ? 'localhost' : h;
}

const voters = (e: Ensemble) => e.members.length;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

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
          message: '0.0.0.0 cannot be a member\'s address: peers and clients must reach it there; give the address they use',
        })),
  },
  {
    name: 'Every port lies in 1..65535',
    severity: 'error',
    check: (e) =>
      e.members.flatMap((m) =>
        PORT_KINDS.filter((k) => m.ports[k] > 65535).map((k) => ({
          pointer: m.origin.ports[k],
          message: `${m.name}'s ${k} port would be ${m.ports[k]}, above 65535`,
        })),
      ),
  },
  {
    name: 'No two ports collide on one host',
    severity: 'error',
    check: (e) => {
      const taken = new Map<string, { member: Member; kind: PortKind }>();
      const problems: Problem[] = [];
      for (const member of e.members) {
        for (const kind of PORT_KINDS) {
          const port = member.ports[kind];
          const key = `${machineOf(member.host)} ${port}`;
          const holder = taken.get(key);
          if (!holder) {
            taken.set(key, { member, kind });
            continue;
          }
          const whose = holder.member === member ? `its own ${holder.kind} port` : `${holder.member.name}'s ${holder.kind} port`;
          problems.push({
            pointer: member.origin.ports[kind],
            message: `${member.name}'s ${kind} port ${port} is also ${whose} on ${member.host}`,
          });
        }
      }
      return problems;
    },
  },
  {
    name: 'The image can be told about every member',
    severity: 'error',
    check: (e) => {
      const dialect = DIALECTS[e.dialect];
      return e.members.length > dialect.maxMembers
        ? [
            {
              pointer: '/servers',
              message: `${e.members.length} members, but ${e.image} takes at most ${dialect.maxMembers}: ${dialect.maxMembersReason}`,
            },
          ]
        : [];
    },
  },
  {
    name: 'An ensemble of fewer than 3 members tolerates no failure',
    severity: 'warning',
    check: (e) =>
      voters(e) === 1
        ? [{ pointer: '/servers', message: '1 member runs standalone, not as an ensemble: no failure is tolerated; use at least 3' }]
        : voters(e) === 2
          ? [{ pointer: '/servers', message: '2 members tolerate no failure (losing either loses the quorum); use at least 3' }]
          : [],
  },
  {
    name: 'An even number of members tolerates no more failures than one fewer',
    severity: 'warning',
    check: (e) =>
      voters(e) >= 4 && voters(e) % 2 === 0
        ? [
            {
              pointer: '/servers',
              message: `${voters(e)} members tolerate ${plural(voters(e) / 2 - 1, 'failure')}, no more than ${voters(e) - 1} would: consider an odd number`,
            },
          ]
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
