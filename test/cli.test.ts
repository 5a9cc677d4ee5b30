// The built binary's three channels — exit status, stdout, stderr — for every command and mode.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import pkg from '../package.json' with { type: 'json' };
import { CLI, hasCommand, ROOT, runCli, tempDir } from './helpers.js';

const TUTORIAL = '{ "image": "garland/zookeeper", "servers": 3 }\n';
const UNPINNED =
  'ensemble.json: /image: warning: garland/zookeeper cannot be told where to listen: each member\'s client port listens on every interface of its machine; say "listen": "all" to accept that, or use an image that can bind\n' +
  'ensemble.json: /image: warning: "garland/zookeeper" names no tag or digest, so Docker runs whatever is latest when it pulls: pin a version\n';
const PINNED = '{ "image": "garland/zookeeper:latest", "servers": 3, "listen": "all" }\n';

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

  it('exits 2 with one line when the file cannot be read', () => {
    const result = runCli(['nowhere.json'], { cwd: workdir() });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'zkgen: cannot read nowhere.json: no such file\n' });
  });

  // The usage contract, whole: exit 2, nothing on stdout, one line on stderr, nothing written.
  it.each([
    [['ensemble.json', '--out'], 'zkgen: --out needs a value: --out DIR (see zkgen --help)'],
    [['ensemble.json', '--out', 'a', '--out', 'b'], 'zkgen: --out is given twice: give it once'],
    [['ensemble.json', '--check'], 'zkgen: --check compares with a folder: give it with --out DIR'],
    [['ensemble.json', '--outt', 'x'], 'zkgen: unknown option --outt (did you mean --out?)'],
    [['ensemble.json', '--out', 'zk', '--chek'], 'zkgen: unknown option --chek (did you mean --check?)'],
    [['connect', 'ensemble.json'], 'zkgen: unknown command connect (did you mean connect-string?)'],
    [['ensemble.json', 'ensemble.json'], 'zkgen: unexpected argument "ensemble.json" (see zkgen --help)'],
    [['ensemble.json', '--out', 'zk', '--', 'more'], 'zkgen: unexpected argument "more" (see zkgen --help)'],
    [['init', '--force', '--out', 'x'], 'zkgen: unknown option --out (see zkgen --help)'],
    [['ensemble.json', '--\u001b[31mred'], 'zkgen: unknown option "--\\u001b[31mred" (see zkgen --help)'],
    [[], 'zkgen: no ensemble file given (see zkgen --help)'],
  ])('exits 2 with one line for %j', (args, line) => {
    const dir = workdir();
    const result = runCli(args, { cwd: dir });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
    expect(readdirSync(dir)).toEqual(['ensemble.json']);
  });

  it('exits 2 for --out "": it names no folder (and would have meant the current one)', () => {
    const dir = workdir();
    const result = runCli(['ensemble.json', '--out', ''], { cwd: dir });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'zkgen: --out needs a folder: "" names none (--out . is the current folder)\n' });
    expect(readdirSync(dir)).toEqual(['ensemble.json']);
  });

  it('exits 2 for --out -: stdout is where the compose file goes without --out', () => {
    const result = runCli(['ensemble.json', '--out', '-'], { cwd: workdir() });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'zkgen: --out takes a folder; without --out, docker-compose.yml goes to stdout\n' });
  });

  // A non-blocking pipe that fills up (EAGAIN) hands the rest of the output to Node's stream: the
  // reader still gets every byte in order, and a reader that goes away still means a quiet exit 0.
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

describe('zkgen FILE --out DIR', () => {
  it('writes the bundle: compose file, executable scripts, per-member conf', () => {
    const dir = workdir();
    const result = runCli(['ensemble.json', '--out', 'zk'], { cwd: dir });
    expect(result).toEqual({ code: 0, stdout: '', stderr: UNPINNED });
    expect(readdirSync(join(dir, 'zk')).sort()).toEqual(['conf', 'docker-compose.yml', 'lib.sh', 'remove.sh', 'rolling-restart.sh', 'run.sh', 'smoke-test.sh', 'status.sh', 'zkgen-manifest.txt']);
    expect(readdirSync(join(dir, 'zk', 'conf')).sort()).toEqual(['zk1', 'zk2', 'zk3']);
    expect(readFileSync(join(dir, 'zk/conf/zk2/myid'), 'utf8')).toBe('2\n');
  });

  it('replaces its own earlier bundle whole, dropping files it no longer writes', () => {
    const dir = workdir({ 'ensemble.json': '{ "image": "garland/zookeeper", "servers": 5 }' });
    expect(runCli(['ensemble.json', '--out', 'zk'], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, 'ensemble.json'), TUTORIAL);
    expect(runCli(['ensemble.json', '--out', 'zk', '--stopped'], { cwd: dir }).code).toBe(0);
    expect(readdirSync(join(dir, 'zk', 'conf')).sort()).toEqual(['zk1', 'zk2', 'zk3']);
    expect(readdirSync(dir).sort()).toEqual(['ensemble.json', 'zk']); // no staging folder left behind
  });

  it('refuses to replace a folder it did not write', () => {
    const dir = workdir({ 'ensemble.json': PINNED });
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep me');
    const result = runCli(['ensemble.json', '--out', 'mine'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "zkgen: --out mine: mine/notes.txt is not zkgen's (not in zkgen-manifest.txt): refusing to replace a folder holding files zkgen did not write; choose an empty or new folder\n",
    );
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
    expect(result.stderr).toBe('zkgen: cannot write blocker/zk: a file stands where the folder blocker should be\n');
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
    writeFileSync(join(dir, 'ensemble.json'), '{ "image": "garland/zookeeper:latest", "servers": 3, "listen": "all", "ports": { "client": 2190 } }');
    const before = readFileSync(join(dir, 'zk', 'docker-compose.yml'), 'utf8');
    const result = runCli(['ensemble.json', '--out', 'zk', '--check'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("zk/extra.txt: not zkgen's (not in zkgen-manifest.txt): move it out of zk;");
    expect(result.stderr.split('\n').filter(Boolean).map((l) => l.replace(/: (stale|not zkgen's).*/, ''))).toEqual([
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

  it('says in one line that DIR does not exist, and creates nothing', () => {
    const dir = workdir({ 'ensemble.json': PINNED });
    const result = runCli(['ensemble.json', '--out', 'zk', '--check'], { cwd: dir });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'zk does not exist: run zkgen ensemble.json --out zk\n' });
    expect(existsSync(join(dir, 'zk'))).toBe(false);
  });

  it('quotes FILE and DIR in its hint as shell words', () => {
    const dir = workdir({ 'sp ace.json': PINNED });
    expect(runCli(['sp ace.json', '--out', 'o u t'], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, 'o u t', 'run.sh'), '#!/bin/sh\n');
    const result = runCli(['sp ace.json', '--out', 'o u t', '--check'], { cwd: dir });
    expect(result).toEqual({ code: 1, stdout: '', stderr: "o u t/run.sh: stale: run zkgen 'sp ace.json' --out 'o u t'\n" });
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
    // The server list is every member's, folded over lines as YAML allows: read it as YAML.
    expect(String((parseYaml(result.stdout) as { 'x-ensemble-environment': Record<string, string> })['x-ensemble-environment'].ZOO_SERVERS)).toContain('server.5=zk-c:2888:3888;zk-c:2181');
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
  const STARTER = { $schema: 'node_modules/zkgen/schema/ensemble.schema.json', image: 'zookeeper:3.9.4', servers: 3 };

  it("writes the tutorial's three members on a pinned image, which generates without a warning", () => {
    const dir = workdir({});
    const result = runCli(['init'], { cwd: dir });
    expect(result).toEqual({ code: 0, stdout: '', stderr: 'wrote ensemble.json: run zkgen ensemble.json --out DIR\n' });
    expect(JSON.parse(readFileSync(join(dir, 'ensemble.json'), 'utf8'))).toEqual(STARTER);
    const first = runCli(['ensemble.json', '--out', 'zk'], { cwd: dir });
    expect(first).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(runCli(['connect-string', 'ensemble.json'], { cwd: dir }).stdout).toBe('localhost:2181,localhost:2182,localhost:2183\n');
  });

  it('writes YAML for a .yaml name, and to stdout for -', () => {
    const dir = workdir({});
    expect(runCli(['init', 'zk.yaml'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, 'zk.yaml'), 'utf8')).toBe(
      '$schema: "node_modules/zkgen/schema/ensemble.schema.json"\nimage: zookeeper:3.9.4\nservers: 3\n',
    );
    expect(runCli(['zk.yaml'], { cwd: dir })).toMatchObject({ code: 0, stderr: '' });
    expect(runCli(['init', '-'], { cwd: dir })).toEqual({ code: 0, stdout: `${JSON.stringify(STARTER, null, 2)}\n`, stderr: '' });
  });

  it('never replaces a file without --force', () => {
    const dir = workdir({ 'ensemble.json': 'mine' });
    expect(runCli(['init'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'zkgen: ensemble.json exists: give --force to replace it\n' });
    expect(readFileSync(join(dir, 'ensemble.json'), 'utf8')).toBe('mine');
    expect(runCli(['init', '--force'], { cwd: dir }).code).toBe(0);
  });

  it('exits 2 with one line in words when the file cannot be written', () => {
    const dir = workdir({});
    expect(runCli(['init', 'nowhere/ensemble.json'], { cwd: dir })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'zkgen: cannot write nowhere/ensemble.json: no such file or directory\n',
    });
    expect(readdirSync(dir)).toEqual([]);
  });

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

describe("README's Use lines", () => {
  it('run as written, in order, in an empty folder, and print what their comments say', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /## Use\n\n```sh\n([^]*?)```/.exec(readme)![1]!;
    const dir = workdir({});
    const lines = block.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      const [command, comment] = line.split(/\s+# /) as [string, string];
      const [words, redirect] = command.trim().split(/\s*>\s*/) as [string, string | undefined];
      const [name, ...args] = words.split(/\s+/);
      expect(name).toBe('zkgen');
      const result = runCli(args, { cwd: dir });
      expect(result, line).toMatchObject({ code: 0, stderr: args[0] === 'init' ? 'wrote ensemble.json: run zkgen ensemble.json --out DIR\n' : '' });
      if (redirect) writeFileSync(join(dir, redirect), result.stdout);
      if (args[0] === 'connect-string') expect(result.stdout.trim()).toBe(comment.trim());
      if (args[0] === 'init') expect(comment).toContain((JSON.parse(readFileSync(join(dir, 'ensemble.json'), 'utf8')) as { image: string }).image);
    }
  });

  it('are the forms --help shows', () => {
    const help = runCli(['--help']).stdout;
    for (const form of ['zkgen <file>', 'zkgen init [file]', 'zkgen connect-string <file>', '--out', '--check']) expect(help).toContain(form);
    expect(runCli(['init', '--help']).stdout).toContain('--force');
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
