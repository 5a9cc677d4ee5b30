// What DIR may hold and the lock beside it, with the built bin as a process: a FIFO where the
// bundle has a file (opening it would hang the run: a process can be timed out, an in-process run
// could not), concurrent runs, and SIGINT/SIGTERM during --out. The rest is
// test/bundle-folder.test.ts, in-process.
import { spawn, spawnSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, tempDir, workPrefix } from '../helpers.js';
import { contents, snapshot } from '../tree.js';

const PINNED = '{ "image": "garland/zookeeper:3.4.6", "servers": 3, "listen": "all" }\n';
const FIVE = '{ "image": "garland/zookeeper:3.4.6", "servers": 5, "listen": "all" }\n';
const REFUSAL = ": refusing to replace a folder holding files zkgen did not write; choose an empty or new folder\n";

/** A folder holding ensemble.json and, in zk/, zkgen's bundle for it. */
function project(): { parent: string; dir: string } {
  const parent = tempDir('folder');
  writeFileSync(join(parent, 'ensemble.json'), PINNED);
  expect(runCli(['ensemble.json', '--out', 'zk'], { cwd: parent }).code).toBe(0);
  return { parent, dir: join(parent, 'zk') };
}

const mkfifo = (path: string) => expect(spawnSync('mkfifo', [path]).status).toBe(0);

/** The pid and start time of a process, as zkgen records an owner. */
function ownerOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
}

describe('zkgen FILE --out DIR refuses a folder holding anything not zkgen’s', () => {
  it('a FIFO, never opened (the run would hang), even where the bundle has a file', () => {
    const { parent, dir } = project();
    nodeFs.rmSync(join(dir, 'run.sh'));
    mkfifo(join(dir, 'run.sh'));
    const before = snapshot(parent);
    const result = spawnSync(process.execPath, [CLI, 'ensemble.json', '--out', 'zk'], { cwd: parent, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`zkgen: --out zk: zk/run.sh is not zkgen's (a FIFO)${REFUSAL}`);
    expect(snapshot(parent)).toEqual(before);
    const checked = spawnSync(process.execPath, [CLI, 'ensemble.json', '--out', 'zk', '--check'], { cwd: parent, encoding: 'utf8', timeout: 60_000 });
    expect(checked.status).toBe(1);
    expect(checked.stderr).toBe("zk/run.sh: not zkgen's (a FIFO): move it out of zk; zkgen replaces only a folder holding nothing but its own files\n");
  });

});

describe('the lock', () => {
  it('40 concurrent runs into one DIR: each waits its turn, and DIR ends as one of the two bundles, whole, with nothing beside it', async () => {
    const parent = tempDir('concurrent');
    writeFileSync(join(parent, 'a.json'), PINNED);
    writeFileSync(join(parent, 'b.json'), FIVE);
    const reference = (file: string) => {
      const at = tempDir('concurrent-ref');
      nodeFs.copyFileSync(join(parent, file), join(at, file));
      expect(runCli([file, '--out', 'zk'], { cwd: at }).code).toBe(0);
      return contents(join(at, 'zk'));
    };
    const bundles = [reference('a.json'), reference('b.json')];
    const runs = Array.from({ length: 40 }, (_, i) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [CLI, i % 2 ? 'b.json' : 'a.json', '--out', 'zk', '--stopped'], { cwd: parent });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => done({ code, stderr }));
      }),
    );
    const results = await Promise.all(runs);
    expect(results.filter((r) => r.code !== 0 || r.stderr !== '')).toEqual([]);
    expect(bundles).toContainEqual(contents(join(parent, 'zk')));
    expect(readdirSync(parent).sort()).toEqual(['a.json', 'b.json', 'zk']);
  }, 120_000);
});

describe('SIGINT and SIGTERM during --out', () => {
  it('while waiting for the lock: exit 143, nothing of the run left, DIR as it was', async () => {
    const { parent, dir } = project();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(parent, `${workPrefix(dir)}lock`), `${ownerOf(sleeper.pid!)}\n`);
      const before = snapshot(parent);
      const child = spawn(process.execPath, [CLI, 'ensemble.json', '--out', 'zk', '--stopped'], { cwd: parent });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Signalled once it is waiting (its own lock file beside the live one), however long a busy
      // machine takes to start it: polled, bounded well inside the run's own 30 s wait.
      const waiting = () => readdirSync(parent).some((n) => n.startsWith(`${workPrefix(dir)}lock-`));
      for (let waited = 0; !waiting() && waited < 20_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      expect(waiting()).toBe(true);
      child.kill('SIGTERM');
      const code = await new Promise((r) => child.on('close', r));
      expect(code).toBe(143);
      expect(stderr).toBe('zkgen: --out zk: interrupted: zk left as it was\n');
      expect(snapshot(parent)).toEqual(before);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('while writing the staging folder: exit 130, staging folder and lock removed, DIR as it was', () => {
    const { parent } = project();
    const preload = join(tempDir('sigint'), 'sigint.cjs');
    // SIGINT to itself at the third write (the lock's own file is the first): the signal is heard
    // at the next pause between files.
    writeFileSync(
      preload,
      `const fs = require('node:fs'); const real = fs.writeFileSync; let n = 0;
fs.writeFileSync = function (...a) { const r = real.apply(this, a); if (++n === 3) process.kill(process.pid, 'SIGINT'); return r; };\n`,
    );
    writeFileSync(join(parent, 'ensemble.json'), FIVE);
    const before = snapshot(parent);
    const result = spawnSync(process.execPath, ['-r', preload, CLI, 'ensemble.json', '--out', 'zk', '--stopped'], { cwd: parent, encoding: 'utf8' });
    expect(result.stderr).toBe('zkgen: --out zk: interrupted: zk left as it was\n');
    expect(result.status).toBe(130);
    expect(snapshot(parent)).toEqual(before);
  });
});
