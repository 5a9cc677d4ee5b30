// Prometheus monitoring of an ensemble with `"metrics": true` (the bundle's monitoring/): where each
// member's metrics are scraped and under which labels, the alert rules for what loses an ensemble,
// and promtool tests showing each rule fire on the series that should fire it and stay silent on a
// healthy ensemble's. Everything is computed here; the templates place and quote.
//
// Metric names are those ZooKeeper's Prometheus provider exports (zookeeper-prometheus-metrics'
// PrometheusMetricsProvider, ZooKeeper 3.6.0 to 3.9.x, the releases zkgen runs with metrics):
// gauges under the names ZooKeeperServer registers on every serving member (avg_latency,
// outstanding_requests, open_file_descriptor_count, max_file_descriptor_count,
// approximate_data_size, last_client_response_size) and LeaderZooKeeperServer on the leader alone
// (leader_uptime, synced_followers, last_proposal_size), and ServerMetrics' summaries as
// <name>_count and <name>_sum (election_time, fsynctime). Prometheus' own `up` says whether a
// member answered its scrape.
import type { Ensemble, Member } from './model.js';
import { connectStringOf, probeAddress } from './security.js';
import { failuresThatLoseQuorum } from './zookeeper.js';

/** The bundle's monitoring/ files, said once for the renderers and the files that name each other. */
export const MONITORING_FILES = Object.freeze({
  config: 'prometheus.yml',
  targets: 'zookeeper-targets.yml',
  rules: 'zookeeper-rules.yml',
  tests: 'zookeeper-rules.test.yml',
});

const JOB = 'zookeeper';
const SCRAPE_INTERVAL = '15s';

// Thresholds. ZooKeeper's monitoring guide (zookeeperMonitor.md, "Alerting with Prometheus",
// 3.8+) gives avg_latency > 100 ms, rate(fsynctime_sum[1m]) > 100, approximate_data_size > 1 GiB,
// increase(election_time_count[5m]) > 0, up == 0, each for 1m. Outstanding requests: the warning
// level of ZooKeeper's own Nagios checks (zookeeper-contrib-monitoring). Open files: the guide's
// 300 is a count, not a share of the limit; 80% is its level for a filling JVM heap.
// jute.maxbuffer: 0xfffff bytes unless set (zookeeperAdmin.md); a packet over it fails with
// "Len error" or "Packet len is out of range".
const FOR = '1m';
const MAX_AVG_LATENCY_MS = 100;
const MAX_FSYNC_MS_PER_SECOND = 100;
const MAX_OUTSTANDING_REQUESTS = 20;
const MAX_OPEN_FILES_SHARE = 0.8;
const MAX_DATA_SIZE = 1024 * 1024 * 1024;
const JUTE_MAXBUFFER = 0xfffff;
const MAX_PACKET = Math.floor(JUTE_MAXBUFFER * 0.8);
const ELECTION_WINDOW = '5m';

type Labels = ReadonlyArray<readonly [string, string]>;
interface KeyValue {
  readonly key: string;
  readonly value: string;
}
const keyValues = (labels: Labels): KeyValue[] => labels.map(([key, value]) => ({ key, value }));

/** The `ensemble` label: the connect string, which no other ensemble shares and clients know it by. */
const ensembleLabel = (ensemble: Ensemble): string => connectStringOf(ensemble);

/** A member as Prometheus scrapes it: its metrics address and its labels. */
interface Target {
  readonly member: Member;
  readonly address: string;
  readonly labels: Labels;
}

function targetsOf(ensemble: Ensemble): Target[] {
  return ensemble.members.flatMap((member) =>
    member.ports.metrics === undefined
      ? []
      : [
          {
            member,
            // Where the provider listens: the member's own address (metricsProvider.httpHost), which
            // also reaches a provider listening on every interface.
            address: `${probeAddress(member)}:${member.ports.metrics}`,
            labels: [
              ['ensemble', ensembleLabel(ensemble)],
              ['member', member.name],
              ['machine', member.machine],
              ['role', member.role],
            ] as const,
          },
        ],
  );
}

/** What monitoring/zookeeper-targets.yml places: one file_sd entry per member. */
export function targetsView(ensemble: Ensemble) {
  return { targets: targetsOf(ensemble).map((t) => ({ address: t.address, labels: keyValues(t.labels) })) };
}

/** What monitoring/prometheus.yml places: the one job, its targets file, the rules file. */
export function prometheusView() {
  return { job: JOB, interval: SCRAPE_INTERVAL, rules: MONITORING_FILES.rules, targets: MONITORING_FILES.targets };
}

/** A PromQL string literal. */
const promString = (text: string) => JSON.stringify(text);

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
  /** One line for whoever is on call; `{{ .Labels.x }}` is the alert's label x. */
  readonly description: string;
}

/** The facts the rules depend on, computed once from the ensemble. */
interface Shape {
  readonly selector: string;
  readonly participants: readonly Member[];
  /** Whether members elect a leader (a lone member without reconfiguration runs standalone). */
  readonly quorum: boolean;
  /** How many more participant failures the whole ensemble tolerates; 0: every failure loses it. */
  readonly tolerated: number;
}

function shapeOf(ensemble: Ensemble): Shape {
  const participants = ensemble.members.filter((m) => m.role === 'participant');
  return {
    selector: `ensemble=${promString(ensembleLabel(ensemble))}`,
    participants,
    quorum: ensemble.members.length > 1 || ensemble.reconfig !== undefined,
    tolerated: failuresThatLoseQuorum(participants) - 1,
  };
}

/** The alert rules of this ensemble: the member rules always, the leader and quorum rules when they can fire. */
function rulesOf(shape: Shape): Rule[] {
  const { selector, participants, quorum, tolerated } = shape;
  const others = participants.length - 1;
  const member = (metric: string) => `${metric}{${selector}}`;
  return [
    {
      alert: 'ZooKeeperMemberDown',
      expr: `${member('up')} == 0`,
      for: FOR,
      severity: 'critical',
      summary: 'ZooKeeper member {{ .Labels.member }} is down',
      description:
        '{{ .Labels.member }} on {{ .Labels.machine }} has not answered Prometheus for a minute: its container or machine is down or its metrics port unreachable; check it with status.sh and start it again.',
    },
    ...(quorum
      ? [
          {
            alert: 'ZooKeeperNoLeader',
            expr: `absent(${member('leader_uptime')})`,
            for: FOR,
            severity: 'critical',
            summary: 'The ZooKeeper ensemble has no leader',
            description:
              'No member has led the ensemble for a minute, so it serves no client: check that a majority of participants run and reach each other on their peer and election ports.',
          } as const,
        ]
      : []),
    // Two can lead only where two may: with a second participant.
    ...(quorum && others > 0
      ? [
          {
            alert: 'ZooKeeperSeveralLeaders',
            expr: `count by (ensemble) (${member('leader_uptime')}) > 1`,
            for: FOR,
            severity: 'critical',
            summary: 'More than one ZooKeeper member says it leads',
            description:
              'Several members have said they lead for a minute (a network split, or a member that missed an election): find them with status.sh and restart the one the others do not follow.',
          } as const,
          {
            alert: 'ZooKeeperFollowersOutOfSync',
            expr: `${member('synced_followers')} < ${others}`,
            for: FOR,
            severity: 'warning',
            summary: 'The ZooKeeper leader has followers out of sync',
            description: `The leader {{ .Labels.member }} has had fewer than its ${others} other participants in sync for a minute: one is down or cannot keep up, and the quorum has less margin than it should.`,
          } as const,
        ]
      : []),
    ...(quorum && tolerated > 0
      ? [
          {
            alert: 'ZooKeeperQuorumAtRisk',
            // Participants that do not answer, or that the leader does not count as in sync.
            expr:
              `count by (ensemble) (up{${selector},role="participant"} == 0) >= ${tolerated}` +
              ` or max by (ensemble) (${member('synced_followers')}) <= ${others - tolerated}`,
            for: FOR,
            severity: 'critical',
            summary: 'The ZooKeeper ensemble is one failure away from losing its quorum',
            description: `${tolerated} of the ${participants.length} participants are down or out of sync: one more failure and the ensemble stops serving; bring them back before anything else.`,
          } as const,
        ]
      : []),
    {
      alert: 'ZooKeeperElection',
      expr: `increase(${member('election_time_count')}[${ELECTION_WINDOW}]) > 0`,
      for: FOR,
      severity: 'warning',
      summary: 'A ZooKeeper leader election took place',
      description: `{{ .Labels.member }} went through a leader election in the last ${ELECTION_WINDOW.replace('m', ' minutes')}, during which the ensemble served no client; repeated elections mean unstable members or network.`,
    },
    {
      alert: 'ZooKeeperOutstandingRequests',
      expr: `${member('outstanding_requests')} > ${MAX_OUTSTANDING_REQUESTS}`,
      for: FOR,
      severity: 'warning',
      summary: 'ZooKeeper member {{ .Labels.member }} is falling behind its clients',
      description: `{{ .Labels.member }} has had more than ${MAX_OUTSTANDING_REQUESTS} requests waiting for a minute: it does not keep up (slow disk, long GC pauses, or too much load).`,
    },
    {
      alert: 'ZooKeeperHighLatency',
      expr: `${member('avg_latency')} > ${MAX_AVG_LATENCY_MS}`,
      for: FOR,
      severity: 'warning',
      summary: 'ZooKeeper member {{ .Labels.member }} answers slowly',
      description: `{{ .Labels.member }} has answered in more than ${MAX_AVG_LATENCY_MS} ms on average for a minute: clients wait, and their sessions may expire.`,
    },
    {
      alert: 'ZooKeeperSlowFsync',
      expr: `rate(${member('fsynctime_sum')}[1m]) > ${MAX_FSYNC_MS_PER_SECOND}`,
      for: FOR,
      severity: 'warning',
      summary: 'ZooKeeper member {{ .Labels.member }} writes its log slowly',
      description: `{{ .Labels.member }} has spent more than ${MAX_FSYNC_MS_PER_SECOND} ms a second syncing its transaction log to disk for a minute: its disk is slow or shared, and every write of the ensemble waits.`,
    },
    {
      alert: 'ZooKeeperOpenFilesNearLimit',
      expr: `${member('open_file_descriptor_count')} / ${member('max_file_descriptor_count')} > ${MAX_OPEN_FILES_SHARE}`,
      for: FOR,
      severity: 'warning',
      summary: 'ZooKeeper member {{ .Labels.member }} is running out of file descriptors',
      description: `{{ .Labels.member }} has had more than ${MAX_OPEN_FILES_SHARE * 100}% of its open file limit in use for a minute: at the limit it refuses new client connections.`,
    },
    {
      alert: 'ZooKeeperDataSizeLarge',
      expr: `${member('approximate_data_size')} > ${MAX_DATA_SIZE}`,
      for: FOR,
      severity: 'warning',
      summary: 'ZooKeeper member {{ .Labels.member }} holds a lot of data',
      description:
        '{{ .Labels.member }} holds more than 1 GiB of znode data: snapshots, restarts and syncing followers get slow; ZooKeeper is meant for kilobytes per znode.',
    },
    {
      alert: 'ZooKeeperPacketNearMaxBuffer',
      expr: `${member('last_client_response_size')} > ${MAX_PACKET} or ${member('last_proposal_size')} > ${MAX_PACKET}`,
      for: FOR,
      severity: 'warning',
      summary: 'ZooKeeper member {{ .Labels.member }} handles packets close to jute.maxbuffer',
      description: `{{ .Labels.member }} answered or proposed a packet over 80% of jute.maxbuffer (${JUTE_MAXBUFFER} bytes): a slightly larger one fails with "Len error" or "Packet len is out of range".`,
    },
  ];
}

/** What monitoring/zookeeper-rules.yml places. */
export function rulesView(ensemble: Ensemble) {
  const rules = rulesOf(shapeOf(ensemble));
  for (const rule of rules) {
    // The yaml helper writes `$` as `$$` (compose's escape), which Prometheus would keep.
    if (Object.values(rule).some((v: string) => v.includes('$'))) throw new Error(`zkgen bug: ${rule.alert} has a '$'`);
  }
  return { group: 'zookeeper', rules: rules.map((r) => ({ ...r, forDuration: r.for })) };
}

// --- promtool tests -------------------------------------------------------------------------------

/** One input series of a test: a metric of one member (or of none), and its values, as promtool writes them. */
interface Series {
  readonly metric: string;
  readonly target: Target;
  readonly values: string;
}

/** A test: the series, and for each rule whether it fires (on which target or with which labels) at `at`. */
interface Scenario {
  readonly name: string;
  readonly series: readonly Series[];
  readonly at: string;
  readonly alert: string;
  /** The label sets the alert fires with; none: it stays silent. */
  readonly fires: readonly Labels[];
}

const STEPS = 40; // 10 minutes of 15 s samples
const constant = (value: number) => `${value}x${STEPS}`;
const growing = (by: number) => `0+${by}x${STEPS}`;

/** A healthy ensemble's series: every member up and quick, the first participant leading with all others in sync. */
function healthySeries(targets: readonly Target[], shape: Shape): Series[] {
  const leader = shape.quorum ? targets.find((t) => t.member.role === 'participant') : undefined;
  return targets.flatMap((target) => [
    { metric: 'up', target, values: constant(1) },
    { metric: 'avg_latency', target, values: constant(1) },
    { metric: 'outstanding_requests', target, values: constant(0) },
    { metric: 'fsynctime_sum', target, values: growing(15) },
    { metric: 'election_time_count', target, values: constant(1) },
    { metric: 'open_file_descriptor_count', target, values: constant(100) },
    { metric: 'max_file_descriptor_count', target, values: constant(1048576) },
    { metric: 'approximate_data_size', target, values: constant(10000) },
    { metric: 'last_client_response_size', target, values: constant(100) },
    ...(target === leader
      ? [
          { metric: 'leader_uptime', target, values: growing(15000) },
          { metric: 'synced_followers', target, values: constant(shape.participants.length - 1) },
          { metric: 'last_proposal_size', target, values: constant(100) },
        ]
      : []),
  ]);
}

const withValues = (series: readonly Series[], metric: string, targets: readonly Target[], values: string): Series[] =>
  series.map((s) => (s.metric === metric && targets.includes(s.target) ? { ...s, values } : s));

function scenariosOf(ensemble: Ensemble, shape: Shape, rules: readonly Rule[]): Scenario[] {
  const targets = targetsOf(ensemble);
  const healthy = healthySeries(targets, shape);
  const leader = healthy.find((s) => s.metric === 'leader_uptime')?.target;
  // The member that fails: the last one, on another machine than the leader when there are several.
  const victim = targets[targets.length - 1];
  if (!victim) throw new Error('zkgen bug: monitoring without members');
  const group: Labels = [['ensemble', ensembleLabel(ensemble)]];
  const of = (t: Target): Labels => [...t.labels, ['instance', t.address], ['job', JOB]];
  // Each alert of one member, and the series of the victim that fires it.
  const onVictim = (name: string, metric: string, values: string, alert: string, at = '5m'): Scenario => ({
    name,
    series: withValues(healthy, metric, [victim], values),
    at,
    alert,
    fires: [of(victim)],
  });
  const scenarios: Scenario[] = [
    onVictim('a member that does not answer is down', 'up', constant(0), 'ZooKeeperMemberDown'),
    onVictim('an election in the last minutes', 'election_time_count', `1x${STEPS / 2} 2x${STEPS / 2}`, 'ZooKeeperElection', '7m'),
    onVictim('outstanding requests past the threshold', 'outstanding_requests', constant(MAX_OUTSTANDING_REQUESTS + 1), 'ZooKeeperOutstandingRequests'),
    onVictim('average latency past the threshold', 'avg_latency', constant(MAX_AVG_LATENCY_MS + 1), 'ZooKeeperHighLatency'),
    // 15 s between samples: (MAX + 1) ms a second.
    onVictim('fsync time past the threshold', 'fsynctime_sum', growing((MAX_FSYNC_MS_PER_SECOND + 1) * 15), 'ZooKeeperSlowFsync'),
    onVictim(
      'open file descriptors near the limit',
      'open_file_descriptor_count',
      constant(Math.ceil(1048576 * MAX_OPEN_FILES_SHARE) + 1),
      'ZooKeeperOpenFilesNearLimit',
    ),
    onVictim('data size past the threshold', 'approximate_data_size', constant(MAX_DATA_SIZE + 1), 'ZooKeeperDataSizeLarge'),
    onVictim('a response close to jute.maxbuffer', 'last_client_response_size', constant(MAX_PACKET + 1), 'ZooKeeperPacketNearMaxBuffer'),
  ];
  if (leader) {
    const others = shape.participants.length - 1;
    const second = targets.find((t) => t !== leader && t.member.role === 'participant');
    scenarios.push({
      name: 'no member leads',
      series: healthy.filter((s) => s.target !== leader || !['leader_uptime', 'synced_followers', 'last_proposal_size'].includes(s.metric)),
      at: '5m',
      alert: 'ZooKeeperNoLeader',
      fires: [group],
    });
    if (second) {
      scenarios.push({
        name: 'two members lead',
        series: [...healthy, { metric: 'leader_uptime', target: second, values: growing(15000) }],
        at: '5m',
        alert: 'ZooKeeperSeveralLeaders',
        fires: [group],
      });
      scenarios.push({
        name: 'a follower out of sync',
        series: withValues(healthy, 'synced_followers', [leader], constant(others - 1)),
        at: '5m',
        alert: 'ZooKeeperFollowersOutOfSync',
        fires: [of(leader)],
      });
    }
    if (shape.tolerated > 0) {
      // The last participants fail, the leader (the first) last of all.
      const failing = targets.filter((t) => t.member.role === 'participant').slice(-shape.tolerated);
      scenarios.push({
        name: `${shape.tolerated} participants down, one failure from losing the quorum`,
        series: withValues(healthy, 'up', failing, constant(0)),
        at: '5m',
        alert: 'ZooKeeperQuorumAtRisk',
        fires: [group],
      });
      scenarios.push({
        name: `${shape.tolerated} participants out of sync, one failure from losing the quorum`,
        series: withValues(healthy, 'synced_followers', [leader], constant(others - shape.tolerated)),
        at: '5m',
        alert: 'ZooKeeperQuorumAtRisk',
        fires: [group],
      });
    }
  }
  const known = new Set(rules.map((r) => r.alert));
  const missing = [...known].filter((alert) => !scenarios.some((s) => s.alert === alert));
  if (missing.length > 0) throw new Error(`zkgen bug: no test fires ${missing.join(', ')}`);
  return scenarios;
}

/** A label set in PromQL's series notation, as promtool's input_series takes it. */
const seriesName = (metric: string, labels: Labels) => `${metric}{${labels.map(([k, v]) => `${k}=${promString(v)}`).join(',')}}`;

/** An annotation as Prometheus expands it for these labels (the rules use `{{ .Labels.x }}` alone). */
const expand = (text: string, labels: Labels) => text.replace(/\{\{ \.Labels\.(\w+) \}\}/g, (_, key: string) => labels.find(([k]) => k === key)?.[1] ?? '');

/** What monitoring/zookeeper-rules.test.yml places: each rule firing on its scenario, and every rule silent on a healthy ensemble. */
export function rulesTestView(ensemble: Ensemble) {
  const shape = shapeOf(ensemble);
  const rules = rulesOf(shape);
  const targets = targetsOf(ensemble);
  const byName = new Map(rules.map((r) => [r.alert, r]));
  const inputs = (series: readonly Series[]) =>
    series.map((s) => ({ series: seriesName(s.metric, [...s.target.labels, ['instance', s.target.address], ['job', JOB]]), values: s.values }));
  const expectation = (alert: string, at: string, fires: readonly Labels[]) => {
    const rule = byName.get(alert);
    if (!rule) throw new Error(`zkgen bug: a test of an unknown rule ${alert}`);
    return {
      at,
      alert,
      fires: fires.map((labels) => ({
        labels: keyValues([...labels, ['severity', rule.severity]]),
        summary: expand(rule.summary, labels),
        description: expand(rule.description, labels),
      })),
    };
  };
  const healthy = healthySeries(targets, shape);
  return {
    rules: MONITORING_FILES.rules,
    interval: SCRAPE_INTERVAL,
    tests: [
      {
        name: 'a healthy ensemble fires nothing',
        series: inputs(healthy),
        alerts: rules.map((r) => expectation(r.alert, '10m', [])),
      },
      ...scenariosOf(ensemble, shape, rules).map((s) => ({ name: s.name, series: inputs(s.series), alerts: [expectation(s.alert, s.at, s.fires)] })),
    ],
  };
}
