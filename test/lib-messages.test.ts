// lib.sh's messages about members that do not serve, run for real: the rolling restart (roll)
// refusing while members are down names them as a sentence does, with its verb agreeing: "zk3 does
// not serve", "zk2 and zk3 do not serve", "zk1, zk2 and zk3 do not serve". The probe is stood in
// for by a `serves` that reads DOWN (the members that do not serve); everything else is lib.sh's.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { tempDir } from './helpers.js';

const outcome = generate({ image: 'zookeeper:3.9.4', servers: 3 });
if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
const dir = tempDir('lib-messages');
writeFileSync(join(dir, 'lib.sh'), outcome.files.find((f) => f.path === 'lib.sh')!.content);

/** roll over zk1 with members DOWN not serving, given no time to wait for them. */
function rollWith(down: string): { status: number | null; stdout: string; stderr: string } {
  const script = [
    'set -euo pipefail',
    'source lib.sh',
    'names=(zk1 zk2 zk3)',
    'serves() { [[ " $DOWN " != *" ${names[$1]} "* ]]; }',
    'mode() { ! serves "$1" || echo follower; }',
    'restart() { :; }',
    'roll 0 restart restarting zk1',
  ].join('\n');
  return spawnSync('bash', ['-c', script, 'rolling-restart.sh'], { cwd: dir, env: { ...process.env, DOWN: down }, encoding: 'utf8' });
}

describe('lib.sh names the members that do not serve as a sentence does', () => {
  it.each([
    ['zk3', 'zk3 does not serve'],
    ['zk2 zk3', 'zk2 and zk3 do not serve'],
    ['zk1 zk2 zk3', 'zk1, zk2 and zk3 do not serve'],
  ])('with %s down: "%s", and which to bring back', (down, said) => {
    const listed = said.replace(/ do(es)? not serve$/, '');
    const result = rollWith(down);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(`waiting up to 0s for ${listed} to serve\n`);
    expect(result.stderr).toMatch(new RegExp(`^FAIL: ${said}: restarting another member now could leave the ensemble without a quorum, so none is restarted\n  bring ${listed} back `));
  });

  it('restarts when every member serves', () => {
    const result = rollWith('');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('restarting zk1 (follower)\nzk1 serves again as follower after 0s\n');
  });
});
