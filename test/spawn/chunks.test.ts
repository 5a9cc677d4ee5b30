// What of dist/ a run loads (scripts/bundle.mjs): start-up is mostly Node compiling what it loads,
// so the default command (printing docker-compose.yml) loads dist/zkgen.js alone, and each other
// file of dist/ comes in only for the run that needs it.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from '../helpers.js';

const DIST = join(ROOT, 'dist');

/** The files of dist/ a run of the bin loaded, besides the bin itself, and its exit status. */
function loaded(args: string[], input = ''): { files: string[]; code: number | null } {
  const dir = tempDir('chunks');
  const list = join(dir, 'loaded');
  const preload = join(dir, 'preload.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(`${DIST}/`)})).map((f) => f.slice(${DIST.length + 1})).sort().join('\\n')));\n`,
  );
  const run = spawnSync(process.execPath, ['--require', preload, CLI, ...args], { cwd: dir, input, encoding: 'utf8' });
  return { files: readFileSync(list, 'utf8').split('\n').filter((f) => f !== 'cli.js'), code: run.status };
}

describe('the files of dist/ a run loads', () => {
  const tutorial = join(ROOT, 'examples', 'tutorial.json');

  it('printing docker-compose.yml: dist/zkgen.js alone', () => {
    expect(loaded([tutorial])).toEqual({ files: ['zkgen.js'], code: 0 });
  });

  it('writing the bundle: the other templates too', () => {
    expect(loaded([tutorial, '--out', 'zk'])).toEqual({ files: ['templates.js', 'zkgen.js'], code: 0 });
  });

  it('YAML input: yaml; --help: the layout of help', () => {
    expect(loaded(['-'], 'servers: 3\n')).toEqual({ files: ['yaml.js', 'zkgen.js'], code: 0 });
    expect(loaded(['--help'])).toEqual({ files: ['layout.js', 'zkgen.js'], code: 0 });
  });
});
