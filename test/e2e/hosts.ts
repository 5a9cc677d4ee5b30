// What the three-host suites (multihost, faults-hosts, backup-hosts) share: their tool check, the
// three engines with the image on each, and the removal of what a crashed run of one of them left.
// Each suite keeps its own folder prefix, so one never removes another's engines.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from '../helpers.js';
import { ROOT, run } from './engine.js';
import { seconds } from './wait.js';

export const HOSTS_SH = join(ROOT, 'test', 'e2e', 'runtime', 'hosts.sh');
const BUILD_SH = join(ROOT, 'test', 'e2e', 'images', 'build.sh');

/** Why the three namespace hosts cannot be made here, or '' (required by CI: then it throws). */
export function threeHostSkip(engineSkip: string, suite: string): string {
  if (engineSkip) return engineSkip;
  const tool = ['ip', 'nsenter', 'docker-compose'].find((t) => !hasCommand(t));
  if (!tool) return '';
  const why = `${tool} is not installed; run test/e2e/runtime/install-deps.sh`;
  if (process.env.ZKGEN_E2E === 'required') throw new Error(`ZKGEN_E2E=required, but the ${suite} cannot run: ${why}`);
  return why;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A run that crashed left its engines and namespaces: stop and remove them (folders under `prefix` whose owner is gone). */
async function removeLeftovers(prefix: string): Promise<void> {
  for (const name of readdirSync('/tmp')) {
    const dir = `/tmp/${name}`;
    if (!dir.startsWith(prefix)) continue;
    const owner = Number(existsSync(join(dir, 'owner.pid')) ? readFileSync(join(dir, 'owner.pid'), 'utf8').trim() : NaN);
    if (Number.isInteger(owner) && alive(owner)) continue;
    const stopped = await run('bash', [HOSTS_SH, 'stop', dir], { timeoutMs: 180_000 });
    console.log(`removed what an earlier run left in ${dir} (hosts.sh stop exited ${stopped.code})`);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The environment that points docker and docker-compose at one host's engine. */
export function onEngine(engine: string): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: engine, NO_COLOR: '1' };
}

/**
 * Three hosts (hosts.sh start: a network namespace and a Docker engine each) in a fresh folder
 * under `prefix` that names this process its owner, with `image` built on host 1's engine and
 * loaded into the two others at once. What an earlier crashed run under `prefix` left goes first.
 */
export async function startThreeHosts(prefix: string, image: string): Promise<{ dir: string; engines: string[] }> {
  await removeLeftovers(prefix);
  const dir = mkdtempSync(prefix);
  writeFileSync(join(dir, 'owner.pid'), `${process.pid}\n`);
  const t0 = performance.now();
  const up = await run('bash', [HOSTS_SH, 'start', dir], { timeoutMs: 180_000 });
  if (up.code !== 0) throw new Error(`hosts.sh start exited ${up.code}:\n${up.stderr}`);
  const engines = up.stdout.trim().split('\n');
  if (engines.length !== 3) throw new Error(`hosts.sh start printed ${engines.length} engines, not 3:\n${up.stdout}`);
  const t1 = performance.now();
  const built = await run('bash', [BUILD_SH, image], { env: onEngine(engines[0]!), timeoutMs: 600_000 });
  if (built.code !== 0) throw new Error(`build.sh ${image} exited ${built.code}:\n${built.stderr}`);
  await Promise.all(
    [1, 2].map(async (i) => {
      const copied = await run('bash', ['-c', 'set -o pipefail; docker -H "$1" save "$3" | docker -H "$2" load', 'copy', engines[0]!, engines[i]!, image], { timeoutMs: 300_000 });
      if (copied.code !== 0) throw new Error(`docker save | docker load onto host ${i + 1} exited ${copied.code}:\n${copied.stderr}`);
    }),
  );
  console.log(`three engines in ${seconds(t1 - t0)}, ${image} on each in ${seconds(performance.now() - t1)}`);
  return { dir, engines };
}
