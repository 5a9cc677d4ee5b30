// npm run lint's half for what zkgen writes: the committed outputs (generated/tutorial and every
// test/fixtures/*/expected) are valid, not only the same as before. Compose and stack files against
// the compose specification and host networking's rules, through yamllint's default rules and
// through docker-compose itself (reconfigure.sh's override over the compose file beside it);
// scripts through bash -n (shellcheck reads them in scripts/shellcheck.sh). Asked once here, of
// the committed files, not at every unit run: the unit tier compares its outputs with these byte
// for byte. yamllint and docker-compose are required in CI and skipped where not installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeProblems, hasCommand, ROOT, stackProblems, yamllintProblems } from './helpers.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

const bundles = [
  join(ROOT, 'generated', 'tutorial'),
  ...readdirSync(join(ROOT, 'test', 'fixtures')).map((name) => join(ROOT, 'test', 'fixtures', name, 'expected')),
].filter((dir) => existsSync(dir));
const files = bundles.flatMap(filesUnder).sort();
const shown = (file: string) => relative(ROOT, file);

const composeFiles = files.filter((f) => f.endsWith('/docker-compose.yml'));
const stacks = files.filter((f) => f.endsWith('/stack.yml'));
const overrides = files.filter((f) => f.endsWith('/reconfigure-compose.yml'));
const scripts = files.filter((f) => f.endsWith('.sh'));

describe('the committed outputs', () => {
  it('are there to lint', () => {
    expect(bundles.length).toBeGreaterThan(10);
    expect(composeFiles.length).toBeGreaterThan(10);
    expect(stacks.length).toBeGreaterThan(2);
    expect(scripts.length).toBeGreaterThan(20);
  });

  it('compose files: the compose specification, and host networking', () => {
    for (const f of composeFiles) expect(composeProblems(readFileSync(f, 'utf8')), shown(f)).toEqual([]);
  });

  it('Swarm stacks: the compose specification, one task per member pinned to its machine', () => {
    for (const f of stacks) expect(stackProblems(readFileSync(f, 'utf8')), shown(f)).toEqual([]);
  });

  it.runIf(hasCommand('yamllint') || process.env.CI)('compose files, stacks and overrides pass yamllint with its default rules', () => {
    for (const f of [...composeFiles, ...stacks, ...overrides]) expect(yamllintProblems(f), shown(f)).toEqual([]);
  });

  it.runIf(hasCommand('docker-compose') || process.env.CI)('docker-compose accepts every compose file, stack, and override over its compose file', () => {
    const sets = [
      ...composeFiles.map((f) => [f]),
      ...stacks.map((f) => [f]),
      ...overrides.filter((f) => existsSync(join(f, '..', 'docker-compose.yml'))).map((f) => [join(f, '..', 'docker-compose.yml'), f]),
    ];
    for (const set of sets) {
      const result = spawnSync('docker-compose', [...set.flatMap((f) => ['-f', f]), 'config', '-q'], { encoding: 'utf8' });
      expect(result.error, 'docker-compose is installed').toBeUndefined();
      expect(result.stderr, set.map(shown).join(' + ')).toBe('');
      expect(result.status, set.map(shown).join(' + ')).toBe(0);
    }
  });

  it('scripts pass bash -n', () => {
    for (const f of scripts) {
      const syntax = spawnSync('bash', ['-n', f], { encoding: 'utf8' });
      expect(syntax.stderr, shown(f)).toBe('');
      expect(syntax.status, shown(f)).toBe(0);
    }
  });
});
