// What the three-host suites (multihost, faults-hosts, backup-hosts) share: their tool check and
// the removal of what a crashed run of one of them left. Each suite keeps its own folder prefix,
// so one never removes another's engines.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from '../helpers.js';
import { ROOT, run } from './engine.js';

export const HOSTS_SH = join(ROOT, 'test', 'e2e', 'runtime', 'hosts.sh');

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
export async function removeLeftovers(prefix: string): Promise<void> {
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
