// create (lib.sh), with which rolling-restart.sh --recreate and a move's reconfigure.sh create a
// member as run.sh starts it, runs docker run with the options run.sh gives that member, run for
// real against a `docker` that records its arguments: only their order differs (run.sh keeps the
// tutorial's), never what they are. Each script says its members' options (image, run_options,
// own_options) and lib.sh alone writes the docker run.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { recordOfBundle, tempDir, writeBundle } from './helpers.js';

const EVERYTHING = { image: 'zookeeper:3.9.4', tls: { quorum: true, client: true }, auth: { quorum: true, client: true }, metrics: true, reconfig: true, restart: 'always' };
const ENSEMBLES: Array<[string, object]> = [
  ['the tutorial', JSON.parse(readFileSync(join(__dirname, '..', 'examples', 'tutorial.json'), 'utf8')) as object],
  ['five members with every option on one machine', { ...EVERYTHING, servers: 5 }],
  ['an image that runs without root (run.sh prepares its folders first)', { image: 'bitnami/zookeeper:3.9.3', servers: 3 }],
  ['four members on three machines', { ...EVERYTHING, servers: ['zk-a', 'zk-b', 'zk-c', 'zk-a'].map((m) => ({ host: `${m}.internal` })) }],
];

/** A `docker` that records each call, its words separated by \x1f, one call a line. */
function stub(dir: string): { path: string; calls: () => string[][] } {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const record = join(dir, 'calls');
  writeFileSync(record, '');
  writeFileSync(join(bin, 'docker'), `#!/usr/bin/env bash\n{ printf '%s\\x1f' "$@"; echo; } >>${JSON.stringify(record)}\n`);
  chmodSync(join(bin, 'docker'), 0o755);
  return {
    path: `${bin}:${process.env.PATH ?? ''}`,
    calls: () => {
      const lines = readFileSync(record, 'utf8').split('\n').filter(Boolean);
      writeFileSync(record, '');
      return lines.map((line) => line.split('\x1f').slice(0, -1));
    },
  };
}

/** docker run's options as a set: -e and -v with their values, sorted. */
function options(call: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < call.length; i++) words.push(call[i] === '-e' || call[i] === '-v' ? `${call[i]} ${call[++i]}` : call[i]!);
  return words.sort();
}
const nameIn = (call: string[]) => call.find((w) => w.startsWith('--name='))?.slice('--name='.length);

/**
 * What run.sh in FOLDER runs for each member, and what SCRIPT's create runs for the same members
 * from the lines that say their options (image= to the end of own_options), as the script has
 * them before it creates any: the same options, member by member. Only MEMBERS, when given.
 */
function expectCreatedAsRunShDoes(folder: string, script: string, docker: ReturnType<typeof stub>, members?: readonly string[]): void {
  const ran = spawnSync('bash', ['run.sh'], { cwd: folder, env: { ...process.env, PATH: docker.path }, encoding: 'utf8' });
  expect(ran.status, ran.stderr).toBe(0);
  const started = docker.calls().filter((call) => call[0] === 'run' && call[1] === '-d' && (!members || members.includes(nameIn(call) ?? '')));
  expect(started.length).toBe(members?.length ?? started.length);
  expect(started.length).toBeGreaterThan(0);
  const lines = ['set -euo pipefail', 'source lib.sh', `source <(sed -n "/^image=/,/^}/p" ${script})`, ...started.map((call) => `create ${nameIn(call) ?? ''}`)];
  const created = spawnSync('bash', ['-c', lines.join('\n')], { cwd: folder, env: { ...process.env, PATH: docker.path }, encoding: 'utf8' });
  expect(created.status, created.stderr).toBe(0);
  const again = docker.calls();
  expect(again.map(nameIn)).toEqual(started.map(nameIn));
  for (const [i, call] of again.entries()) expect(options(call), nameIn(call)).toEqual(options(started[i]!));
}

const foldersOf = (bundle: string) => (readdirSync(bundle).includes('hosts') ? readdirSync(join(bundle, 'hosts')).map((m) => join(bundle, 'hosts', m)) : [bundle]);

describe.each(ENSEMBLES)('rolling-restart.sh --recreate of %s', (label, value) => {
  const dir = tempDir(`member-create-${label.replace(/\W+/g, '-')}`);
  const bundle = writeBundle(value, dir);
  const docker = stub(dir);

  it.each(foldersOf(bundle).map((f) => [f.slice(bundle.length) || '/', f]))('creates each member of %s with the options run.sh gives it', (_, folder) => {
    expectCreatedAsRunShDoes(folder, 'rolling-restart.sh', docker);
  });
});

// A move that only adds members starts them with every member's server line, as the new run.sh
// does: its reconfigure.sh (on several machines, the joining machine's) creates them alike.
describe.each([
  ['on one machine', { ...EVERYTHING, servers: 5 }, { ...EVERYTHING, servers: 3 }, '', ['zk4', 'zk5']],
  ['on three machines', { ...EVERYTHING, servers: ['zk-a', 'zk-b', 'zk-b', 'zk-c'].map((m) => ({ host: `${m}.internal` })) }, { ...EVERYTHING, servers: ['zk-a', 'zk-b', 'zk-b'].map((m) => ({ host: `${m}.internal` })) }, 'hosts/zk-c.internal', ['zk4']],
])('reconfigure.sh of a move that adds members %s', (label, value, running, folder, joining) => {
  it(`creates ${joining.join(' and ')} with the options run.sh gives them`, () => {
    const before = generate(running);
    if (!before.ok) throw new Error(JSON.stringify(before.errors));
    const outcome = generate(value, { running: recordOfBundle(before.files) });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const dir = join(tempDir(`member-create-move-${label.replace(/\W+/g, '-')}`), 'bundle');
    for (const f of outcome.files) {
      mkdirSync(join(dir, f.path, '..'), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    expectCreatedAsRunShDoes(join(dir, folder), 'reconfigure.sh', stub(join(dir, '..')), joining);
  });
});
