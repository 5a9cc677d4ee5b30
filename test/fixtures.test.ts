// Every folder under test/fixtures/ is a case: an ensemble file beside what zkgen must write for it
// (expected/) and the warnings it must print (stderr.txt, absent when there are none). A case with
// running.json writes that ensemble's bundle first and the case's over it: the ensemble running
// from that bundle changes members (a move, src/reconfig.ts), in invalid cases too.
//
// A few cases keep their whole bundle in expected/ (the tutorial, one machine on the official
// image, several machines, TLS, a move). The others are about some of its files, which their
// about.txt names (one pattern a line, `*` standing for any part of one path segment, `#` a
// comment): expected/ holds exactly those files and zkgen-manifest.txt, the list of every path of
// the bundle, so a file appearing or going is seen in every case. `npx vitest run
// test/fixtures.test.ts -u` (after npm run build) writes expected/ again; a file no longer wanted
// there is named, to be removed by hand.
//
// Every folder under test/invalid/ is a bad input beside the exit code and the exact stderr it
// must give, with nothing on stdout and nothing written.
//
// The CLI runs in-process (main(argv, io)). Whether the committed outputs are valid compose files
// and scripts (yamllint, docker-compose, bash -n, shellcheck) is npm run lint's question
// (test/committed-outputs.lint.ts), asked once of the committed files rather than at every run.
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { composeProblems, ROOT, runMain, stackProblems, tempDir, type CliResult } from './helpers.js';

const casesIn = (dir: string) =>
  readdirSync(join(ROOT, 'test', dir), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

const ensembleFileIn = (dir: string) => {
  const name = readdirSync(dir).find((f) => /^ensemble\.(json|ya?ml)$/.test(f));
  if (!name) throw new Error(`${dir} holds no ensemble.json, ensemble.yaml or ensemble.yml`);
  return name;
};

function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

const RUNNING = 'running.json';
const MANIFEST = 'zkgen-manifest.txt';
const OVERRIDE = 'reconfigure-compose.yml';

/** The bundle of the case's running.json into work/out, when it has one: whether it did. */
async function writeRunning(caseDir: string, work: string): Promise<boolean> {
  if (!existsSync(join(caseDir, RUNNING))) return false;
  cpSync(join(caseDir, RUNNING), join(work, RUNNING));
  const result = await runMain([RUNNING, '--out', 'out'], { cwd: work });
  if (result.code !== 0) throw new Error(`${caseDir}/${RUNNING} does not generate: ${result.stderr}`);
  return true;
}

const readIfThere = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** The patterns of a case's about.txt, or undefined for a case that keeps its whole bundle. */
function aboutOf(caseDir: string): RegExp[] | undefined {
  const file = join(caseDir, 'about.txt');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((pattern) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('[^/]*')}$`));
}

describe.each(casesIn('fixtures'))('fixture %s', (name) => {
  const caseDir = join(ROOT, 'test', 'fixtures', name);
  const input = ensembleFileIn(caseDir);
  const about = aboutOf(caseDir);
  const work = tempDir(name);
  const out = join(work, 'out');
  let moving = false;
  let written: CliResult;
  let paths: string[];

  beforeAll(async () => {
    cpSync(join(caseDir, input), join(work, input));
    moving = await writeRunning(caseDir, work);
    written = await runMain([input, '--out', 'out'], { cwd: work });
    paths = filesUnder(out);
  });

  it('exits 0 with exactly the expected warnings and nothing on stdout', () => {
    expect(written.stderr).toBe(readIfThere(join(caseDir, 'stderr.txt')));
    expect(written.stdout).toBe('');
    expect(written.code).toBe(0);
  });

  it(about ? 'writes the files it is about and the manifest, byte for byte' : 'writes the expected bundle, byte for byte', async () => {
    const kept = about ? paths.filter((p) => p === MANIFEST || about.some((pattern) => pattern.test(p))) : paths;
    for (const pattern of about ?? []) expect(paths.some((p) => pattern.test(p)), `about.txt: ${pattern.source} matches no file of the bundle`).toBe(true);
    for (const p of kept) await expect(readFileSync(join(out, p), 'utf8')).toMatchFileSnapshot(join(caseDir, 'expected', p));
    // The manifest lists every path written: the bundle holds exactly those files.
    expect(paths).toEqual(readFileSync(join(out, MANIFEST), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).sort());
    // No expected file that is no longer written or wanted (vitest -u adds files, never removes them).
    expect(filesUnder(join(caseDir, 'expected')), 'expected/ holds a file to remove by hand').toEqual(kept);
  });

  // An ensemble on one machine has one compose file at the top; one on several machines has one
  // per machine, under hosts/<machine>/, and a Swarm stack beside them.
  const composeFiles = () => paths.filter((p) => /(^|\/)docker-compose\.yml$/.test(p));
  const hosts = () => composeFiles().flatMap((p) => /^hosts\/([^/]+)\//.exec(p)?.[1] ?? []);

  it('prints the same docker-compose.yml on stdout without --out (with --host for each host on several)', async () => {
    if (hosts().length === 0) {
      const printed = await runMain([input], { cwd: work });
      expect(printed.code).toBe(0);
      expect(printed.stdout).toBe(readFileSync(join(out, 'docker-compose.yml'), 'utf8'));
      return;
    }
    for (const host of hosts()) {
      const printed = await runMain([input, '--host', host], { cwd: work });
      expect(printed.code).toBe(0);
      expect(printed.stdout).toBe(readFileSync(join(out, 'hosts', host, 'docker-compose.yml'), 'utf8'));
    }
    const refused = await runMain([input], { cwd: work });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.split('\n').filter((l) => !l.includes(': warning: '))).toEqual([
      `zkgen: ${input} runs members on several hosts (${hosts().join(', ')}): print one host's docker-compose.yml with --host HOST, or write every host's with --out DIR`,
      '',
    ]);
  });

  // The compose specification's schema and the host-networking rules, in-process, over every
  // compose file written (a case's about.txt may leave some out of expected/, not out of this).
  it('writes compose files valid for the compose specification and host networking', () => {
    expect(composeFiles().length).toBeGreaterThan(0);
    for (const p of composeFiles()) expect(composeProblems(readFileSync(join(out, p), 'utf8')), p).toEqual([]);
  });

  it('writes a Swarm stack for several hosts, valid for the compose specification, one service per member pinned to its host', () => {
    if (hosts().length === 0) {
      expect(paths).not.toContain('stack.yml');
      return;
    }
    const text = readFileSync(join(out, 'stack.yml'), 'utf8');
    expect(stackProblems(text)).toEqual([]);
    // Every member is a service pinned to the host whose compose file runs it.
    for (const host of hosts()) {
      const local = readFileSync(join(out, 'hosts', host, 'docker-compose.yml'), 'utf8');
      for (const [, member] of local.matchAll(/^ {4}container_name: (\S+)$/gm)) {
        const block = text.slice(text.indexOf(`\n  ${member}:\n`), text.indexOf('\n\n', text.indexOf(`\n  ${member}:\n`)));
        expect(block, member).toContain(`"node.labels.zkgen.host == ${host}"`);
      }
    }
  });

  it('writes the scripts the ensemble asks for, executable, and beside them the libraries they source, not executable', () => {
    const isLibrary = (p: string) => /(^|\/)(backup-|reconfigure-|status-)?lib\.sh$/.test(p);
    const folders = ['', ...hosts().map((h) => `hosts/${h}/`)];
    // The move's library only beside a reconfigure.sh, which alone sources it.
    const moves = folders.filter((f) => paths.includes(`${f}reconfigure.sh`));
    expect(paths.filter(isLibrary)).toEqual([...folders.flatMap((f) => [`${f}backup-lib.sh`, `${f}lib.sh`, `${f}status-lib.sh`]), ...moves.map((f) => `${f}reconfigure-lib.sh`)].sort());
    for (const l of paths.filter(isLibrary)) expect(statSync(join(out, l)).mode & 0o111, `${l} is sourced, not run`).toBe(0);
    const scripts = paths.filter((p) => p.endsWith('.sh') && !isLibrary(p));
    // tls.sh and auth.sh only when the ensemble asks for TLS or authentication.
    const ensemble = parseYaml(readFileSync(join(caseDir, input), 'utf8')) as object;
    const keyScripts = [
      ...('auth' in ensemble ? ['auth.sh'] : []),
      ...('tls' in ensemble ? ['tls.sh'] : []),
      ...('reconfig' in ensemble && ensemble.reconfig !== false ? ['super-user.sh'] : []),
      ...(moving ? ['reconfigure.sh'] : []),
    ];
    // On several machines, a move's part for each machine with joining members (which its compose override starts).
    const machineMoves = hosts().filter((h) => paths.includes(`hosts/${h}/${OVERRIDE}`)).map((h) => `hosts/${h}/reconfigure.sh`);
    const expected =
      hosts().length === 0
        ? ['backup.sh', 'remove.sh', 'restore.sh', 'rolling-restart.sh', 'run.sh', 'smoke-test.sh', 'status.sh', ...keyScripts]
        : [
            ...hosts().flatMap((h) => ['backup.sh', 'prepare.sh', 'remove.sh', 'restore.sh', 'rolling-restart.sh', 'run.sh', 'start-restored.sh', 'status.sh'].map((s) => `hosts/${h}/${s}`)),
            'restore.sh',
            'smoke-test.sh',
            'stack-rolling-restart.sh',
            'status.sh',
            ...keyScripts,
            ...machineMoves,
          ];
    expect(scripts).toEqual([...expected].sort());
    for (const s of scripts) expect(statSync(join(out, s)).mode & 0o111, `${s} is executable`).toBe(0o111);
  });

  it('finds its own output up to date with --check', async () => {
    const checked = await runMain([input, '--out', 'out', '--check'], { cwd: work });
    expect(checked).toEqual({ code: 0, stdout: '', stderr: readIfThere(join(caseDir, 'stderr.txt')) });
  });
});

describe.each(casesIn('invalid'))('invalid input %s', (name) => {
  const caseDir = join(ROOT, 'test', 'invalid', name);
  const input = ensembleFileIn(caseDir);
  const moving = existsSync(join(caseDir, RUNNING));
  const expectedCode = Number(readFileSync(join(caseDir, 'exit-code'), 'utf8').trim());
  const expectedStderr = readFileSync(join(caseDir, 'stderr.txt'), 'utf8');

  it('prints every problem, one line each, and exits non-zero without output', async () => {
    const work = tempDir(`invalid-${name}`);
    cpSync(join(caseDir, input), join(work, input));
    await writeRunning(caseDir, work);
    const before = moving ? filesUnder(join(work, 'out')).map((p) => [p, readFileSync(join(work, 'out', p), 'utf8')]) : [];
    const result = await runMain([input, '--out', 'out'], { cwd: work });
    expect(result.stderr).toBe(expectedStderr);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(expectedCode);
    if (moving) {
      // The running ensemble's bundle, untouched.
      expect(filesUnder(join(work, 'out')).map((p) => [p, readFileSync(join(work, 'out', p), 'utf8')])).toEqual(before);
      expect(readdirSync(work).sort()).toEqual([input, 'out', RUNNING].sort());
    } else {
      expect(existsSync(join(work, 'out')), 'no output folder').toBe(false);
      expect(readdirSync(work)).toEqual([input]);
    }
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  // A move needs the running ensemble's bundle, which printing never reads.
  it.skipIf(moving)('fails the same way when printing to stdout', async () => {
    const result = await runMain([input], { cwd: caseDir });
    expect(result).toEqual({ code: expectedCode, stdout: '', stderr: expectedStderr });
  });
});
