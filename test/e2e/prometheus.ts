// A real Prometheus (Debian's prometheus package) on a bundle's own monitoring/prometheus.yml, for
// monitoring.test.ts. The e2e global setup starts it before the first test file, so that its
// member-down alert has had its minute (`for: 1m`) by the time monitoring.test.ts runs, among the
// other files; the test then reads the alert's whole history from Prometheus itself (the ALERTS
// series, one sample per rule evaluation). Run alone, the test waits out the minute, as before.
//
// No member is started: the stand-in images carry no metrics provider, so the targets,
// 127.0.0.1:17000..17002, stay down (nothing on the machine listens there). Prometheus listens on
// the first free port of 127.0.0.1:19090..19189, keeps its data in a fresh folder under /tmp, and
// is stopped by its pid at the end of the run.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from '../helpers.js';
import { type Bundle, generate } from './bundle.js';
import { listeningPorts } from './ports.js';
import { alive, readPid } from './run-lock.mjs';
import { range, sleep } from './wait.js';

/** The ports the generated targets file lists (the bundle's metrics ports): nothing listens there. */
export const METRICS_PORTS = range(17000, 3);
/** Where Prometheus listens: the first of these ports free when it starts. */
const PROMETHEUS_PORTS = range(19090, 100);
// Not under /tmp/zkgen-e2e-*, where the setup looks for engines of earlier runs.
const PREFIX = '/tmp/zkgen-prometheus-';

/**
 * A run killed before its teardown leaves its Prometheus running: one whose folder's owner.pid
 * names a process that is gone is stopped by its pid (prometheus.pid, when that pid still runs
 * prometheus on that folder), and the folder removed.
 */
function reapAbandoned(): void {
  for (const dir of readdirSync('/tmp').map((name) => `/tmp/${name}`).filter((d) => d.startsWith(PREFIX))) {
    const owner = readPid(join(dir, 'owner.pid'));
    if (owner === undefined || alive(owner)) continue;
    const pid = readPid(join(dir, 'prometheus.pid'));
    let command = '';
    try {
      command = pid === undefined ? '' : readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // gone already
    }
    if (pid !== undefined && command.startsWith('prometheus\0') && command.includes(dir)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What monitoring.test.ts needs to find the running Prometheus (inject('e2ePrometheus'), as JSON). */
export interface PrometheusRun {
  /** 127.0.0.1:PORT */
  address: string;
  /** The generated bundle whose monitoring/ it runs on. */
  bundle: Bundle;
  /** Its log (stdout and stderr). */
  log: string;
  /** When it was started (ms since the epoch). */
  startedAt: number;
}

/**
 * Starts Prometheus on a fresh bundle's monitoring/ without waiting for it (the test waits for it
 * to be ready). Returns undefined where Prometheus is not installed (monitoring.test.ts says so).
 */
export function startPrometheus(): { run: PrometheusRun; stop: () => Promise<void> } | undefined {
  if (!hasCommand('prometheus')) return undefined;
  reapAbandoned();
  const port = PROMETHEUS_PORTS.find((p) => listeningPorts([p]).length === 0);
  if (port === undefined) throw new Error(`no free port for Prometheus in ${PROMETHEUS_PORTS[0]}..${PROMETHEUS_PORTS.at(-1)}`);
  const scratch = mkdtempSync(PREFIX);
  const bundle = generate({ image: 'zookeeper:3.9.4', servers: 3, metrics: true, ports: { metrics: METRICS_PORTS[0] } }, scratch);
  const run: PrometheusRun = { address: `127.0.0.1:${port}`, bundle, log: join(scratch, 'prometheus.log'), startedAt: Date.now() };
  const out = openSync(run.log, 'w');
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(bundle.dir, 'monitoring', 'prometheus.yml')}`, `--storage.tsdb.path=${join(scratch, 'data')}`, `--web.listen-address=${run.address}`],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  writeFileSync(join(scratch, 'owner.pid'), `${process.pid}\n`);
  if (child.pid !== undefined) writeFileSync(join(scratch, 'prometheus.pid'), `${child.pid}\n`);
  // An error event (it could not be started) leaves exitCode null: the test reports the log.
  child.on('error', () => undefined);
  const stop = async () => {
    // Stopped by its pid: TERM, then KILL if it has not gone within 10 s.
    const running = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
    if (running()) {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && running(); i++) await sleep(100);
      if (running()) child.kill('SIGKILL');
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  return { run, stop };
}
