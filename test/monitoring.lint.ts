// npm run lint's half for monitoring/: every committed fixture with metrics (one machine, several
// machines) passes promtool check config, check rules and its own rule tests, names only metrics
// ZooKeeper's Prometheus provider exports, and lists each member once with its four labels.
// promtool (Debian's prometheus package, test/e2e/runtime/install-deps.sh) is required in CI and
// skipped where it is not installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { hasCommand, ROOT } from './helpers.js';

const withPromtool = it.runIf(hasCommand('promtool') || Boolean(process.env.CI));

function promtool(cwd: string, ...args: string[]) {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const fixtures = readdirSync(join(ROOT, 'test', 'fixtures')).filter((name) => existsSync(join(ROOT, 'test', 'fixtures', name, 'expected', 'monitoring')));

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

describe('the committed monitoring/ files', () => {
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

});
