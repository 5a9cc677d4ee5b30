// Four-letter words from the host (`srvr` above all): a member's mode, waiting for a quorum,
// watching modes through a fault. Loopback (and the several-host suite's own namespaces) only.
import net from 'node:net';
import { sleep, waitFor } from './wait.js';

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
// The several-host suite's own network namespaces (test/e2e/runtime/hosts.sh) sit at these
// addresses, on a bridge it creates and removes; the suite may speak to them too.
const SUITE_HOSTS = /^10\.77\.0\.\d{1,3}$/;
/** Whether the suite may speak to `host`: loopback, or the several-host suite's own namespaces. */
export const reachable = (host: string) => host === 'localhost' || LOOPBACK.test(host) || SUITE_HOSTS.test(host);

/**
 * Sends a four-letter word to a member from the host and returns its whole answer, or undefined
 * when nothing answers within `timeoutMs`. Loopback addresses only.
 */
export function fourLetterWord(port: number, word = 'srvr', host = '127.0.0.1', timeoutMs = 2000): Promise<string | undefined> {
  if (!reachable(host)) throw new Error(`${host} is not a loopback address: the suite speaks to 127.0.0.0/8 (and its own 10.77.0.0/24) only`);
  return new Promise((resolve) => {
    let answer = '';
    let settled = false;
    const finish = (value: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => finish(answer));
    socket.on('error', () => finish(undefined));
  });
}

export type Mode = 'leader' | 'follower' | 'observer' | 'standalone';

/**
 * A member's mode as `srvr` on its client port reports it, or a word for why there is none:
 * 'not-serving' (it answers but has no quorum) or 'no-answer' (nothing listens, or no reply).
 */
export async function modeOf(port: number, host = '127.0.0.1'): Promise<Mode | 'not-serving' | 'no-answer'> {
  const answer = await fourLetterWord(port, 'srvr', host);
  if (answer === undefined || answer === '') return 'no-answer';
  const mode = /^Mode: (\w+)$/m.exec(answer)?.[1];
  if (mode === 'leader' || mode === 'follower' || mode === 'observer' || mode === 'standalone') return mode;
  return 'not-serving';
}

export interface Quorum {
  /** Seconds from `since` (or from the call) until every port reported leader or follower. */
  seconds: number;
  /** port → mode when the quorum was seen. */
  modes: Map<number, Mode>;
}

/**
 * Waits until `srvr` on every one of `ports` (client ports, from the host) reports leader or
 * follower, exactly one of them leader — so `ports` must be every member still running: a dead
 * leader's followers keep saying "follower" for a moment. Bounded: throws after `timeoutMs`,
 * naming each port's last answer.
 */
export async function waitForQuorum(
  ports: number[],
  options: { timeoutMs?: number; since?: number; host?: string } = {},
): Promise<Quorum> {
  const since = options.since ?? performance.now();
  let last = new Map<number, string>();
  const modes = await waitFor(
    `a quorum on ports ${ports.join(', ')}`,
    async () => {
      last = new Map(await Promise.all(ports.map(async (port) => [port, await modeOf(port, options.host)] as const)));
      return servingWithLeader(last, ports) ? (last as Map<number, Mode>) : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 100,
      describe: () => [...last].map(([port, mode]) => `${port} ${mode}`).join(', '),
    },
  );
  return { seconds: (performance.now() - since) / 1000, modes };
}

/** Waits until none of `ports` reports a serving mode (leader, follower, observer, standalone). */
export async function waitNotServing(ports: number[], options: { timeoutMs?: number } = {}): Promise<Map<number, string>> {
  let last = new Map<number, string>();
  return waitFor(
    `ports ${ports.join(', ')} to stop serving`,
    async () => {
      last = new Map(await Promise.all(ports.map(async (port) => [port, await modeOf(port)] as const)));
      return [...last.values()].every((mode) => mode === 'not-serving' || mode === 'no-answer') ? last : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 30_000, describe: () => [...last].map(([p, m]) => `${p} ${m}`).join(', ') },
  );
}

/** The leader's client port among `modes`, if there is exactly one leader. */
export function leaderPort(modes: Map<number, string>): number | undefined {
  const leaders = [...modes].filter(([, mode]) => mode === 'leader');
  return leaders.length === 1 ? leaders[0]?.[0] : undefined;
}

/** One look at every watched port: when (performance.now()) and what srvr said. */
export interface Sample {
  t: number;
  modes: Map<number, string>;
}

/**
 * Asks `srvr` on `ports` every `intervalMs` in the background, to tell afterwards when a member
 * died and when the others served again. stop() ends it (within one round), takes a last sample
 * and returns them all.
 * Bounded: it stops by itself after `maxMs`.
 */
export function watchModes(ports: number[], options: { intervalMs?: number; maxMs?: number } = {}): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  const deadline = performance.now() + (options.maxMs ?? 120_000);
  const stopped = new AbortController();
  const sample = async () => {
    const t = performance.now();
    samples.push({ t, modes: new Map(await Promise.all(ports.map(async (port) => [port, await modeOf(port)] as const))) });
  };
  const loop = (async () => {
    while (!stopped.signal.aborted && performance.now() < deadline) {
      await sample();
      await sleep(options.intervalMs ?? 50);
    }
  })();
  return {
    stop: async () => {
      stopped.abort();
      await loop;
      // One more look, so the samples end with the state the caller has just waited for.
      await sample();
      return samples;
    },
  };
}

/** The time of the first sample at or after `after` for which `test` holds, if any. */
export function firstSample(samples: Sample[], after: number, test: (modes: Map<number, string>) => boolean): number | undefined {
  return samples.find((sample) => sample.t >= after && test(sample.modes))?.t;
}

/** True when every one of `ports` serves as leader or follower, with exactly one leader among them. */
export function servingWithLeader(modes: Map<number, string>, ports: number[]): boolean {
  const mine = ports.map((port) => modes.get(port));
  return mine.every((mode) => mode === 'leader' || mode === 'follower') && mine.filter((mode) => mode === 'leader').length === 1;
}
