// npm run test:faults [-- --long]: the fault suite alone (test/e2e/faults.test.ts and, on three
// namespace hosts, test/e2e/faults-hosts.test.ts), after a build.
// --long (or ZKGEN_FAULTS_LONG=1) is the soak: the history clients keep going longer in each
// scenario. Other arguments go to vitest. Run it under the e2e lock like any real-container suite.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const long = args.includes('--long');
const env = { ...process.env, ...(long ? { ZKGEN_FAULTS_LONG: '1' } : {}) };
const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const suite = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', 'test/e2e/faults.test.ts', 'test/e2e/faults-hosts.test.ts', ...args.filter((a) => a !== '--long')], { stdio: 'inherit', env });
process.exit(suite.status ?? 1);
