// monitoring/ (src/monitoring.ts) checked with Prometheus' own tool: the rules' unit tests, which
// the bundle carries, pass `promtool test rules` for the shapes that change which rules exist and
// their thresholds, and they are shown to test: a rule with a threshold moved, or gone, fails them.
// (The committed fixtures' monitoring/ goes through promtool in npm run lint: monitoring.lint.ts.)
// promtool comes with Debian's prometheus package (test/e2e/runtime/install-deps.sh): these are
// skipped on a machine without it, never in CI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generate } from '../src/index.js';
import { hasCommand, tempDir } from './helpers.js';

const withPromtool = it.runIf(hasCommand('promtool') || Boolean(process.env.CI));

function promtool(cwd: string, ...args: string[]) {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

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

describe('monitoring/', () => {
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
