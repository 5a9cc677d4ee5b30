// A real Prometheus (Debian's prometheus package) started with a bundle's own
// monitoring/prometheus.yml, unchanged: it discovers every member through the targets file with
// the labels zkgen gave it, and, since nothing serves metrics there, the member-down alert goes
// pending at the first evaluation after a failed scrape and fires once its `for` (1m) has passed —
// the rules and intervals exactly as generated, nothing shortened.
//
// The members are not started: the stand-in images carry no Prometheus metrics provider (Debian
// does not package it), and a member told to load one stops at boot, so with or without their
// containers the targets are down. Prometheus listens on the first free port of 127.0.0.1:
// 19090..19189 and scrapes 127.0.0.1:17000..17002 (loopback only; nothing listens there, so two
// runs at once share them), keeps its data in a fresh folder under /tmp, and is stopped by its
// pid. Every wait is bounded. No container and no fixed listening port: this file needs neither
// the engine nor the e2e lock, and runs in its own vitest project (prometheus) beside the e2e
// files, so that its minute of waiting for the alert's `for` overlaps theirs.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { hasCommand } from '../helpers.js';
import { type Bundle, generate, scratchDir } from './bundle.js';
import { listeningPorts, waitForPortsFree } from './ports.js';
import { range, seconds, sleep, waitFor } from './wait.js';

const METRICS_PORTS = range(17000, 3);
/** Where Prometheus listens: the first of these ports free when it starts. */
const PROMETHEUS_PORTS = range(19090, 100);
const FOR_MS = 60_000;
const EVALUATION_MS = 15_000;

const skip = hasCommand('prometheus') ? undefined : 'prometheus is not installed; run test/e2e/runtime/install-deps.sh';
if (skip && process.env.ZKGEN_E2E === 'required') throw new Error(`e2e required: ${skip}`);
if (skip) test.skip(`e2e skipped: ${skip}`);

interface Target {
  labels: Record<string, string>;
  health: string;
  lastScrape: string;
  lastError: string;
}
interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

/** 127.0.0.1:PORT of the running Prometheus. */
let prometheusAt = '';

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`http://${prometheusAt}${path}`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return ((await response.json()) as { data: T }).data;
}

describe.skipIf(skip)('a real Prometheus on the generated monitoring/ (three members, one machine)', () => {
  let scratch: string;
  let bundle: Bundle;
  let prometheus: ChildProcess | undefined;
  let log: string;

  beforeAll(async () => {
    await waitForPortsFree(METRICS_PORTS, 30_000);
    scratch = scratchDir('monitoring');
    bundle = generate({ image: 'zookeeper:3.9.4', servers: 3, metrics: true, ports: { metrics: METRICS_PORTS[0] } }, scratch);
    log = join(scratch, 'prometheus.log');
    // Another run may take the port between the look and Prometheus's bind: then the next one.
    for (let attempt = 1; ; attempt++) {
      const port = PROMETHEUS_PORTS.find((p) => listeningPorts([p]).length === 0);
      if (port === undefined) throw new Error(`no free port for Prometheus in ${PROMETHEUS_PORTS[0]}..${PROMETHEUS_PORTS.at(-1)}`);
      prometheusAt = `127.0.0.1:${port}`;
      const out = openSync(log, 'w');
      const child = spawn(
        'prometheus',
        [`--config.file=${join(bundle.dir, 'monitoring', 'prometheus.yml')}`, `--storage.tsdb.path=${join(scratch, 'data')}`, `--web.listen-address=${prometheusAt}`],
        { stdio: ['ignore', out, out] },
      );
      prometheus = child;
      closeSync(out);
      const ready = await waitFor(
        'Prometheus to be ready',
        async () => {
          if (child.exitCode !== null) return 'exited';
          return fetch(`http://${prometheusAt}/-/ready`, { signal: AbortSignal.timeout(2000) }).then(
            (r) => (r.ok ? 'ready' : undefined),
            () => undefined,
          );
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      if (ready === 'ready') break;
      const said = readFileSync(log, 'utf8');
      if (attempt >= 5 || !said.includes('address already in use')) throw new Error(`prometheus exited ${child.exitCode}:\n${said}`);
    }
  });

  afterAll(async () => {
    // Stopped by its pid: TERM, then KILL if it has not gone within 10 s.
    const child = prometheus;
    const running = () => child?.pid !== undefined && child.exitCode === null && child.signalCode === null;
    if (running()) {
      child?.kill('SIGTERM');
      for (let i = 0; i < 100 && running(); i++) await sleep(100);
      if (running()) child?.kill('SIGKILL');
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('discovers every member from the targets file, with its labels, and finds it down', async () => {
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
    const pendingSeen = new Map<string, number>();
    const firingSeen = new Map<string, { alert: Alert; at: number }>();
    await waitFor(
      'ZooKeeperMemberDown firing for every member',
      async () => {
        const { alerts } = await api<{ alerts: Alert[] }>('/api/v1/alerts');
        for (const a of alerts.filter((x) => x.labels.alertname === 'ZooKeeperMemberDown')) {
          const member = a.labels.member!;
          if (a.state === 'pending' && !pendingSeen.has(member)) pendingSeen.set(member, Date.now());
          if (a.state === 'firing' && !firingSeen.has(member)) firingSeen.set(member, { alert: a, at: Date.now() });
        }
        return firingSeen.size === bundle.members.length ? true : undefined;
      },
      { timeoutMs: FOR_MS + 3 * EVALUATION_MS + 15_000, intervalMs: 1000 },
    );
    for (const [member, { alert, at }] of firingSeen) {
      const active = Date.parse(alert.activeAt);
      // Not faked: it was pending first, for the whole `for`, and fired by the first evaluation after it.
      expect(pendingSeen.has(member), `${member} was seen pending`).toBe(true);
      expect(at - active).toBeGreaterThanOrEqual(FOR_MS);
      expect(at - active).toBeLessThanOrEqual(FOR_MS + EVALUATION_MS + 2_000);
      expect(alert.labels).toMatchObject({ severity: 'critical', job: 'zookeeper', ensemble: bundle.connectString, role: 'participant' });
      console.log(`e2e: ZooKeeperMemberDown for ${member}: pending at ${alert.activeAt}, firing seen ${seconds(at - active)} later (for: 1m)`);
    }
    const { alerts } = await api<{ alerts: Alert[] }>('/api/v1/alerts');
    // No member serves metrics, so no member says it leads either.
    expect(alerts.filter((a) => a.labels.alertname === 'ZooKeeperNoLeader').map((a) => a.labels)).toEqual([
      { alertname: 'ZooKeeperNoLeader', ensemble: bundle.connectString, severity: 'critical' },
    ]);
  });
});
