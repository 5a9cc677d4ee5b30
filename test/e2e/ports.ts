// Who listens on which TCP port of this machine, read from /proc/net/tcp(6) and /proc/<pid>/fd:
// under host networking every container shares the machine's ports, so a scenario checks they are
// free before it starts and that each member's port is held by that member's own container.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { docker } from './engine.js';
import { seconds, waitFor } from './wait.js';

/** Every listening TCP socket on this machine, any address: its port and socket inode (/proc/net/tcp, tcp6). */
function listeners(): Array<{ port: number; inode: string }> {
  const found: Array<{ port: number; inode: string }> = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; field 9 is the socket's inode.
      if (fields[3] !== '0A' || !fields[1]) continue;
      found.push({ port: parseInt(fields[1].split(':')[1] ?? '', 16), inode: fields[9] ?? '' });
    }
  }
  return found;
}

/** Of the given TCP ports, those something on this machine listens on. */
export function listeningPorts(ports: number[]): number[] {
  const listening = new Set(listeners().map((l) => l.port));
  return ports.filter((port) => listening.has(port));
}

/**
 * Waits (bounded, default 90 s) until none of `ports` is listened on, and fails with a clear
 * message if one stays taken. A scenario must not start otherwise: its srvr probes and clients
 * would reach whatever else holds the port (another e2e run, a
 * ZooKeeper left running) and could pass for the wrong reason.
 */
export async function waitForPortsFree(ports: number[], timeoutMs = 90_000): Promise<void> {
  let busy: number[] = [];
  const started = performance.now();
  await waitFor('free ports', () => Promise.resolve((busy = listeningPorts(ports)).length ? undefined : true), {
    timeoutMs,
    intervalMs: 500,
    describe: () =>
      `ports ${busy.join(', ')} are in use on this machine, and the scenario needs them free ` +
      '(another e2e run, or a ZooKeeper left running?)',
  });
  if (performance.now() - started > 1000) console.log(`waited ${seconds(performance.now() - started)} for ports to be free`);
}

/** Inodes of the sockets listening on TCP `port`, any address. */
function listenerInodes(port: number): Set<string> {
  return new Set(listeners().filter((l) => l.port === port && l.inode).map((l) => l.inode));
}

/** Pids of the processes that hold any of these socket inodes open. */
function socketHolders(inodes: Set<string>): number[] {
  const holders: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        holders.push(Number(entry));
        break;
      }
    }
  }
  return holders;
}

function pidNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/**
 * Who listens on each member's client port: under host networking every container shares the
 * machine's ports, so an answer on 2181 proves nothing about zk1 unless the listener is a process
 * of zk1's container (same pid namespace as its init). Returns one line per port that is not.
 */
export async function portOwnerProblems(owners: Array<{ name: string; port: number }>): Promise<string[]> {
  const problems: string[] = [];
  for (const { name, port } of owners) {
    const init = Number((await docker(['inspect', '--format', '{{.State.Pid}}', name])).stdout.trim());
    const namespace = init > 0 ? pidNamespace(init) : undefined;
    if (!namespace) {
      problems.push(`${name} is not running, so it cannot be what listens on ${port}`);
      continue;
    }
    const holders = socketHolders(listenerInodes(port));
    const foreign = holders.filter((pid) => pidNamespace(pid) !== namespace);
    if (!holders.length) problems.push(`nothing listens on ${port}, ${name}'s client port`);
    else if (foreign.length) {
      const what = foreign.map((pid) => `pid ${pid} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()})`).join(', ');
      problems.push(`port ${port} is held by ${what} outside container ${name}: something else on this machine answers for it`);
    }
  }
  return problems;
}
