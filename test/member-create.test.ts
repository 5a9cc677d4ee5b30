// create (lib.sh), with which rolling-restart.sh --recreate (and a move's reconfigure.sh) creates a
// member that run.sh started, runs docker run with the options run.sh gives that member, run for
// real against a `docker` that records its arguments: only their order differs (run.sh keeps the
// tutorial's), never what they are. Each script says its members' options (image, run_options,
// own_options) and lib.sh alone writes the docker run.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeBundle } from './helpers.js';

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

describe.each(ENSEMBLES)('rolling-restart.sh --recreate of %s', (label, value) => {
  const dir = tempDir(`member-create-${label.replace(/\W+/g, '-')}`);
  const bundle = writeBundle(value, dir);
  const docker = stub(dir);
  const folders = readdirSync(bundle).includes('hosts') ? readdirSync(join(bundle, 'hosts')).map((m) => join(bundle, 'hosts', m)) : [bundle];

  it.each(folders.map((f) => [f.slice(bundle.length) || '/', f]))('creates each member of %s with the options run.sh gives it', (_, folder) => {
    const ran = spawnSync('bash', ['run.sh'], { cwd: folder, env: { ...process.env, PATH: docker.path }, encoding: 'utf8' });
    expect(ran.status, ran.stderr).toBe(0);
    const started = docker.calls().filter((call) => call[0] === 'run' && call[1] === '-d');
    expect(started.length).toBeGreaterThan(0);
    // The script's lines that say its members' options, as it has them before it restarts any.
    const script = [
      'set -euo pipefail',
      'source lib.sh',
      'source <(sed -n "/^image=/,/^}/p" rolling-restart.sh)',
      ...started.map((call) => `create ${nameIn(call) ?? ''}`),
    ].join('\n');
    const created = spawnSync('bash', ['-c', script], { cwd: folder, env: { ...process.env, PATH: docker.path }, encoding: 'utf8' });
    expect(created.status, created.stderr).toBe(0);
    const again = docker.calls();
    expect(again.map(nameIn)).toEqual(started.map(nameIn));
    for (const [i, call] of again.entries()) expect(options(call), nameIn(call)).toEqual(options(started[i]!));
  });
});
