// What of dist/ a run loads (scripts/bundle.mjs): start-up is mostly Node compiling what it loads,
// so the default command (printing docker-compose.yml) loads dist/zkgen.js alone, and each other
// file of dist/ comes in only for the run that needs it.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from '../helpers.js';

const DIST = join(ROOT, 'dist');

/**
 * The files of dist/ a run of the bin loaded, besides the bin itself, and its exit status; `cwd`, a
 * folder to run it in. `builtins`: whether the run loaded these of Node's own modules.
 */
function loaded(args: string[], { input = '', cwd = tempDir('chunks'), builtins = [] as string[] } = {}): { files: string[]; code: number | null; builtins?: boolean[] } {
  const dir = tempDir('chunks');
  const list = join(dir, 'loaded');
  const preload = join(dir, 'preload.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify({
  files: Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(`${DIST}/`)})).map((f) => f.slice(${DIST.length + 1})).sort(),
  builtins: ${JSON.stringify(builtins)}.map((name) => process.moduleLoadList.includes('NativeModule ' + name)),
})));\n`,
  );
  const run = spawnSync(process.execPath, ['--require', preload, CLI, ...args], { cwd, input, encoding: 'utf8' });
  const seen = JSON.parse(readFileSync(list, 'utf8')) as { files: string[]; builtins: boolean[] };
  return { files: seen.files.filter((f) => f !== 'cli.js'), code: run.status, ...(builtins.length > 0 && { builtins: seen.builtins }) };
}

describe('the files of dist/ a run loads', () => {
  const tutorial = join(ROOT, 'examples', 'tutorial.json');

  it('printing docker-compose.yml: dist/zkgen.js alone, and not node:assert (yargs checks with plain functions)', () => {
    // The tutorial's ensemble has warnings: they go to stderr without node:assert either.
    expect(loaded([tutorial], { builtins: ['assert'] })).toEqual({ files: ['zkgen.js'], code: 0, builtins: [false] });
  });

  it('writing the bundle: the other templates too; writing over it again: the record check', () => {
    const cwd = tempDir('chunks-bundle');
    expect(loaded([tutorial, '--out', 'zk'], { cwd })).toEqual({ files: ['templates.js', 'zkgen.js'], code: 0 });
    expect(loaded([tutorial, '--out', 'zk'], { cwd })).toEqual({ files: ['record-check.js', 'templates.js', 'zkgen.js'], code: 0 });
  });

  it('connect-string and init: dist/zkgen.js alone (yargs renders no help after a named command); their --help: the layout of help', () => {
    expect(loaded(['connect-string', tutorial])).toEqual({ files: ['zkgen.js'], code: 0 });
    expect(loaded(['init', '-'])).toEqual({ files: ['zkgen.js'], code: 0 });
    expect(loaded(['connect-string', '--help'])).toEqual({ files: ['layout.js', 'zkgen.js'], code: 0 });
  });

  it('YAML input: yaml; --help: the layout of help', () => {
    expect(loaded(['-'], { input: 'servers: 3\n' })).toEqual({ files: ['yaml.js', 'zkgen.js'], code: 0 });
    expect(loaded(['--help'])).toEqual({ files: ['layout.js', 'zkgen.js'], code: 0 });
  });

  it("a record that breaks its schema is named by the check in record-check.js, with the place it breaks at", () => {
    const cwd = tempDir('chunks-record');
    expect(spawnSync(process.execPath, [CLI, tutorial, '--out', 'zk'], { cwd }).status).toBe(0);
    const record = join(cwd, 'zk', 'zkgen-bundle.json');
    writeFileSync(record, readFileSync(record, 'utf8').replace('"id": 1,', '"id": "one",'));
    const run = spawnSync(process.execPath, [CLI, tutorial, '--out', 'zk'], { cwd, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/zkgen-bundle\.json.*schema at \/members\/0\/id: must be integer/);
  });
});
