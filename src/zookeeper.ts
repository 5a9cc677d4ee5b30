// ZooKeeper's own configuration vocabulary, shared by every image dialect: what a member's zoo.cfg
// must say, whichever way an image is told to say it.
import type { Ensemble, Member } from './model.js';

export type Setting = readonly [string, string];

const PROMETHEUS_PROVIDER = 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider';

/**
 * A member's line in every member's zoo.cfg. ZooKeeper 3.4 knows only `host:peer:election[:role]`;
 * 3.5+ appends `;[clientAddress:]clientPort` (src/security.ts's clientEndpoint), which 3.4.6
 * refuses to parse: the member's own line's address is where its client port listens (every
 * interface without one), and a line without it opens no plaintext client port.
 */
export function serverLine(member: Pick<Member, 'id' | 'host' | 'role' | 'ports'>, style: '3.4' | '3.5', client?: string): Setting {
  const address = serverAddress(member);
  return [`server.${member.id}`, style === '3.4' || client === undefined ? address : `${address};${client}`];
}

/** host:peer:election[:observer]: a server line without its client endpoint, the form bitnami and confluent take in their server lists. */
export function serverAddress(member: Pick<Member, 'host' | 'role' | 'ports'>): string {
  return `${member.host}:${member.ports.peer}:${member.ports.election}${member.role === 'observer' ? ':observer' : ''}`;
}

/** An observer's own line: 3.4 needs it, and 3.5+ reads it beside the server line's `:observer`. */
export function observerSettings(member: Member): Setting[] {
  return member.role === 'observer' ? [['peerType', 'observer']] : [];
}

/** 4lw.commands.whitelist's value. */
export function fourLetterWords(ensemble: Ensemble): string {
  return ensemble.settings.fourLetterWords.join(',');
}

/** Hierarchical quorums: group.N=id:id:… in group order, then weight.<id> for every grouped member. */
export function quorumGroups(ensemble: Ensemble): Setting[] {
  const grouped = ensemble.members.filter((m) => m.group !== undefined);
  if (grouped.length === 0) return [];
  const groups = [...new Set(grouped.flatMap((m) => (m.group === undefined ? [] : [m.group])))].sort((a, b) => a - b);
  return [
    ...groups.map((g): Setting => [`group.${g}`, grouped.filter((m) => m.group === g).map((m) => m.id).join(':')]),
    ...grouped.map((m): Setting => [`weight.${m.id}`, String(m.weight ?? 1)]),
  ];
}

/**
 * Autopurge where zkgen sets ZooKeeper's settings (every image but the tutorial's, whose output
 * stays the tutorial's): ZooKeeper and the images leave it off, and the data folders then grow
 * until the disk is full. Three snapshots (ZooKeeper's minimum) and the logs they need are kept;
 * purging hourly bounds what piles up to an hour of writes past them, and a purge only lists and
 * deletes files. backup.sh needs only the newest snapshot and the logs from it on. The ensemble
 * file's `autopurge` overrides either value; `"purgeInterval": 0` turns purging off.
 */
const AUTOPURGE = { snapRetainCount: 3, purgeInterval: 1 } as const;

/** A member's autopurge settings with zkgen's defaults filled in, as the dialects that set them write them. */
export function autopurgeOf(ensemble: Ensemble): { snapRetainCount: number; purgeInterval: number } {
  const s = ensemble.settings;
  return { snapRetainCount: s.autopurgeSnapRetainCount ?? AUTOPURGE.snapRetainCount, purgeInterval: s.autopurgePurgeInterval ?? AUTOPURGE.purgeInterval };
}

/** The settings of ensemble-wide fields, in zoo.cfg's usual order; absent fields are left out. */
export function sharedSettings(ensemble: Ensemble): Setting[] {
  const s = ensemble.settings;
  const lines: Array<[string, number | undefined]> = [
    ['tickTime', s.tickTime],
    ['initLimit', s.initLimit],
    ['syncLimit', s.syncLimit],
    ['maxClientCnxns', s.maxClientCnxns],
    ['autopurge.snapRetainCount', s.autopurgeSnapRetainCount],
    ['autopurge.purgeInterval', s.autopurgePurgeInterval],
  ];
  return lines.filter((l): l is [string, number] => l[1] !== undefined).map(([k, v]) => [k, String(v)]);
}

/** The Prometheus provider's settings of one member, when metrics are on (3.5+ only). */
export function metricsSettings(member: Member): Setting[] {
  return member.ports.metrics === undefined
    ? []
    : [
        ['metricsProvider.className', PROMETHEUS_PROVIDER],
        ['metricsProvider.httpPort', String(member.ports.metrics)],
      ];
}

/** The keys zkgen writes from fields of its own: `config` may not set them behind those fields' backs. */
export const MANAGED_KEYS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^server\.\d+$/, 'servers'],
  [/^(clientPort|clientPortAddress)$/, 'ports.client'],
  [/^(dataDir|dataLogDir)$/, 'dataRoot or dataDir'],
  [/^(tickTime|initLimit|syncLimit|maxClientCnxns)$/, 'the field of the same name'],
  [/^autopurge\./, 'autopurge'],
  [/^4lw\.commands\.whitelist$/, 'fourLetterWords'],
  [/^admin\.(enableServer|serverPort)$/, 'adminServer and ports.admin'],
  [/^admin\.serverAddress$/, 'listen'],
  [/^quorum\.auth\.|^(authProvider\.sasl|sessionRequireClientSASLAuth)$|^enforce\.auth\./, 'auth'],
  [/^(sslQuorum|portUnification)$|^ssl\.(quorum\.)?(keyStore\.|trustStore\.|hostnameVerification$)/, 'tls'],
  [/^metricsProvider\./, 'metrics and ports.metrics'],
  [/^peerType$/, 'role'],
  [/^(group|weight)\.\d+$/, 'group and weight'],
  [/^standaloneEnabled$/, 'servers and reconfig'],
  [/^(reconfigEnabled|dynamicConfigFile)$/, 'reconfig'],
];

/**
 * `config` keys whose value is a port each member binds on every interface: they take part in the
 * port clash rule like the ports zkgen lays out. (admin.serverPort and metricsProvider.* are
 * zkgen's own, see MANAGED_KEYS.)
 */
export const CONFIG_PORT_KEYS: readonly string[] = ['secureClientPort'];

/**
 * The fewest participant failures that lose the quorum. Without groups, a majority of heads must
 * stay. With groups (QuorumHierarchical), more than half of the groups must each keep more than
 * half of their weight: a group is lost by failing its heaviest members first, and the quorum by
 * losing the cheapest groups until no more than half of them are left.
 */
export function failuresThatLoseQuorum(voters: ReadonlyArray<{ readonly group?: number; readonly weight?: number }>): number {
  if (!voters.some((v) => v.group !== undefined)) return voters.length - Math.floor(voters.length / 2);
  const groups = new Map<number, number[]>();
  for (const v of voters) groups.set(v.group ?? 0, [...(groups.get(v.group ?? 0) ?? []), v.weight ?? 1]);
  const costs: number[] = [];
  for (const weights of groups.values()) {
    const total = weights.reduce((a, b) => a + b, 0);
    if (total === 0) continue; // a group of no weight counts for nothing (and is refused by a rule)
    let left = total;
    let failed = 0;
    for (const w of [...weights].sort((a, b) => b - a)) {
      if (2 * left <= total) break;
      left -= w;
      failed++;
    }
    costs.push(failed);
  }
  const mustLose = costs.length - Math.floor(costs.length / 2);
  return costs.sort((a, b) => a - b).slice(0, mustLose).reduce((a, b) => a + b, 0);
}

/** The JVM option that sets the heap, as -Xmx takes it. */
export const heapFlag = (heap: string) => `-Xmx${heap}`;

/** A heap size in MiB, for images that take a number (bitnami's ZOO_HEAP_SIZE). */
export function heapMegabytes(heap: string): number {
  const n = Number(heap.slice(0, -1));
  return /g$/i.test(heap) ? n * 1024 : n;
}
