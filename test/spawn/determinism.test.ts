// Same input, same bytes — across processes, not within one: a pure function called twice in one
// process cannot differ, so each run here is a process of its own, under another locale, time zone,
// V8 hash seed and random seed, and the written bundles are compared byte for byte (with the
// executable bit, the one mode zkgen sets).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, tempDir } from '../helpers.js';

/** Ensembles that reach most of the renderers: several machines and a Swarm stack, TLS and SASL, non-ASCII paths, YAML input. */
const ENSEMBLES: Record<string, string> = {
  'several.json': JSON.stringify({
    image: 'zookeeper:3.9.4',
    servers: [{ host: 'zk-a.internal' }, { host: 'zk-b.internal', role: 'observer' }, { host: 'zk-c.internal' }, { id: 9, host: 'zk-c.internal' }],
    dataRoot: '/srv/zoo keeper/ärger',
    tls: { quorum: true, client: true },
    auth: { quorum: true, client: true },
    config: { snapCount: 50000, 'quorum.cnxn.threads.size': '20' },
  }),
  'bitnami.yaml': 'image: bitnamilegacy/zookeeper:3.9\nservers:\n  - {id: 3, name: "istanbul-1", dataDir: "/srv/İSTANBUL/ı"}\n  - {id: 7}\n  - {}\ntickTime: 2500\nmetrics: true\nadminServer: true\n',
};

const RUNS: Array<{ label: string; node: string[]; env: Record<string, string> }> = [
  { label: 'C locale, UTC', node: [], env: { LC_ALL: 'C', LANG: 'C', TZ: 'UTC' } },
  { label: 'Turkish locale, Chatham time', node: [], env: { LC_ALL: 'tr_TR.UTF-8', LANG: 'tr_TR.UTF-8', TZ: 'Pacific/Chatham' } },
  { label: 'German locale, Kolkata time, other V8 seeds', node: ['--hash-seed=90210', '--random-seed=4242'], env: { LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8', TZ: 'Asia/Kolkata' } },
  { label: 'no locale at all, Newfoundland time, other V8 seeds', node: ['--hash-seed=1', '--random-seed=1'], env: { TZ: 'America/St_Johns' } },
];

/** Every file below a folder: path → content and whether it is executable. */
function tree(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) for (const [p, c] of tree(path, `${rel}/`)) files.set(p, c);
    else files.set(rel, `${(statSync(path).mode & 0o111) !== 0 ? 'x' : '-'} ${readFileSync(path, 'utf8')}`);
  }
  return files;
}

describe('the same ensemble file in different processes', () => {
  it.each(Object.keys(ENSEMBLES))('%s: every run writes the same bundle and prints the same compose file, byte for byte', (name) => {
    const dir = tempDir('determinism');
    writeFileSync(join(dir, name), ENSEMBLES[name]!);
    const bundles = RUNS.map(({ label, node, env }, i) => {
      // PATH and HOME only: nothing else of the test's environment may leak in.
      const clean = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env };
      const written = spawnSync(process.execPath, [...node, CLI, name, '--out', `out${i}`], { cwd: dir, env: clean, encoding: 'utf8' });
      expect(written.status, `${label}: ${written.stderr}`).toBe(0);
      const printed = spawnSync(process.execPath, [...node, CLI, name, ...(name.startsWith('several') ? ['--host', 'zk-c.internal'] : [])], { cwd: dir, env: clean, encoding: 'utf8' });
      expect(printed.status, `${label}: ${printed.stderr}`).toBe(0);
      return { label, files: tree(join(dir, `out${i}`)), stdout: printed.stdout, stderr: written.stderr };
    });
    const [first, ...others] = bundles;
    expect(first!.files.size).toBeGreaterThan(5);
    for (const other of others) {
      expect([...other.files.keys()], other.label).toEqual([...first!.files.keys()]);
      for (const [path, content] of first!.files) expect(other.files.get(path), `${other.label}: ${path}`).toBe(content);
      expect(other.stdout, other.label).toBe(first!.stdout);
      expect(other.stderr, other.label).toBe(first!.stderr);
    }
  });
});
