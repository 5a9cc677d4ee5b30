// The spawn tier: the built bin (dist/cli.js) as a process, for what only a process has — its
// real stdout and stderr (pipes, a reader that goes away, /dev/full) and the package installed.
// Everything else about the CLI is test/cli.test.ts, in-process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CLI, hasCommand, ROOT, runCli, tempDir } from '../helpers.js';

const TUTORIAL = '{ "image": "garland/zookeeper", "servers": 3 }\n';
const PINNED = '{ "image": "garland/zookeeper:latest", "servers": 3, "listen": "all" }\n';

function workdir(files: Record<string, string> = { 'ensemble.json': TUTORIAL }): string {
  const dir = tempDir('bin');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("the bin's stdout and stderr", () => {
  it('is three lines that call main()', () => {
    expect(readFileSync(CLI, 'utf8').trimEnd().split('\n')).toHaveLength(3);
  });

  // A non-blocking pipe that fills up (EAGAIN): the reader still gets every byte in order, and a
  // reader that goes away still means a quiet exit 0.
  it.runIf(hasCommand('python3'))('writes through a full non-blocking pipe whole, and stops quietly when its reader goes', () => {
    const dir = workdir({ 'big.json': '{ "image": "zookeeper:3.9.4", "servers": 255 }' });
    const reader = (keep: 'all' | 'some') => `
import os, subprocess, sys, time
r, w = os.pipe()
os.set_blocking(w, False)
p = subprocess.Popen([sys.argv[1], sys.argv[2], 'big.json'], stdout=w, stderr=subprocess.PIPE)
os.close(w)
time.sleep(0.3)
out = b''
while True:
    chunk = os.read(r, 65536 if ${keep === 'all' ? 'True' : 'False'} else 1000)
    out += chunk
    if not chunk or ${keep === 'all' ? 'False' : 'True'}:
        break
os.close(r)
err = p.stderr.read()
sys.stdout.buffer.write(b'%d %d\\n' % (p.wait(), len(out)) + err + b'\\n' + out)
`;
    const expected = runCli(['big.json'], { cwd: dir }).stdout;
    const all = spawnSync('python3', ['-c', reader('all'), process.execPath, CLI], { cwd: dir, encoding: 'utf8' });
    expect(all.stdout).toBe(`0 ${Buffer.byteLength(expected)}\n\n${expected}`);
    const some = spawnSync('python3', ['-c', reader('some'), process.execPath, CLI], { cwd: dir, encoding: 'utf8' });
    expect(some.stdout).toBe(`0 1000\n\n${expected.slice(0, 1000)}`);
  });

  // stderr is written straight to its descriptor (src/cli.ts): what a full non-blocking pipe does
  // not take at once still reaches the reader, whole and in order, once it reads.
  it.runIf(hasCommand('python3'))('writes every problem through a full non-blocking stderr pipe', () => {
    const servers = Array.from({ length: 255 }, (_, i) => ({ [`unknown-key-of-member-${i}-`.padEnd(250, 'x')]: true }));
    const dir = workdir({ 'bad.json': JSON.stringify({ image: 'zookeeper:3.9.4', servers }) });
    const expected = runCli(['bad.json'], { cwd: dir });
    expect(expected.code).toBe(1);
    expect(Buffer.byteLength(expected.stderr)).toBeGreaterThan(2 * 65536); // more than a pipe holds
    const reader = `
import os, subprocess, sys, time
r, w = os.pipe()
os.set_blocking(w, False)
p = subprocess.Popen([sys.argv[1], sys.argv[2], 'bad.json'], stdout=subprocess.DEVNULL, stderr=w)
os.close(w)
time.sleep(0.3)
err = b''
while True:
    chunk = os.read(r, 65536)
    if not chunk:
        break
    err += chunk
sys.stdout.buffer.write(b'%d\\n' % p.wait() + err)
`;
    const run = spawnSync('python3', ['-c', reader, process.execPath, CLI], { cwd: dir, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    expect(run.stdout).toBe(`1\n${expected.stderr}`);
  });

  it('stops quietly when the reader of stdout goes away', () => {
    const dir = workdir({ 'big.json': '{ "servers": 255 }' });
    const result = spawnSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(CLI)} big.json | head -c 10 >/dev/null`], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  // /dev/full: every write fails with ENOSPC. Each command that prints says so in one line.
  it.each([[['ensemble.json']], [['connect-string', 'ensemble.json']], [['init', '-']], [['--help']]])(
    'exits 2 with one line when stdout cannot be written: %j',
    (args) => {
      const dir = workdir({ 'ensemble.json': PINNED });
      const result = spawnSync('bash', ['-c', 'node "$0" "$@" >/dev/full', CLI, ...args], { cwd: dir, encoding: 'utf8' });
      expect(result.stderr).toBe('zkgen: cannot write to standard output: no space left on device\n');
      expect(result.status).toBe(2);
      expect(readdirSync(dir)).toEqual(['ensemble.json']);
    },
  );

  it('keeps its own exit status when stderr cannot be written', () => {
    const result = spawnSync('bash', ['-c', 'node "$0" nowhere.json 2>/dev/full', CLI], { cwd: workdir(), encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });
});

describe('the bin installed', () => {
  it('points $schema at the schema inside the installed package, from wherever the file is', () => {
    // The package as npm would publish it must hold the schema (package.json "files").
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const packed = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(packed).toContain('schema/ensemble.schema.json');
    // A project with zkgen installed locally (a link to this package stands in for the install),
    // running the installed bin, as `npx zkgen` there does.
    const project = tempDir('installed');
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(ROOT, join(project, 'node_modules', 'zkgen'));
    mkdirSync(join(project, 'deploy', 'zk'), { recursive: true });
    const bin = join(project, 'node_modules', 'zkgen', 'dist', 'cli.js');
    for (const file of ['ensemble.json', 'deploy/zk/ensemble.yaml']) {
      const run = spawnSync(process.execPath, [bin, 'init', file], { cwd: project, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const text = readFileSync(join(project, file), 'utf8');
      const written = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as { $schema?: unknown };
      const reference = String(written.$schema);
      expect(reference).not.toMatch(/^\//); // relative: the same wherever the project is checked out
      const target = resolve(dirname(join(project, file)), reference);
      expect(target.startsWith(join(project, 'node_modules', 'zkgen') + sep), reference).toBe(true);
      expect(realpathSync(target)).toBe(join(ROOT, 'schema', 'ensemble.schema.json'));
    }
  });
});
