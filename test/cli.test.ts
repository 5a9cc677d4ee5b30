// The built binary's three channels — exit status, stdout, stderr — for every command and mode.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { CLI, ROOT, runCli, tempDir } from './helpers.js';

const TUTORIAL = '{ "image": "garland/zookeeper", "servers": 3 }\n';
const UNPINNED =
  'ensemble.json: /image: warning: "garland/zookeeper" names no tag or digest, so Docker runs whatever is latest when it pulls: pin a version\n';
const PINNED = '{ "image": "garland/zookeeper:latest", "servers": 3 }\n';

function workdir(files: Record<string, string> = { 'ensemble.json': TUTORIAL }): string {
  const dir = tempDir('cli');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('zkgen FILE', () => {
  it("prints the tutorial's compose file on stdout, and only warnings on stderr", () => {
    const result = runCli(['ensemble.json'], { cwd: workdir() });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(UNPINNED);
    expect(result.stdout).toBe(readFileSync(join(ROOT, 'test/fixtures/tutorial/expected/docker-compose.yml'), 'utf8'));
  });

  it('reads the ensemble from stdin with -, as YAML or JSON', () => {
    const fromJson = runCli(['-'], { input: TUTORIAL });
    const fromYaml = runCli(['-'], { input: 'image: garland/zookeeper\nservers: 3\n' });
    expect(fromJson.code).toBe(0);
    expect(fromYaml).toEqual(fromJson);
  });

  it('names stdin as <stdin> in messages', () => {
    const result = runCli(['-'], { input: '{ "image": "garland/zookeeper", "servers": 0 }' });
    expect(result).toEqual({ code: 1, stdout: '', stderr: '<stdin>: /servers: must be at least 1\n' });
  });

  it('gives the same bytes on every run', () => {
    const dir = workdir();
    expect(runCli(['ensemble.json'], { cwd: dir }).stdout).toBe(runCli(['ensemble.json'], { cwd: dir }).stdout);
  });

  it('exits 2 with one line when the file cannot be read', () => {
    const result = runCli(['nowhere.json'], { cwd: workdir() });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'zkgen: cannot read nowhere.json: no such file\n' });
  });

  it('exits 2 on unknown options and missing arguments', () => {
    const unknown = runCli(['ensemble.json', '--outt', 'x'], { cwd: workdir() });
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^zkgen: Unknown argument: outt \(see zkgen --help\)\n$/);
    const missing = runCli([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')).toHaveLength(2);
  });

  it('exits 2 for --out -: stdout is where the compose file goes without --out', () => {
    const result = runCli(['ensemble.json', '--out', '-'], { cwd: workdir() });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'zkgen: --out takes a folder; without --out, docker-compose.yml goes to stdout\n' });
  });

  it('stops quietly when the reader of stdout goes away', () => {
    const dir = workdir({ 'big.json': '{ "servers": 255 }' });
    const result = spawnSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(CLI)} big.json | head -c 10 >/dev/null`], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('exits 2 for --check without --out', () => {
    const result = runCli(['ensemble.json', '--check'], { cwd: workdir() });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'zkgen: --check compares with a folder: give it with --out DIR\n' });
  });
});

describe('zkgen FILE --out DIR', () => {
  it('writes the bundle: compose file, executable scripts, per-member conf', () => {
    const dir = workdir();
    const result = runCli(['ensemble.json', '--out', 'zk'], { cwd: dir });
    expect(result).toEqual({ code: 0, stdout: '', stderr: UNPINNED });
    expect(readdirSync(join(dir, 'zk')).sort()).toEqual(['conf', 'docker-compose.yml', 'remove.sh', 'rolling-restart.sh', 'run.sh', 'smoke-test.sh', 'status.sh']);
    expect(readdirSync(join(dir, 'zk', 'conf')).sort()).toEqual(['zk1', 'zk2', 'zk3']);
    expect(readFileSync(join(dir, 'zk/conf/zk2/myid'), 'utf8')).toBe('2\n');
  });

  it('replaces its own earlier bundle whole, dropping files it no longer writes', () => {
    const dir = workdir({ 'ensemble.json': '{ "image": "garland/zookeeper", "servers": 5 }' });
    expect(runCli(['ensemble.json', '--out', 'zk'], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, 'ensemble.json'), TUTORIAL);
    expect(runCli(['ensemble.json', '--out', 'zk'], { cwd: dir }).code).toBe(0);
    expect(readdirSync(join(dir, 'zk', 'conf')).sort()).toEqual(['zk1', 'zk2', 'zk3']);
    expect(readdirSync(dir).sort()).toEqual(['ensemble.json', 'zk']); // no staging folder left behind
  });

  it('refuses to replace a folder it did not write', () => {
    const dir = workdir({ 'ensemble.json': PINNED });
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep me');
    const result = runCli(['ensemble.json', '--out', 'mine'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("zkgen: mine holds files zkgen did not write (no docker-compose.yml of zkgen's): refusing to replace it\n");
    expect(readdirSync(join(dir, 'mine'))).toEqual(['notes.txt']);
  });

  it('exits 2 and leaves nothing behind when the folder cannot be written', () => {
    // A regular file where DIR's parent should be: no folder can be made there, even by root
    // (a read-only folder would not stop root, and CI runs as root).
    const dir = workdir({ 'ensemble.json': PINNED });
    writeFileSync(join(dir, 'blocker'), 'not a folder');
    const result = runCli(['ensemble.json', '--out', 'blocker/zk'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^zkgen: cannot write blocker\/zk: .*\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir).sort()).toEqual(['blocker', 'ensemble.json']);
    expect(readFileSync(join(dir, 'blocker'), 'utf8')).toBe('not a folder');
  });
});

describe('zkgen FILE --out DIR --check', () => {
  it('exits 0 when DIR is up to date, 1 and the stale names when not, and writes nothing', () => {
    const dir = workdir({ 'ensemble.json': PINNED });
    runCli(['ensemble.json', '--out', 'zk'], { cwd: dir });
    expect(runCli(['ensemble.json', '--out', 'zk', '--check'], { cwd: dir })).toEqual({ code: 0, stdout: '', stderr: '' });

    writeFileSync(join(dir, 'zk', 'run.sh'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'zk', 'extra.txt'), 'not zkgen');
    chmodSync(join(dir, 'zk', 'status.sh'), 0o644);
    writeFileSync(join(dir, 'ensemble.json'), '{ "image": "garland/zookeeper:latest", "servers": 3, "ports": { "client": 2190 } }');
    const before = readFileSync(join(dir, 'zk', 'docker-compose.yml'), 'utf8');
    const result = runCli(['ensemble.json', '--out', 'zk', '--check'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean).map((l) => l.replace(/: stale: .*/, ''))).toEqual([
      'zk/conf/zk1/zoo.cfg',
      'zk/conf/zk2/zoo.cfg',
      'zk/conf/zk3/zoo.cfg',
      'zk/docker-compose.yml',
      'zk/extra.txt',
      'zk/rolling-restart.sh',
      'zk/run.sh',
      'zk/smoke-test.sh',
      'zk/status.sh',
    ]);
    expect(readFileSync(join(dir, 'zk', 'docker-compose.yml'), 'utf8')).toBe(before);
  });

  it('reports every file stale when DIR does not exist, and creates nothing', () => {
    const dir = workdir({ 'ensemble.json': PINNED });
    const result = runCli(['ensemble.json', '--out', 'zk', '--check'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(12);
    expect(existsSync(join(dir, 'zk'))).toBe(false);
  });
});

describe('zkgen FILE --host HOST', () => {
  const THREE = '{ "servers": [{ "host": "zk-a" }, { "host": "zk-b" }, { "id": 5, "host": "zk-c" }] }';

  it("prints that host's compose file, with only its members", () => {
    const dir = workdir({ 'e.json': THREE });
    const result = runCli(['e.json', '--host', 'zk-c'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  zk5:\n    container_name: zk5\n');
    expect(result.stdout).not.toContain('container_name: zk1');
    expect(result.stdout).toContain('server.5=zk-c:2888:3888;2181');
  });

  it('refuses a host no member runs on, naming the hosts', () => {
    const dir = workdir({ 'e.json': THREE });
    expect(runCli(['e.json', '--host', 'zk-d'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'zkgen: no member of e.json runs on zk-d: its hosts are zk-a, zk-b, zk-c\n' });
  });

  it('refuses --host with --out', () => {
    const dir = workdir({ 'e.json': THREE });
    const result = runCli(['e.json', '--host', 'zk-a', '--out', 'out'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^zkgen: --host prints one host's docker-compose.yml; --out writes every host's/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it("--check covers every host's folder and the files at the top", () => {
    const dir = workdir({ 'e.json': THREE });
    expect(runCli(['e.json', '--out', 'out'], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, 'out', 'hosts', 'zk-b', 'run.sh'), '# changed\n');
    writeFileSync(join(dir, 'out', 'stack.yml'), '# changed\n');
    expect(runCli(['e.json', '--out', 'out', '--check'], { cwd: dir })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'out/hosts/zk-b/run.sh: stale: run zkgen e.json --out out\nout/stack.yml: stale: run zkgen e.json --out out\n',
    });
  });

  it('takes the one host of an ensemble on one machine', () => {
    const dir = workdir();
    expect(runCli(['ensemble.json', '--host', 'localhost'], { cwd: dir }).stdout).toBe(runCli(['ensemble.json'], { cwd: dir }).stdout);
  });
});

describe('zkgen connect-string FILE', () => {
  it("prints the tutorial's connect string", () => {
    expect(runCli(['connect-string', 'ensemble.json'], { cwd: workdir() })).toEqual({
      code: 0,
      stdout: 'localhost:2181,localhost:2182,localhost:2183\n',
      stderr: UNPINNED,
    });
  });

  it('follows ids, hosts and ports', () => {
    const dir = workdir({
      'e.yaml': 'image: garland/zookeeper\nhost: 127.0.0.1\nservers:\n  - id: 7\n  - id: 3\n    host: localhost\n  - id: 5\n    ports: { client: 4000 }\n',
    });
    expect(runCli(['connect-string', 'e.yaml'], { cwd: dir }).stdout).toBe('localhost:2183,127.0.0.1:4000,127.0.0.1:2187\n');
  });

  it('gives each member alone on its machine the standard client port', () => {
    const dir = workdir({ 'e.json': '{ "servers": [{ "host": "zk-a" }, { "host": "zk-b" }, { "host": "zk-c" }] }' });
    expect(runCli(['connect-string', 'e.json'], { cwd: dir }).stdout).toBe('zk-a:2181,zk-b:2181,zk-c:2181\n');
  });

  it('refuses an invalid ensemble like generation does', () => {
    const dir = workdir({ 'e.json': '{ "image": "garland/zookeeper", "servers": 20 }' });
    const result = runCli(['connect-string', 'e.json'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
  });
});

describe('zkgen init', () => {
  it("writes the tutorial's ensemble, which generates the tutorial's files", () => {
    const dir = workdir({});
    const result = runCli(['init'], { cwd: dir });
    expect(result).toEqual({ code: 0, stdout: '', stderr: 'wrote ensemble.json: run zkgen ensemble.json --out DIR\n' });
    expect(JSON.parse(readFileSync(join(dir, 'ensemble.json'), 'utf8'))).toEqual({ image: 'garland/zookeeper', servers: 3 });
    expect(runCli(['ensemble.json'], { cwd: dir }).stdout).toBe(runCli(['-'], { input: TUTORIAL }).stdout);
  });

  it('writes YAML for a .yaml name, and to stdout for -', () => {
    const dir = workdir({});
    expect(runCli(['init', 'zk.yaml'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, 'zk.yaml'), 'utf8')).toBe('image: garland/zookeeper\nservers: 3\n');
    expect(runCli(['init', '-']).stdout).toBe('{\n  "image": "garland/zookeeper",\n  "servers": 3\n}\n');
  });

  it('never replaces a file without --force', () => {
    const dir = workdir({ 'ensemble.json': 'mine' });
    expect(runCli(['init'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'zkgen: ensemble.json exists: give --force to replace it\n' });
    expect(readFileSync(join(dir, 'ensemble.json'), 'utf8')).toBe('mine');
    expect(runCli(['init', '--force'], { cwd: dir }).code).toBe(0);
  });
});

describe('--help and --version', () => {
  it('prints the version of the package', () => {
    expect(runCli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('prints usage with every command', () => {
    const result = runCli(['--help']);
    expect(result.code).toBe(0);
    for (const word of ['--out', '--check', 'init', 'connect-string']) expect(result.stdout).toContain(word);
  });
});
