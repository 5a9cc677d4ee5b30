// The bundle's scripts, as every fixture's ensemble (and its move, when it has a running.json)
// renders them through the core: each reads as one page an operator can hold (at most 200 lines),
// what they share is said once in the library they source beside them (lib.sh), and every rolling
// restart asks the whole ensemble before each member through that library.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatOf, generate, parse, type BundleRecord, type GeneratedFile } from '../src/index.js';
import { recordOfBundle, ROOT } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');
const LIBRARY = 'lib.sh';
const BACKUP_LIBRARY = 'backup-lib.sh';
const MAX_LINES = 200;
const isLibrary = (path: string) => path === LIBRARY || path.endsWith(`/${LIBRARY}`);

function valueOf(file: string): unknown {
  const parsed = parse(readFileSync(file), formatOf(file));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.value;
}

function filesOf(value: unknown, running?: BundleRecord): GeneratedFile[] {
  const outcome = generate(value, running ? { running } : {});
  if (!outcome.ok) throw new Error(outcome.errors.map((e) => e.message).join('; '));
  return outcome.files;
}

/** Every fixture's bundle (its move's, over the bundle of its running.json, when it has one). */
const bundles = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()
  .map((name): [string, GeneratedFile[]] => {
    const dir = join(FIXTURES, name);
    const input = readdirSync(dir).find((f) => /^ensemble\.(json|ya?ml)$/.test(f));
    if (!input) throw new Error(`${dir} holds no ensemble file`);
    const runningFile = join(dir, 'running.json');
    const running = existsSync(runningFile) ? recordOfBundle(filesOf(valueOf(runningFile))) : undefined;
    return [name, filesOf(valueOf(join(dir, input)), running)];
  });

const scriptsOf = (files: GeneratedFile[]) => files.filter((f) => f.path.endsWith('.sh'));
const folderOf = (path: string) => (dirname(path) === '.' ? '' : `${dirname(path)}/`);
/** The probe every script asks a member with: bash's /dev/tcp, written once. */
const PROBE = `bash -c 'exec 3<>"/dev/tcp/$1/$2"`;

describe.each(bundles)('the scripts of fixture %s', (_, files) => {
  it(`are each at most ${MAX_LINES} lines`, () => {
    const long = scriptsOf(files)
      .map((f) => [f.path, f.content.split('\n').length - 1] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('source the one library beside them, which alone writes the probe and the rolling restart', () => {
    const library = files.find((f) => f.path === LIBRARY);
    expect(library?.executable).toBe(false);
    for (const script of scriptsOf(files).filter((f) => !isLibrary(f.path))) {
      if (!/^source (.*\/|"?)lib\.sh"?$/m.test(script.content)) continue;
      // A hosts/<machine>/ folder copied alone to its machine has what its scripts source.
      expect(files.find((f) => f.path === `${folderOf(script.path)}${LIBRARY}`)?.content, script.path).toBe(library?.content);
    }
    // backup.sh and the restore scripts share backup-lib.sh the same way: the one at the top.
    const backupLibrary = files.find((f) => f.path === BACKUP_LIBRARY);
    expect(backupLibrary?.executable).toBe(false);
    for (const script of scriptsOf(files).filter((f) => /^source .*backup-lib\.sh"?$/m.test(f.content))) {
      expect(files.find((f) => f.path === `${folderOf(script.path)}${BACKUP_LIBRARY}`)?.content, script.path).toBe(backupLibrary?.content);
    }
    const writers = scriptsOf(files).filter((f) => f.content.includes(PROBE) || /^roll\(\)/m.test(f.content));
    expect(writers.map((f) => f.path)).toEqual(files.filter((f) => isLibrary(f.path)).map((f) => f.path));
  });

  it('restart members only through the library, which asks every member of the ensemble before each', () => {
    const restarts = scriptsOf(files).filter((f) => /(^|\/)(stack-)?rolling-restart\.sh$/.test(f.path));
    expect(restarts.length).toBeGreaterThan(0);
    const everyone = files.filter((f) => /^conf\/[^/]+\/myid$/.test(f.path)).length;
    for (const script of restarts) {
      expect(script.content, script.path).toMatch(/^roll "\$wait_seconds" restart /m);
      // names is the whole ensemble, wherever the script runs: the rolling restart checks it all.
      const names = /^names=\((.*)\)$/m.exec(script.content)?.[1]?.split(' ') ?? [];
      expect(names.length, script.path).toBe(everyone);
    }
  });
});

// Issue 21: a leaving observer under client TLS (its plaintext client port closed) was never
// stopped: the top-level reconfigure.sh looked for it at a port read out of its server line, which
// then holds `observer` where the client port would be, found nothing listening and ended "ok" with
// the container running. It asks the leaving member's secure client port, where it still listens.
describe('reconfigure.sh on several machines, a leaving observer under client TLS', () => {
  const servers = [{ host: '10.0.0.11' }, { host: '10.0.0.12' }, { host: '10.0.0.13' }];
  const ensemble = (more: object[]) => ({ image: 'zookeeper:3.9.4', reconfig: true, tls: { client: true, keys: '/data/tls' }, servers: [...servers, ...more] });
  const running = recordOfBundle(filesOf(ensemble([{ host: '10.0.0.14', role: 'observer' }])));
  const script = filesOf(ensemble([]), running).find((f) => f.path === 'reconfigure.sh')?.content ?? '';

  it('looks for it where it still listens, its secure client port, and prints its stop while it answers there', () => {
    expect(script).toMatch(/^leaving=\(zk4\)$/m);
    expect(script).toMatch(/^leaving_hosts=\(10\.0\.0\.14\)$/m);
    expect(script).toMatch(/^leaving_ports=\(2281\)$/m);
    expect(script).toMatch(/^ {2}if listening "\$\{leaving_hosts\[\$i\]\}" "\$\{leaving_ports\[\$i\]\}"; then$/m);
  });
});
