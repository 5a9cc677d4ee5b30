// status.sh at a glance, run for real against members that are small TCP servers on loopback
// answering `srvr` as ZooKeeper does (the four-letter word's text, or the AdminServer's JSON):
// one line per member with its machine, mode, zxid, latency, connections, outstanding requests
// and znode count, the ensemble's line (leader, participants serving, failures still tolerated,
// whether the last zxids agree), the same as one JSON document with --json, and the exit status
// (0 only when every member serves). On one machine a stand-in `docker` on PATH says each
// container's state and runs `docker exec`'s command here; over TCP (several machines) a stand-in
// `timeout` sends each member's host to its own loopback address.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { tempDir } from './helpers.js';

interface Answer {
  mode?: 'leader' | 'follower' | 'observer' | 'standalone';
  zxid: bigint;
  json?: boolean;
}

const text = (a: Answer) =>
  a.mode === undefined
    ? 'This ZooKeeper instance is not currently serving requests\n'
    : [
        'Zookeeper version: 3.9.4-test, built on 2025-01-01 00:00 UTC',
        'Latency min/avg/max: 1/2.5/30',
        'Received: 100',
        'Sent: 99',
        'Connections: 4',
        'Outstanding: 2',
        `Zxid: 0x${a.zxid.toString(16)}`,
        `Mode: ${a.mode}`,
        'Node count: 42',
        '',
      ].join('\n');

// The AdminServer's srvr, as Jackson writes it (pretty, snake_case), over HTTP.
const json = (a: Answer) => {
  const body = `{\n  "version" : "3.9.4-test",\n  "read_only" : false,\n  "server_stats" : {\n    "packets_sent" : 99,\n    "packets_received" : 100,\n    "fsync_threshold_exceed_count" : 0,\n    "server_state" : "${a.mode ?? ''}",\n    "avg_latency" : 2.5,\n    "max_latency" : 30,\n    "min_latency" : 1,\n    "last_processed_zxid" : ${a.zxid},\n    "outstanding_requests" : 2,\n    "num_alive_client_connections" : 4\n  },\n  "client_response" : {\n    "last_buffer_size" : 16,\n    "min_buffer_size" : 16,\n    "max_buffer_size" : 16\n  },\n  "node_count" : 42,\n  "command" : "server_stats",\n  "error" : null\n}`;
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${body}`;
};

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

/** A member: answers one request per connection, then closes. */
async function member(host: string, port: number, answer: Answer): Promise<void> {
  const server = createServer((socket) => {
    socket.once('data', () => socket.end(answer.json ? json(answer) : text(answer)));
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
}

/** The bundle of `value`, written under a fresh folder, and a bin/ of stand-ins before PATH. */
function bundle(value: unknown, label: string): { dir: string; bin: string } {
  const outcome = generate(value);
  if (!outcome.ok) throw new Error(`${label} refused: ${JSON.stringify(outcome.errors)}`);
  const dir = tempDir(`status-${label}`);
  for (const f of outcome.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  // docker inspect NAME: the state FAKE_STATE_<NAME> says (running by default); docker exec NAME
  // COMMAND...: COMMAND, here.
  writeFileSync(
    join(bin, 'docker'),
    '#!/usr/bin/env bash\ncase $1 in\n  inspect) state="FAKE_STATE_${*: -1}"; echo "${!state:-running}" ;;\n  exec) shift 2; exec "$@" ;;\n  *) exit 1 ;;\nesac\n',
  );
  // timeout SECONDS bash -c SCRIPT srvr HOST PORT REQUEST: the same, with HOST as FAKE_HOSTS maps it.
  writeFileSync(
    join(bin, 'timeout'),
    '#!/usr/bin/env bash\nshift\nargs=("$@")\nfor pair in ${FAKE_HOSTS:-}; do\n  [ "${args[4]:-}" = "${pair%%=*}" ] && args[4]=${pair#*=}\ndone\nexec "${args[@]}"\n',
  );
  chmodSync(join(bin, 'docker'), 0o755);
  chmodSync(join(bin, 'timeout'), 0o755);
  return { dir, bin };
}

/** Runs a script (asynchronously: the members answer from this same process). */
function run(script: string, bin: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH ?? ''}` }, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const rowsOf = (stdout: string) => stdout.trim().split('\n').map((line) => line.trim().split(/\s+/));

const EPOCH = 0x3n << 32n;

describe('status.sh on one machine', () => {
  const base = 24181;
  const { dir, bin } = bundle({ image: 'zookeeper:3.9.4', servers: 3, ports: { client: base } }, 'one');
  const script = join(dir, 'status.sh');
  const ready = Promise.all([
    member('127.0.0.1', base, { mode: 'follower', zxid: EPOCH + 7n }),
    member('127.0.0.1', base + 1, { mode: 'leader', zxid: EPOCH + 9n }),
    member('127.0.0.1', base + 2, { mode: 'follower', zxid: EPOCH + 8n, json: true }),
  ]);

  it('shows a line per member from srvr, and the ensemble: leader, serving, tolerated failures, zxids', async () => {
    await ready;
    const result = await run(script, bin);
    expect(result.stderr).toBe('');
    const rows = rowsOf(result.stdout);
    expect(rows[0]).toEqual(['MEMBER', 'MACHINE', 'CONTAINER', 'MODE', 'ZXID', 'LATENCY', 'CONNECTIONS', 'OUTSTANDING', 'ZNODES']);
    expect(rows.slice(1, 4)).toEqual([
      ['zk1', 'localhost', 'running', 'follower', '0x300000007', '1/2.5/30', '4', '2', '42'],
      ['zk2', 'localhost', 'running', 'leader', '0x300000009', '1/2.5/30', '4', '2', '42'],
      // The AdminServer's JSON, read alike.
      ['zk3', 'localhost', 'running', 'follower', '0x300000008', '1/2.5/30', '4', '2', '42'],
    ]);
    expect(result.stdout.trim().split('\n').at(-1)).toBe(
      'ensemble: leader zk2; 3 of 3 participants serve; tolerates 1 more failure(s); last zxids agree (0x300000007..0x300000009, within 1000)',
    );
    expect(result.code).toBe(0);
  });

  it('says the same as one JSON document with --json', async () => {
    await ready;
    const result = await run(script, bin, ['--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { members: Array<Record<string, unknown>>; ensemble: Record<string, unknown> };
    expect(doc.members[1]).toEqual({
      name: 'zk2',
      machine: 'localhost',
      role: 'participant',
      container: 'running',
      mode: 'leader',
      zxid: '0x300000009',
      latency: { min: 1, avg: 2.5, max: 30 },
      connections: 4,
      outstanding: 2,
      znodes: 42,
    });
    expect(doc.ensemble).toEqual({ leader: 'zk2', participants: 3, participantsServing: 2 + 1, quorum: true, toleratesFailures: 1, zxidsAgree: true, zxidBound: 1000 });
  });

  it('with a member stopped: no values for it, one failure from losing the quorum, exit 1', async () => {
    await ready;
    const result = await run(script, bin, [], { FAKE_STATE_zk3: 'exited' });
    const rows = rowsOf(result.stdout);
    expect(rows[3]).toEqual(['zk3', 'localhost', 'exited', '-', '-', '-', '-', '-', '-']);
    expect(rows.at(-1)?.join(' ')).toBe('ensemble: leader zk2; 2 of 3 participants serve; tolerates 0 more failure(s); last zxids agree (0x300000007..0x300000009, within 1000)');
    expect(result.code).toBe(1);
    const doc = JSON.parse((await run(script, bin, ['--json'], { FAKE_STATE_zk3: 'exited' })).stdout) as { members: Array<Record<string, unknown>> };
    expect(doc.members[2]).toMatchObject({ container: 'exited', mode: '-', zxid: null, latency: null, connections: null });
  });

  it('a running member that does not answer is not serving', async () => {
    await ready;
    // zk3's container runs, but what it runs answers nowhere: as if its ZooKeeper listened elsewhere.
    const silent = bundle({ image: 'zookeeper:3.9.4', servers: 3, ports: { client: base + 10 } }, 'silent');
    await Promise.all([member('127.0.0.1', base + 10, { mode: 'leader', zxid: EPOCH }), member('127.0.0.1', base + 11, { mode: 'follower', zxid: EPOCH })]);
    const result = await run(join(silent.dir, 'status.sh'), silent.bin);
    expect(rowsOf(result.stdout)[3]?.slice(0, 4)).toEqual(['zk3', 'localhost', 'running', 'not-serving']);
    expect(result.code).toBe(1);
  });

  it('right after an election the followers agree with the leader: its new epoch holds no transaction yet', async () => {
    const fresh = bundle({ image: 'zookeeper:3.9.4', servers: 3, ports: { client: base + 20 } }, 'fresh');
    await Promise.all([
      member('127.0.0.1', base + 20, { mode: 'follower', zxid: 0x2_0000_0005n }),
      member('127.0.0.1', base + 21, { mode: 'leader', zxid: 0x3_0000_0000n }),
      member('127.0.0.1', base + 22, { mode: 'follower', zxid: 0x3_0000_0000n }),
    ]);
    const result = await run(join(fresh.dir, 'status.sh'), fresh.bin);
    expect(result.stdout.trim().split('\n').at(-1)).toBe(
      'ensemble: leader zk2; 3 of 3 participants serve; tolerates 1 more failure(s); last zxids agree (0x200000005..0x300000000, within 1000)',
    );
    expect(result.code).toBe(0);
  });

  it('refuses anything but --json', async () => {
    const result = await run(script, bin, ['--yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage/i);
  });
});

describe('the top-level status.sh of several machines (over TCP)', () => {
  const port = 24281;
  const hosts = ['zk-a.internal', 'zk-b.internal', 'zk-c.internal', 'zk-d.internal', 'zk-e.internal'];
  const loopback = (i: number) => `127.0.0.${i + 2}`;
  const { dir, bin } = bundle({ image: 'zookeeper:3.9.4', servers: hosts.map((host) => ({ host })), ports: { client: port } }, 'several');
  const env = { FAKE_HOSTS: hosts.map((h, i) => `${h}=${loopback(i)}`).join(' ') };
  const script = join(dir, 'status.sh');
  // zk1 leads; zk2 follows; zk3 answers without a quorum; zk4 does not answer; zk5 follows, an epoch behind.
  const ready = Promise.all([
    member(loopback(0), port, { mode: 'leader', zxid: EPOCH + 5000n }),
    member(loopback(1), port, { mode: 'follower', zxid: EPOCH + 5000n }),
    member(loopback(2), port, { zxid: 0n }),
    member(loopback(4), port, { mode: 'follower', zxid: (0x2n << 32n) + 5000n }),
  ]);

  it('shows each member by machine and says the quorum is one failure from lost, the zxids apart', async () => {
    await ready;
    const result = await run(script, bin, [], env);
    const rows = rowsOf(result.stdout);
    expect(rows[0]).toEqual(['MEMBER', 'MACHINE', 'MODE', 'ZXID', 'LATENCY', 'CONNECTIONS', 'OUTSTANDING', 'ZNODES']);
    expect(rows.slice(1, 6).map((r) => r.slice(0, 4))).toEqual([
      ['zk1', 'zk-a.internal', 'leader', '0x300001388'],
      ['zk2', 'zk-b.internal', 'follower', '0x300001388'],
      ['zk3', 'zk-c.internal', 'not-serving', '-'],
      ['zk4', 'zk-d.internal', 'no-answer', '-'],
      ['zk5', 'zk-e.internal', 'follower', '0x200001388'],
    ]);
    expect(rows.at(-1)?.join(' ')).toBe('ensemble: leader zk1; 3 of 5 participants serve; tolerates 0 more failure(s); last zxids DIFFER (0x200001388..0x300001388, bound 1000)');
    expect(result.code).toBe(1);
    const doc = JSON.parse((await run(script, bin, ['--json'], env)).stdout) as { ensemble: Record<string, unknown> };
    expect(doc.ensemble).toMatchObject({ leader: 'zk1', participants: 5, participantsServing: 3, quorum: true, toleratesFailures: 0, zxidsAgree: false });
  });

  it("each machine's own status.sh shows its containers, without an ensemble line", async () => {
    await ready;
    const result = await run(join(dir, 'hosts', 'zk-a.internal', 'status.sh'), bin, [], env);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]?.trim().split(/\s+/).slice(0, 4)).toEqual(['zk1', 'zk-a.internal', 'running', 'leader']);
  });
});
