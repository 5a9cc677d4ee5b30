// A move on several machines refuses, before it starts anything, when a running member is a task of
// a Docker Swarm stack (its container is <stack>_<member>.<slot>.<task>, never <member>). The
// generated scripts run here against a stand-in `docker` on PATH that answers as an engine with
// such a task (or a manager with such a service) would, and records every command it is given.
// The three-host e2e (test/e2e/multihost.test.ts) shows the same on real engines and a real swarm.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { recordOfBundle, tempDir } from './helpers.js';

/** The grown ensemble's bundle, written over the running one's: a move, in a folder of its own. */
function moveBundle(): string {
  const dir = tempDir('swarm-move');
  // The super user's server/ folder, which a joining member mounts read-only: there, as super-user.sh leaves it.
  const secrets = join(dir, 'reconfig');
  mkdirSync(join(secrets, 'server'), { recursive: true });
  writeFileSync(join(secrets, 'server', 'jvm.args'), '-Dzookeeper.DigestAuthenticationProvider.superDigest=super:x\n');
  const RUNNING = { image: 'zookeeper:3.9.4', reconfig: { secrets }, servers: [{ host: 'zk-a' }, { host: 'zk-b' }, { host: 'zk-c' }] };
  const GROWN = { ...RUNNING, servers: [...RUNNING.servers, { host: 'zk-a' }] };
  const running = generate(RUNNING);
  if (!running.ok) throw new Error('refused');
  const moved = generate(GROWN, { running: recordOfBundle(running.files) });
  if (!moved.ok) throw new Error(moved.errors.map((e) => e.message).join('\n'));
  for (const f of moved.files) {
    mkdirSync(dirname(join(dir, 'bundle', f.path)), { recursive: true });
    writeFileSync(join(dir, 'bundle', f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  return dir;
}

/**
 * A `docker` that records its arguments, a line a call, and answers: `ps` with TASKS (stack and
 * service labels), `info` with whether this node is a manager, `service ls`/`service inspect` with
 * SERVICES; `inspect` of a container by name fails (no container is named after a member).
 */
const STAND_IN = `#!/usr/bin/env bash
printf '%s\\n' "$*" >>"$DOCKER_LOG"
case "$1 \${2-}" in
  "ps "*) [ -z "$TASKS" ] || printf '%s\\n' "$TASKS" ;;
  "info "*) printf '%s\\n' "$MANAGER" ;;
  "service ls") [ -z "$SERVICES" ] || echo 1a2b3c ;;
  "service inspect") [ -z "$SERVICES" ] || printf '%s\\n' "$SERVICES" ;;
  "inspect "*) exit 1 ;;
esac
exit 0
`;

function runScript(dir: string, script: string, answers: { tasks?: string; manager?: boolean; services?: string }) {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'bin', 'docker'), STAND_IN);
  chmodSync(join(dir, 'bin', 'docker'), 0o755);
  const log = join(dir, `docker-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  const run = spawnSync('bash', [join(dir, 'bundle', script)], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      DOCKER_LOG: log,
      TASKS: answers.tasks ?? '',
      MANAGER: String(answers.manager ?? false),
      SERVICES: answers.services ?? '',
      ZKGEN_WAIT_SECONDS: '1',
    },
  });
  return { code: run.status, stderr: run.stderr, calls: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

/** What a move would start a member with: docker run, docker start, or compose. */
const starts = (calls: string[]) => calls.filter((c) => /^(run |start |compose )/.test(c));

describe('a move over a Swarm stack', () => {
  const dir = moveBundle();

  it("hosts/<machine>/reconfigure.sh refuses when a running member is a task on this machine, and starts nothing", () => {
    const refused = runScript(dir, 'hosts/zk-a/reconfigure.sh', { tasks: 'zk zk_zk1' });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('FAIL: running members are services of the Docker Swarm stack zk (zk_zk1): zkgen does not move a stack\'s members');
    expect(refused.stderr).toContain('docker stack rm zk (the data folders stay)');
    expect(starts(refused.calls)).toEqual([]);
  });

  it("hosts/<machine>/reconfigure.sh, on a manager, names every member's service, other machines' too", () => {
    const refused = runScript(dir, 'hosts/zk-a/reconfigure.sh', { tasks: 'zk zk_zk1', manager: true, services: 'zk zk_zk1\nzk zk_zk3' });
    expect(refused.code, refused.stderr).toBe(1);
    // This machine's task first, then the swarm's other services, each once.
    expect(refused.stderr).toContain('FAIL: running members are services of the Docker Swarm stack zk (zk_zk1 zk_zk3)');
    expect(starts(refused.calls)).toEqual([]);
  });

  it('the top-level reconfigure.sh refuses before it asks any machine to start a member', () => {
    const refused = runScript(dir, 'reconfigure.sh', { manager: true, services: 'zk zk_zk2' });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('FAIL: running members are services of the Docker Swarm stack zk (zk_zk2)');
    expect(refused.calls.filter((c) => c.startsWith('run '))).toEqual([]);
  });

  it('takes no other service for a member: a stack of other names, or a task not of this ensemble', () => {
    const started = runScript(dir, 'hosts/zk-a/reconfigure.sh', { tasks: 'zk zk_zk10\nother other_xzk1', manager: true, services: 'zk zk_zk11' });
    expect(started.stderr).not.toContain('Docker Swarm stack');
    // Not refused, it goes on to start zk4 (which the stand-in never makes serve).
    expect(starts(started.calls).length).toBeGreaterThan(0);
  });
});
