// monitoring/ (src/monitoring.ts) checked with Prometheus' own tool: every fixture's configuration
// and rules pass `promtool check`, and the rules' unit tests, which the bundle carries, pass
// `promtool test rules` — one machine, several machines, and the shapes that change which rules
// exist. The tests are shown to test: a rule with a raised threshold, or gone, makes them fail.
// promtool comes with Debian's prometheus package (test/e2e/runtime/install-deps.sh): these are
// skipped on a machine without it, never in CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generate } from '../src/index.js';
import { hasCommand, ROOT, tempDir } from './helpers.js';

const withPromtool = it.runIf(hasCommand('promtool') || Boolean(process.env.CI));

function promtool(cwd: string, ...args: string[]) {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const fixtures = readdirSync(join(ROOT, 'test', 'fixtures')).filter((name) => existsSync(join(ROOT, 'test', 'fixtures', name, 'expected', 'monitoring')));

/** A bundle's monitoring/ files written into a fresh folder. */
function monitoringOf(value: unknown, label: string): string {
  const outcome = generate(value);
  if (!outcome.ok) throw new Error(`${label} refused: ${JSON.stringify(outcome.errors)}`);
  const dir = tempDir(`monitoring-${label}`);
  const files = outcome.files.filter((f) => f.path.startsWith('monitoring/'));
  for (const f of files) writeFileSync(join(dir, f.path.slice('monitoring/'.length)), f.content);
  return dir;
}

const alertsIn = (dir: string): string[] =>
  (parseYaml(readFileSync(join(dir, 'zookeeper-rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string }> }> }).groups.flatMap((g) => g.rules.map((r) => r.alert));

// Read off ZooKeeper's source, 3.6.0 to 3.9.x: ZooKeeperServer.registerMetrics, LeaderZooKeeperServer's,
// ServerMetrics' summaries (election_time, fsynctime) as the Prometheus client writes them (_count,
// _sum). Prometheus' up besides.
const PROVIDER_METRICS = new Set([
  'up',
  'avg_latency',
  'outstanding_requests',
  'open_file_descriptor_count',
  'max_file_descriptor_count',
  'approximate_data_size',
  'last_client_response_size',
  'leader_uptime',
  'synced_followers',
  'last_proposal_size',
  'election_time_count',
  'fsynctime_sum',
]);

describe('monitoring/', () => {
  it('is there for both metrics fixtures, one machine and several', () => {
    expect(fixtures).toEqual(expect.arrayContaining(['bitnamilegacy-3.8', 'three-hosts-metrics']));
  });

  describe.each(fixtures)('fixture %s', (name) => {
    const dir = join(ROOT, 'test', 'fixtures', name, 'expected', 'monitoring');
    withPromtool('passes promtool check config and check rules', () => {
      const config = promtool(dir, 'check', 'config', 'prometheus.yml');
      expect(config.output).toMatch(/SUCCESS/);
      expect(config.code).toBe(0);
      const rules = promtool(dir, 'check', 'rules', 'zookeeper-rules.yml');
      expect(rules.code, rules.output).toBe(0);
    });
    withPromtool('passes its rule tests: every rule fires on its failure, none on a healthy ensemble', () => {
      const tested = promtool(dir, 'test', 'rules', 'zookeeper-rules.test.yml');
      expect(tested.code, tested.output).toBe(0);
    });
    it('names only metrics that ZooKeeper’s Prometheus provider exports', () => {
      const rules = readFileSync(join(dir, 'zookeeper-rules.yml'), 'utf8');
      const used = [...rules.matchAll(/^\s+expr: (.*)$/gm)].flatMap((m) => [...(JSON.parse(m[1]!) as string).matchAll(/([a-z_]+)\{/g)].map((n) => n[1]!));
      expect(used.length).toBeGreaterThan(0);
      expect(used.filter((n) => !PROVIDER_METRICS.has(n))).toEqual([]);
    });
    it('lists every member once with its labels', () => {
      const targets = parseYaml(readFileSync(join(dir, 'zookeeper-targets.yml'), 'utf8')) as Array<{ targets: string[]; labels: Record<string, string> }>;
      const ensemble = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', name, 'ensemble.json'), 'utf8')) as { servers: number | unknown[] };
      const count = typeof ensemble.servers === 'number' ? ensemble.servers : ensemble.servers.length;
      expect(targets).toHaveLength(count);
      for (const t of targets) expect(Object.keys(t.labels).sort()).toEqual(['ensemble', 'machine', 'member', 'role']);
      expect(new Set(targets.map((t) => t.targets[0])).size).toBe(count);
    });
  });

  it('is not written without metrics', () => {
    const outcome = generate({ image: 'zookeeper:3.9.4', servers: 3 });
    expect(outcome.ok && outcome.files.some((f) => f.path.startsWith('monitoring/'))).toBe(false);
  });

  it('has no leader rules for a lone standalone member, and every rule for three', () => {
    const lone = monitoringOf({ image: 'zookeeper:3.9.4', servers: 1, metrics: true }, 'lone');
    expect(alertsIn(lone)).not.toContain('ZooKeeperNoLeader');
    expect(alertsIn(lone)).not.toContain('ZooKeeperQuorumAtRisk');
    const three = monitoringOf({ image: 'zookeeper:3.9.4', servers: 3, metrics: true }, 'three');
    expect(alertsIn(three)).toEqual(
      expect.arrayContaining(['ZooKeeperMemberDown', 'ZooKeeperNoLeader', 'ZooKeeperSeveralLeaders', 'ZooKeeperFollowersOutOfSync', 'ZooKeeperQuorumAtRisk']),
    );
  });

  // Shapes that change the thresholds: one participant leading alone (reconfiguration on, no
  // standalone), five participants (two may fail), hierarchical groups, observers on every machine.
  describe.each([
    ['lone', { image: 'zookeeper:3.9.4', servers: 1, metrics: true }],
    ['lone-reconfig', { image: 'zookeeper:3.9.4', servers: 1, metrics: true, reconfig: true }],
    ['five', { image: 'zookeeper:3.9.4', servers: 5, metrics: true }],
    [
      'groups',
      { image: 'zookeeper:3.9.4', metrics: true, servers: [{ group: 1 }, { group: 1 }, { group: 1 }, { group: 2 }, { group: 2 }, { group: 2 }, { group: 3 }, { group: 3 }, { group: 3 }] },
    ],
    [
      'observers',
      {
        image: 'zookeeper:3.9.4',
        metrics: true,
        servers: [{ host: 'a.internal' }, { host: 'b.internal' }, { host: 'c.internal' }, { host: 'a.internal', role: 'observer' }, { host: 'b.internal', role: 'observer' }],
      },
    ],
  ])('an ensemble of shape %s', (label, value) => {
    withPromtool('passes its own rule tests', () => {
      const dir = monitoringOf(value, label);
      const tested = promtool(dir, 'test', 'rules', 'zookeeper-rules.test.yml');
      expect(tested.code, tested.output).toBe(0);
    });
  });

  describe('its tests fail when a rule is wrong', () => {
    const broken = (edit: (rules: string) => string) => {
      const dir = monitoringOf({ image: 'zookeeper:3.9.4', servers: 3, metrics: true }, 'broken');
      const path = join(dir, 'zookeeper-rules.yml');
      const before = readFileSync(path, 'utf8');
      const after = edit(before);
      expect(after).not.toBe(before);
      writeFileSync(path, after);
      return promtool(dir, 'test', 'rules', 'zookeeper-rules.test.yml');
    };
    withPromtool('a threshold raised: the rule no longer fires', () => {
      expect(broken((r) => r.replace('} > 100"', '} > 1000"')).code).not.toBe(0);
    });
    withPromtool('a threshold lowered: the rule fires on a healthy ensemble', () => {
      expect(broken((r) => r.replace(/(synced_followers\{[^}]*\\"\}) < 2/, '$1 < 3')).code).not.toBe(0);
    });
    withPromtool('a rule gone', () => {
      expect(broken((r) => r.replace(/ {6}- alert: ZooKeeperSeveralLeaders\n(?: {8}.*\n)+/, '')).code).not.toBe(0);
    });
  });

  withPromtool('runs as a whole prometheus.yml from the bundle', () => {
    const dir = monitoringOf({ servers: [{ host: 'a.internal' }, { host: 'b.internal' }, { host: 'c.internal' }], metrics: true }, 'whole');
    mkdirSync(join(dir, 'sub'));
    const checked = promtool(join(dir, 'sub'), 'check', 'config', '../prometheus.yml');
    expect(checked.code, checked.output).toBe(0);
  });
});
