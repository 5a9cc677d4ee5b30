// A real Prometheus (Debian's prometheus package) started with a bundle's own
// monitoring/prometheus.yml, unchanged: it discovers every member through the targets file with
// the labels zkgen gave it, and, since nothing serves metrics there, the member-down alert goes
// pending at the first evaluation after a failed scrape and fires once its `for` (1m) has passed —
// the rules and intervals exactly as generated, nothing shortened.
//
// The members are not started: the stand-in images carry no Prometheus metrics provider (Debian
// does not package it), and a member told to load one stops at boot, so with or without their
// containers the targets are down. The e2e global setup starts Prometheus before the first file
// (prometheus.ts: loopback only, a free port, data in a fresh folder, stopped by its pid), so its
// minute has usually passed when this file runs; the alert's history is read back from Prometheus
// itself: the ALERTS series has one sample per rule evaluation, pending then firing. Every wait is
// bounded (run alone, this file waits out the minute).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import './engine.js';
import { METRICS_PORTS, type PrometheusRun } from './prometheus.js';
import { listeningPorts } from './ports.js';
import { seconds, waitFor } from './wait.js';

const FOR_MS = 60_000;
const EVALUATION_MS = 15_000;

const given = inject('e2ePrometheus');
const skip = given ? undefined : 'prometheus is not installed; run test/e2e/runtime/install-deps.sh';
if (skip && process.env.ZKGEN_E2E === 'required') throw new Error(`e2e required: ${skip}`);
if (skip) test.skip(`e2e skipped: ${skip}`);
const prometheus = given ? (JSON.parse(given) as PrometheusRun) : undefined;

interface Target {
  labels: Record<string, string>;
  health: string;
}
interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}
/** A range vector of /api/v1/query: each series' raw samples, [seconds since the epoch, value]. */
type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`http://${prometheus!.address}${path}`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return ((await response.json()) as { data: T }).data;
}

describe.skipIf(skip)('a real Prometheus on the generated monitoring/ (three members, one machine)', () => {
  const bundle = prometheus!.bundle;

  test('discovers every member from the targets file, with its labels, and finds it down', async () => {
    // Nothing may listen on the targets' ports: a down target must be down for want of a member.
    expect(listeningPorts(METRICS_PORTS)).toEqual([]);
    await waitFor(
      'Prometheus to be ready',
      () =>
        fetch(`http://${prometheus!.address}/-/ready`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => (r.ok ? true : undefined),
          () => undefined,
        ),
      { timeoutMs: 30_000, intervalMs: 250, describe: () => readFileSync(prometheus!.log, 'utf8') },
    );
    const listed = parseYaml(readFileSync(join(bundle.dir, 'monitoring', 'zookeeper-targets.yml'), 'utf8')) as Array<{ targets: string[]; labels: Record<string, string> }>;
    const targets = await waitFor(
      'a failed scrape of every member',
      async () => {
        const { activeTargets } = await api<{ activeTargets: Target[] }>('/api/v1/targets');
        return activeTargets.length === listed.length && activeTargets.every((t) => t.health === 'down') ? activeTargets : undefined;
      },
      { timeoutMs: 2 * EVALUATION_MS + 10_000, intervalMs: 500 },
    );
    const seen = targets.map((t) => t.labels).sort((a, b) => (a.member ?? '').localeCompare(b.member ?? ''));
    expect(seen).toEqual(listed.map((l) => ({ ...l.labels, instance: l.targets[0], job: 'zookeeper' })));
    expect(seen.map((l) => l.member)).toEqual(bundle.members.map((m) => m.name));
    expect(seen.map((l) => l.instance)).toEqual(METRICS_PORTS.map((p) => `127.0.0.1:${p}`));
    expect(new Set(seen.map((l) => l.ensemble))).toEqual(new Set([bundle.connectString]));
  });

  test('the member-down alert goes pending, then fires within its for', async () => {
    let firing: Alert[] = [];
    await waitFor(
      'ZooKeeperMemberDown firing for every member',
      async () => {
        const { alerts } = await api<{ alerts: Alert[] }>('/api/v1/alerts');
        firing = alerts.filter((a) => a.labels.alertname === 'ZooKeeperMemberDown' && a.state === 'firing');
        return firing.length === bundle.members.length ? true : undefined;
      },
      { timeoutMs: FOR_MS + 3 * EVALUATION_MS + 15_000, intervalMs: 1000 },
    );
    // The alert's whole history, as Prometheus recorded it at each evaluation since it started.
    const since = Math.ceil((Date.now() - prometheus!.startedAt) / 1000) + 60;
    const history = await api<{ result: Matrix }>(`/api/v1/query?query=${encodeURIComponent(`ALERTS{alertname="ZooKeeperMemberDown"}[${since}s]`)}`);
    const first = (member: string, state: string): number | undefined =>
      history.result.find((s) => s.metric.member === member && s.metric.alertstate === state)?.values[0]?.[0];
    expect(firing.map((a) => a.labels.member).sort()).toEqual(bundle.members.map((m) => m.name));
    for (const alert of firing) {
      const member = alert.labels.member!;
      const active = Date.parse(alert.activeAt);
      const pendingAt = first(member, 'pending');
      const firingAt = first(member, 'firing');
      const said = JSON.stringify(history.result.filter((s) => s.metric.member === member));
      // Not faked: it was pending first, for the whole `for`, and fired at the first evaluation after it.
      expect(pendingAt, `${member} was pending: ${said}`).toBeDefined();
      expect(firingAt, `${member} fired: ${said}`).toBeDefined();
      expect(pendingAt! * 1000, said).toBeLessThan(firingAt! * 1000);
      expect(firingAt! * 1000 - active, said).toBeGreaterThanOrEqual(FOR_MS);
      expect(firingAt! * 1000 - active, said).toBeLessThanOrEqual(FOR_MS + EVALUATION_MS + 2_000);
      expect(alert.labels).toMatchObject({ severity: 'critical', job: 'zookeeper', ensemble: bundle.connectString, role: 'participant' });
      console.log(`e2e: ZooKeeperMemberDown for ${member}: pending at ${alert.activeAt}, firing at the evaluation ${seconds(firingAt! * 1000 - active)} later (for: 1m)`);
    }
    const { alerts } = await api<{ alerts: Alert[] }>('/api/v1/alerts');
    // No member serves metrics, so no member says it leads either.
    expect(alerts.filter((a) => a.labels.alertname === 'ZooKeeperNoLeader').map((a) => a.labels)).toEqual([
      { alertname: 'ZooKeeperNoLeader', ensemble: bundle.connectString, severity: 'critical' },
    ]);
  });
});
