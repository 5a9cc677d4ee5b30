// The CLI's three channels — exit status, stdout, stderr — for every command and mode, run
// in-process through main(argv, io). What needs the bin as a process (pipes, /dev/full, the
// installed package) is test/spawn/bin.test.ts.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import pkg from '../package.json' with { type: 'json' };
import { ROOT, runMain, tempDir, workPrefix } from './helpers.js';

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
  it("prints the tutorial's compose file on stdout, and only warnings on stderr", async () => {
    const result = await runMain(['ensemble.json'], { cwd: workdir() });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(UNPINNED);
    expect(result.stdout).toBe(readFileSync(join(ROOT, 'test/fixtures/tutorial/expected/docker-compose.yml'), 'utf8'));
  });

  it('reads the ensemble from stdin with -, as YAML or JSON', async () => {
    const fromJson = await runMain(['-'], { input: TUTORIAL });
    const fromYaml = await runMain(['-'], { input: 'image: garland/zookeeper\nservers: 3\n' });
    expect(fromJson.code).toBe(0);
    expect(fromYaml).toEqual(fromJson);
  });

  it('names stdin as <stdin> in messages', async () => {
    const result = await runMain(['-'], { input: '{ "image": "garland/zookeeper", "servers": 0 }' });
    expect(result).toEqual({ code: 1, stdout: '', stderr: '<stdin>: /servers: must be at least 1\n' });
  });

  it('keeps each problem and warning one line, whatever the file is named', async () => {
    const name = 'a\nb\u001b[2J.json';
    const result = await runMain([name], { cwd: workdir({ [name]: '{ "image": "garland/zookeeper", "servers": 0 }' }) });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'a\\nb\\u001b[2J.json: /servers: must be at least 1\n' });
  });

  it.each([
    ['a.yaml', 'servers: 0\ntickTime: .inf\n', 'a.yaml:2:11: /tickTime: ".inf" is not a number JSON can hold\na.yaml: /servers: must be at least 1\n'],
    ['t.yaml', 'servers: !!binary aGVsbG8=\ntickTime: 0\n', 't.yaml:1:19: /servers: the tag "!!binary" makes a value JSON cannot hold: write plain mappings, lists and scalars\nt.yaml: /tickTime: must be at least 1\n'],
    ['d.json', '{"servers": 0, "image": "x", "image": "y"}', 'd.json:1:30: /image: key "image" is given twice: JSON readers differ on which one counts\nd.json: /servers: must be at least 1\n'],
  ])('names every problem at once, beside a value it cannot read (%s)', async (name, text, stderr) => {
    expect(await runMain([name], { cwd: workdir({ [name]: text }) })).toEqual({ code: 1, stdout: '', stderr });
  });

  it('exits 2 with one line when the file cannot be read', async () => {
    const result = await runMain(['nowhere.json'], { cwd: workdir() });
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
  ])('exits 2 with one line for %j', async (args, line) => {
    const dir = workdir();
    const result = await runMain(args, { cwd: dir });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
    expect(readdirSync(dir)).toEqual(['ensemble.json']);
  });

  it('exits 2 for --out "": it names no folder (and would have meant the current one)', async () => {
    const dir = workdir();
    const result = await runMain(['ensemble.json', '--out', ''], { cwd: dir });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'zkgen: --out needs a folder: "" names none (--out . is the current folder)\n' });
    expect(readdirSync(dir)).toEqual(['ensemble.json']);
  });

  it('exits 2 for --out -: stdout is where the compose file goes without --out', async () => {
    const result = await runMain(['ensemble.json', '--out', '-'], { cwd: workdir() });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'zkgen: --out takes a folder; without --out, docker-compose.yml goes to stdout\n' });
  });

});

describe('zkgen FILE --out DIR', () => {
  it('writes the bundle: compose file, executable scripts, per-member conf', async () => {
    const dir = workdir();
    const result = await runMain(['ensemble.json', '--out', 'zk'], { cwd: dir });
    expect(result).toEqual({ code: 0, stdout: '', stderr: UNPINNED });
    expect(readdirSync(join(dir, 'zk')).sort()).toEqual(['backup-lib.sh', 'backup.sh', 'conf', 'docker-compose.yml', 'lib.sh', 'remove.sh', 'restore.sh', 'rolling-restart.sh', 'run.sh', 'smoke-test.sh', 'status-lib.sh', 'status.sh', 'zkgen-bundle.json', 'zkgen-manifest.txt']);
    expect(readdirSync(join(dir, 'zk', 'conf')).sort()).toEqual(['zk1', 'zk2', 'zk3']);
    expect(readFileSync(join(dir, 'zk/conf/zk2/myid'), 'utf8')).toBe('2\n');
  });

  it('replaces its own earlier bundle whole, dropping files it no longer writes', async () => {
    const dir = workdir({ 'ensemble.json': '{ "image": "garland/zookeeper", "servers": 5 }' });
    expect((await runMain(['ensemble.json', '--out', 'zk'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'ensemble.json'), TUTORIAL);
    expect((await runMain(['ensemble.json', '--out', 'zk', '--stopped'], { cwd: dir })).code).toBe(0);
    expect(readdirSync(join(dir, 'zk', 'conf')).sort()).toEqual(['zk1', 'zk2', 'zk3']);
    expect(readdirSync(dir).sort()).toEqual(['ensemble.json', 'zk']); // no staging folder left behind
  });

  it('refuses to replace a folder it did not write', async () => {
    const dir = workdir({ 'ensemble.json': PINNED });
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep me');
    const result = await runMain(['ensemble.json', '--out', 'mine'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "zkgen: --out mine: mine/notes.txt is not zkgen's (not in zkgen-manifest.txt): refusing to replace a folder holding files zkgen did not write; choose an empty or new folder\n",
    );
    expect(readdirSync(join(dir, 'mine'))).toEqual(['notes.txt']);
  });

  it('exits 2 and leaves nothing behind when the folder cannot be written', async () => {
    // A regular file where DIR's parent should be: no folder can be made there, even by root
    // (a read-only folder would not stop root, and CI runs as root).
    const dir = workdir({ 'ensemble.json': PINNED });
    writeFileSync(join(dir, 'blocker'), 'not a folder');
    const result = await runMain(['ensemble.json', '--out', 'blocker/zk'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('zkgen: cannot write blocker/zk: a file stands where the folder blocker should be\n');
    expect(readdirSync(dir).sort()).toEqual(['blocker', 'ensemble.json']);
    expect(readFileSync(join(dir, 'blocker'), 'utf8')).toBe('not a folder');
  });
});

// The signal source is main's io: in-process, the test fires it. (The bin hearing the process's
// own SIGINT and SIGTERM is test/spawn/bundle-folder.test.ts.)
describe('zkgen FILE --out DIR, stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s while it waits for another run\'s lock: exit %d, one line, DIR as it was', async (signal, code) => {
    const dir = workdir({ 'ensemble.json': PINNED });
    expect((await runMain(['ensemble.json', '--out', 'zk'], { cwd: dir })).code).toBe(0);
    const before = readFileSync(join(dir, 'zk', 'docker-compose.yml'), 'utf8');
    // A live process holds the lock: its pid and start time, as zkgen records an owner.
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const stat = readFileSync(`/proc/${holder.pid}/stat`, 'utf8');
      writeFileSync(join(dir, `${workPrefix(join(dir, 'zk'))}lock`), `${holder.pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}\n`);
      writeFileSync(join(dir, 'ensemble.json'), '{ "image": "garland/zookeeper:latest", "servers": 5, "listen": "all" }\n');
      let fire: ((s: typeof signal) => void) | undefined;
      const run = runMain(['ensemble.json', '--out', 'zk', '--stopped'], {
        cwd: dir,
        onSignal: (handler) => {
          fire = handler;
          return () => (fire = undefined);
        },
      });
      for (let waited = 0; fire === undefined && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      fire?.(signal);
      expect(await run).toEqual({ code, stdout: '', stderr: 'zkgen: --out zk: interrupted: zk left as it was\n' });
      expect(readFileSync(join(dir, 'zk', 'docker-compose.yml'), 'utf8')).toBe(before);
      expect(readdirSync(dir).filter((n) => n.startsWith('.zk.zkgen-')).sort()).toEqual([`${workPrefix(join(dir, 'zk'))}lock`]);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('zkgen FILE --out DIR --check', () => {
  it('exits 0 when DIR is up to date, 1 and the stale names when not, and writes nothing', async () => {
    const dir = workdir({ 'ensemble.json': PINNED });
    await runMain(['ensemble.json', '--out', 'zk'], { cwd: dir });
    expect(await runMain(['ensemble.json', '--out', 'zk', '--check'], { cwd: dir })).toEqual({ code: 0, stdout: '', stderr: '' });

    writeFileSync(join(dir, 'zk', 'run.sh'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'zk', 'extra.txt'), 'not zkgen');
    chmodSync(join(dir, 'zk', 'status.sh'), 0o644);
    writeFileSync(join(dir, 'ensemble.json'), '{ "image": "garland/zookeeper:latest", "servers": 3, "listen": "all", "ports": { "client": 2190 } }');
    const before = readFileSync(join(dir, 'zk', 'docker-compose.yml'), 'utf8');
    const result = await runMain(['ensemble.json', '--out', 'zk', '--check'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("zk/extra.txt: not zkgen's (not in zkgen-manifest.txt): move it out of zk;");
    expect(result.stderr.split('\n').filter(Boolean).map((l) => l.replace(/: (stale|not zkgen's).*/, ''))).toEqual([
      'zk/backup.sh',
      'zk/conf/zk1/zoo.cfg',
      'zk/conf/zk2/zoo.cfg',
      'zk/conf/zk3/zoo.cfg',
      'zk/docker-compose.yml',
      'zk/extra.txt',
      'zk/restore.sh',
      'zk/rolling-restart.sh',
      'zk/run.sh',
      'zk/smoke-test.sh',
      'zk/status.sh',
      'zk/zkgen-bundle.json',
    ]);
    expect(readFileSync(join(dir, 'zk', 'docker-compose.yml'), 'utf8')).toBe(before);
  });

  it('says in one line that DIR does not exist, and creates nothing', async () => {
    const dir = workdir({ 'ensemble.json': PINNED });
    const result = await runMain(['ensemble.json', '--out', 'zk', '--check'], { cwd: dir });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'zk does not exist: run zkgen ensemble.json --out zk\n' });
    expect(existsSync(join(dir, 'zk'))).toBe(false);
  });

  // yargs alone read --check=1 as no check: the run replaced DIR. Now it is a usage mistake, and DIR stays.
  it.each(['1', 'yes', 'on'])('refuses --check=%s in one line, and leaves DIR as it was', async (value) => {
    const dir = workdir({ 'ensemble.json': PINNED });
    expect((await runMain(['ensemble.json', '--out', 'zk'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'ensemble.json'), '{ "image": "garland/zookeeper:latest", "servers": 5, "listen": "all" }\n');
    const before = readFileSync(join(dir, 'zk', 'docker-compose.yml'), 'utf8');
    const result = await runMain(['ensemble.json', '--out', 'zk', `--check=${value}`], { cwd: dir });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `zkgen: --check=${value}: --check is a switch: give --check alone (--check=true and --check=false are read too)\n` });
    expect(readFileSync(join(dir, 'zk', 'docker-compose.yml'), 'utf8')).toBe(before);
    expect(readdirSync(join(dir, 'zk', 'conf')).sort()).toEqual(['zk1', 'zk2', 'zk3']);
  });

  it('keeps --stopped in its hint, so that the run it names is not refused', async () => {
    const dir = workdir({ 'ensemble.json': '{ "image": "zookeeper:3.9.4", "servers": 3, "reconfig": true }\n' });
    expect((await runMain(['ensemble.json', '--out', 'zk'], { cwd: dir })).code).toBe(0);
    // Five members over a bundle of three: a change of members, which --stopped writes without a move.
    writeFileSync(join(dir, 'ensemble.json'), '{ "image": "zookeeper:3.9.4", "servers": 5, "reconfig": true }\n');
    const checked = await runMain(['ensemble.json', '--out', 'zk', '--check', '--stopped'], { cwd: dir });
    expect(checked.code).toBe(1);
    const hints = checked.stderr.split('\n').filter(Boolean).map((line) => line.replace(/^.*: (stale|does not exist): /, ''));
    expect(new Set(hints)).toEqual(new Set(['run zkgen ensemble.json --out zk --stopped']));
    // The hint, followed, is taken: then the check finds DIR up to date.
    expect(await runMain(['ensemble.json', '--out', 'zk', '--stopped'], { cwd: dir })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await runMain(['ensemble.json', '--out', 'zk', '--check', '--stopped'], { cwd: dir })).code).toBe(0);
  });

  it('quotes FILE and DIR in its hint as shell words', async () => {
    const dir = workdir({ 'sp ace.json': PINNED });
    expect((await runMain(['sp ace.json', '--out', 'o u t'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'o u t', 'run.sh'), '#!/bin/sh\n');
    const result = await runMain(['sp ace.json', '--out', 'o u t', '--check'], { cwd: dir });
    expect(result).toEqual({ code: 1, stdout: '', stderr: "o u t/run.sh: stale: run zkgen 'sp ace.json' --out 'o u t'\n" });
  });
});

describe('zkgen FILE --host HOST', () => {
  const THREE = '{ "servers": [{ "host": "zk-a" }, { "host": "zk-b" }, { "id": 5, "host": "zk-c" }] }';

  it("prints that host's compose file, with only its members", async () => {
    const dir = workdir({ 'e.json': THREE });
    const result = await runMain(['e.json', '--host', 'zk-c'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  zk5:\n    container_name: zk5\n');
    expect(result.stdout).not.toContain('container_name: zk1');
    // The server list is every member's, folded over lines as YAML allows: read it as YAML.
    expect(String((parseYaml(result.stdout) as { 'x-ensemble-environment': Record<string, string> })['x-ensemble-environment'].ZOO_SERVERS)).toContain('server.5=zk-c:2888:3888;zk-c:2181');
  });

  it('refuses a host no member runs on, naming the hosts', async () => {
    const dir = workdir({ 'e.json': THREE });
    expect(await runMain(['e.json', '--host', 'zk-d'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'zkgen: no member of e.json runs on zk-d: its hosts are zk-a, zk-b, zk-c\n' });
  });

  it('refuses --host with --out', async () => {
    const dir = workdir({ 'e.json': THREE });
    const result = await runMain(['e.json', '--host', 'zk-a', '--out', 'out'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^zkgen: --host prints one host's docker-compose.yml; --out writes every host's/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it("--check covers every host's folder and the files at the top", async () => {
    const dir = workdir({ 'e.json': THREE });
    expect((await runMain(['e.json', '--out', 'out'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'out', 'hosts', 'zk-b', 'run.sh'), '# changed\n');
    writeFileSync(join(dir, 'out', 'stack.yml'), '# changed\n');
    expect(await runMain(['e.json', '--out', 'out', '--check'], { cwd: dir })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'out/hosts/zk-b/run.sh: stale: run zkgen e.json --out out\nout/stack.yml: stale: run zkgen e.json --out out\n',
    });
  });

  it('takes the one host of an ensemble on one machine', async () => {
    const dir = workdir();
    expect((await runMain(['ensemble.json', '--host', 'localhost'], { cwd: dir })).stdout).toBe((await runMain(['ensemble.json'], { cwd: dir })).stdout);
  });
});

describe('zkgen connect-string FILE', () => {
  it("prints the tutorial's connect string", async () => {
    expect(await runMain(['connect-string', 'ensemble.json'], { cwd: workdir() })).toEqual({
      code: 0,
      stdout: 'localhost:2181,localhost:2182,localhost:2183\n',
      stderr: UNPINNED,
    });
  });

  it('follows ids, hosts and ports', async () => {
    const dir = workdir({
      'e.yaml': 'image: garland/zookeeper\nhost: 127.0.0.1\nservers:\n  - id: 7\n  - id: 3\n    host: localhost\n  - id: 5\n    ports: { client: 4000 }\n',
    });
    expect((await runMain(['connect-string', 'e.yaml'], { cwd: dir })).stdout).toBe('localhost:2183,127.0.0.1:4000,127.0.0.1:2187\n');
  });

  it('gives each member alone on its machine the standard client port', async () => {
    const dir = workdir({ 'e.json': '{ "servers": [{ "host": "zk-a" }, { "host": "zk-b" }, { "host": "zk-c" }] }' });
    expect((await runMain(['connect-string', 'e.json'], { cwd: dir })).stdout).toBe('zk-a:2181,zk-b:2181,zk-c:2181\n');
  });

  it('refuses an invalid ensemble like generation does', async () => {
    const dir = workdir({ 'e.json': '{ "image": "garland/zookeeper", "servers": 20 }' });
    const result = await runMain(['connect-string', 'e.json'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
  });
});

describe('zkgen init', () => {
  const STARTER = { $schema: 'node_modules/zkgen/schema/ensemble.schema.json', image: 'zookeeper:3.9.4', servers: 3 };

  it("writes the tutorial's three members on a pinned image, which generates without a warning", async () => {
    const dir = workdir({});
    const result = await runMain(['init'], { cwd: dir });
    expect(result).toEqual({ code: 0, stdout: '', stderr: 'wrote ensemble.json: run zkgen ensemble.json --out DIR\n' });
    expect(JSON.parse(readFileSync(join(dir, 'ensemble.json'), 'utf8'))).toEqual(STARTER);
    const first = await runMain(['ensemble.json', '--out', 'zk'], { cwd: dir });
    expect(first).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await runMain(['connect-string', 'ensemble.json'], { cwd: dir })).stdout).toBe('localhost:2181,localhost:2182,localhost:2183\n');
  });

  it('writes YAML for a .yaml name, and to stdout for -', async () => {
    const dir = workdir({});
    expect((await runMain(['init', 'zk.yaml'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'zk.yaml'), 'utf8')).toBe(
      '$schema: "node_modules/zkgen/schema/ensemble.schema.json"\nimage: zookeeper:3.9.4\nservers: 3\n',
    );
    expect(await runMain(['zk.yaml'], { cwd: dir })).toMatchObject({ code: 0, stderr: '' });
    expect(await runMain(['init', '-'], { cwd: dir })).toEqual({ code: 0, stdout: `${JSON.stringify(STARTER, null, 2)}\n`, stderr: '' });
  });

  it('says the command to run next as a shell reads it', async () => {
    const dir = workdir({});
    expect(await runMain(['init', 'my ensemble.yaml'], { cwd: dir })).toEqual({ code: 0, stdout: '', stderr: "wrote my ensemble.yaml: run zkgen 'my ensemble.yaml' --out DIR\n" });
  });

  it('never replaces a file without --force', async () => {
    const dir = workdir({ 'ensemble.json': 'mine' });
    expect(await runMain(['init'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'zkgen: ensemble.json exists: give --force to replace it\n' });
    expect(readFileSync(join(dir, 'ensemble.json'), 'utf8')).toBe('mine');
    expect((await runMain(['init', '--force'], { cwd: dir })).code).toBe(0);
  });

  it('exits 2 with one line in words when the file cannot be written', async () => {
    const dir = workdir({});
    expect(await runMain(['init', 'nowhere/ensemble.json'], { cwd: dir })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'zkgen: cannot write nowhere/ensemble.json: no such file or directory\n',
    });
    expect(readdirSync(dir)).toEqual([]);
  });

});

describe('the forms of the command line', () => {
  it('are the forms --help shows', async () => {
    const help = (await runMain(['--help'])).stdout;
    for (const form of ['zkgen <file>', 'zkgen init [file]', 'zkgen connect-string <file>', '--out', '--check']) expect(help).toContain(form);
    expect((await runMain(['init', '--help'])).stdout).toContain('--force');
  });
});

describe('--help and --version', () => {
  it('prints the version of the package', async () => {
    expect(await runMain(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('prints usage with every command', async () => {
    const result = await runMain(['--help']);
    expect(result.code).toBe(0);
    for (const word of ['--out', '--check', 'init', 'connect-string']) expect(result.stdout).toContain(word);
  });
});
