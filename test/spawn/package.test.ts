// What `npm install zkgen` gets: the packed package, installed with no registry at all, runs on
// its own. Everything it needs at run time is inside dist/ (scripts/bundle.mjs), so it declares no
// dependencies and installing it fetches nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from '../helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;

describe('the published package', () => {
  it('declares no dependencies: the libraries it is built from are inside dist/', () => {
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) expect(pkg[field]).toBeUndefined();
  });

  // The templates are compiled into dist/ at build time (scripts/build-assets.mjs): shipping their
  // sources too would only add to the installed size (goal under 1 MB, npm run bench).
  it('holds what it runs: dist/ and the schema, not the template sources', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const packed = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(packed.filter((p) => !/^(dist|schema)\//.test(p) && !/^(package\.json|README\.md|LICENSE)$/.test(p))).toEqual([]);
    expect(packed).toContain('dist/cli.js');
    expect(packed).toContain('schema/ensemble.schema.json');
  });

  it('installs offline from its tarball into an empty project, alone, and runs there', () => {
    const dir = tempDir('package');
    // --ignore-scripts: dist/ is already built (npm test builds first); pack must not rebuild it
    // under the other tests' feet.
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = join(dir, pack.stdout.trim().split('\n').at(-1)!);
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
    const install = spawnSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--cache', join(dir, 'cache'), tarball], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(install.status, install.stderr).toBe(0);
    expect(readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['zkgen']);

    const example = join(ROOT, 'examples', 'tutorial.json');
    const installed = spawnSync(join(app, 'node_modules', '.bin', 'zkgen'), [example], { encoding: 'utf8' });
    const here = spawnSync(process.execPath, [CLI, example], { encoding: 'utf8' });
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stdout).toBe(here.stdout);
    expect(installed.stdout.length).toBeGreaterThan(0);
    // The templates other than docker-compose.yml's, yaml and help's layout are files of dist/ too,
    // loaded on first use: --out, YAML input and --help work from the install alone.
    const written = spawnSync(join(app, 'node_modules', '.bin', 'zkgen'), [example, '--out', join(dir, 'zk')], { encoding: 'utf8' });
    expect(written.status, written.stderr).toBe(0);
    expect(readFileSync(join(dir, 'zk', 'run.sh'), 'utf8')).toBe(readFileSync(join(ROOT, 'generated', 'tutorial', 'run.sh'), 'utf8'));
    const yamlInput = spawnSync(join(app, 'node_modules', '.bin', 'zkgen'), ['-'], { input: 'servers: 3\n', encoding: 'utf8' });
    expect(yamlInput.status, yamlInput.stderr).toBe(0);
    // yargs inside dist/ looks for its locales inside zkgen's folder, not in a package of the
    // project that happens to be called "locales" (node_modules/zkgen/dist/../../locales).
    mkdirSync(join(app, 'node_modules', 'locales'));
    writeFileSync(join(app, 'node_modules', 'locales', 'en.json'), '{ "Show help": "words of another package" }\n');
    const help = spawnSync(join(app, 'node_modules', '.bin', 'zkgen'), ['--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: zkgen/);
    expect(help.stdout).toContain('Show help');
  });
});
