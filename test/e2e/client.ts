// A promise face for node-zookeeper-client, with the retries a real client makes across a
// member's loss (ConnectionLoss), and what a test reads of its connection.
import net from 'node:net';
import zookeeper, { type Client, type Stat } from 'node-zookeeper-client';
import { reachable } from './srvr.js';
import { range, sleep } from './wait.js';

export type ZkClient = Client;

function errorCode(error: unknown): number | undefined {
  return error instanceof Error || typeof error === 'object'
    ? (error as { getCode?: () => number }).getCode?.()
    : undefined;
}

/** True for the errors after which a real client retries: the connection, not the request, failed. */
export function isConnectionLoss(error: unknown): boolean {
  const code = errorCode(error);
  return code === zookeeper.Exception.CONNECTION_LOSS || code === zookeeper.Exception.OPERATION_TIMEOUT;
}

/**
 * Connects node-zookeeper-client with a connect string (as `zkgen connect-string` prints it);
 * resolves once a session is established, rejects (and closes the client) after `timeoutMs`.
 */
export async function connectClient(
  connectString: string,
  options: { timeoutMs?: number; sessionTimeoutMs?: number } = {},
): Promise<ZkClient> {
  for (const address of connectString.split(',')) {
    const host = address.slice(0, address.lastIndexOf(':'));
    if (!reachable(host)) {
      throw new Error(`${address} is not on loopback: the suite speaks to 127.0.0.0/8 (and its own 10.77.0.0/24) only`);
    }
  }
  const client = zookeeper.createClient(connectString, {
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    spinDelay: 200,
    retries: 0,
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no ZooKeeper session through ${connectString} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  return client;
}

/** The client port the client is connected to right now, if it is (read for reports only). */
export function connectedPort(client: ZkClient): number | undefined {
  const socket = (client as unknown as { connectionManager?: { socket?: net.Socket } }).connectionManager?.socket;
  return socket && !socket.destroyed ? socket.remotePort : undefined;
}

/** When (performance.now()) a client lost its connection and got its session back, as it happens. */
export interface ConnectionLog {
  events: Array<{ t: number; event: 'connected' | 'disconnected' | 'expired' }>;
  /** The first disconnection at or after `after`, and the first reconnection after that. */
  outage(after: number): { lost?: number; back?: number };
}

export function trackConnection(client: ZkClient): ConnectionLog {
  const events: ConnectionLog['events'] = [];
  for (const event of ['connected', 'disconnected', 'expired'] as const) {
    client.on(event, () => events.push({ t: performance.now(), event }));
  }
  return {
    events,
    outage(after) {
      const lost = events.find((e) => e.t >= after && e.event === 'disconnected')?.t;
      const back = lost === undefined ? undefined : events.find((e) => e.t >= lost && e.event === 'connected')?.t;
      return { lost, back };
    },
  };
}

// node-zookeeper-client's Exception is an Error at run time (its typings do not say so): it is
// passed on as it is, so that isConnectionLoss can read its code.
function call<T>(start: (callback: (error: unknown, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error instanceof Error ? error : new Error(JSON.stringify(error))) : resolve(value))));
}

export const zk = {
  create: (client: ZkClient, path: string, data: string) =>
    call<string>((cb) => client.create(path, Buffer.from(data), zookeeper.CreateMode.PERSISTENT, cb)),
  setData: (client: ZkClient, path: string, data: string) =>
    call<Stat>((cb) => client.setData(path, Buffer.from(data), cb)).then(() => undefined),
  // A znode created without data comes back as null, whatever the typings say.
  getData: (client: ZkClient, path: string) =>
    call<Buffer | null>((cb) => client.getData(path, cb)).then((data) => (data ?? Buffer.alloc(0)).toString('utf8')),
  exists: (client: ZkClient, path: string) => call<Stat | null>((cb) => client.exists(path, cb)).then(Boolean),
  children: (client: ZkClient, path: string) => call<string[]>((cb) => client.getChildren(path, cb)),
  remove: (client: ZkClient, path: string) => call<undefined>((cb) => client.remove(path, (error) => cb(error, undefined))),
};

/** Rejects with an error naming `what` when `promise` has not settled within `ms`. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Retried<T> {
  value: T;
  /** How many attempts failed with ConnectionLoss (or an operation timeout) before this one. */
  connectionLosses: number;
  ms: number;
}

/**
 * Runs `op` as a real client would across a member's loss: on ConnectionLoss, wait a little and
 * try again, up to `timeoutMs` in all; any other error is thrown at once. Each attempt is itself
 * bounded by `attemptMs`.
 */
export async function retrying<T>(
  what: string,
  op: () => Promise<T>,
  options: { timeoutMs?: number; attemptMs?: number } = {},
): Promise<Retried<T>> {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 30_000);
  let connectionLosses = 0;
  for (;;) {
    try {
      const value = await within(options.attemptMs ?? 10_000, what, op());
      return { value, connectionLosses, ms: performance.now() - started };
    } catch (error) {
      const timedOut = error instanceof Error && error.message.startsWith(`${what}: no answer`);
      if (!isConnectionLoss(error) && !timedOut) throw error;
      connectionLosses += 1;
      if (performance.now() >= deadline) {
        throw new Error(`${what}: still failing after ${(options.timeoutMs ?? 30_000) / 1000} s (${connectionLosses} attempts): ${String(error)}`);
      }
      await sleep(200);
    }
  }
}

/**
 * Creates a znode, retrying on ConnectionLoss. A create whose answer was lost may have been
 * applied, so "node exists" on a retry counts as done when the node holds what was written.
 */
export async function createRetrying(client: ZkClient, path: string, data: string, options: { timeoutMs?: number } = {}): Promise<Retried<string>> {
  let attempts = 0;
  return retrying(
    `create ${path}`,
    async () => {
      attempts += 1;
      try {
        return await zk.create(client, path, data);
      } catch (error) {
        if (attempts > 1 && errorCode(error) === zookeeper.Exception.NODE_EXISTS && (await zk.getData(client, path)) === data) {
          return path;
        }
        throw error;
      }
    },
    options,
  );
}

/** A write acknowledged to a client, and when (performance.now()). */
export interface Acknowledged {
  path: string;
  at: number;
}

/**
 * Keeps creating `${parent}/w00000`, `w00001`… (each holding its path), one after another with
 * 20 ms between, each retried as createRetrying does and recorded in `acknowledged` when
 * acknowledged, until stop(): stop() waits for the create in flight and rejects with a create's failure.
 */
export function keepCreating(client: ZkClient, parent: string, acknowledged: Acknowledged[]): { stop(): Promise<void> } {
  const live = { writing: true };
  const writer = (async () => {
    for (let i = 0; live.writing; i++) {
      const path = `${parent}/w${String(i).padStart(5, '0')}`;
      await createRetrying(client, path, path);
      acknowledged.push({ path, at: performance.now() });
      await sleep(20);
    }
  })();
  return {
    stop: () => {
      live.writing = false;
      return writer;
    },
  };
}

/** Creates `paths` in order of start, `parallel` creates in flight, each retried as createRetrying does. */
export async function createAll(client: ZkClient, paths: string[], parallel = 25): Promise<void> {
  let next = 0;
  await Promise.all(
    range(0, parallel).map(async () => {
      while (next < paths.length) {
        const path = paths[next++]!;
        await createRetrying(client, path, path);
      }
    }),
  );
}

/** Reads a znode, retrying on ConnectionLoss. */
export function getRetrying(client: ZkClient, path: string, options: { timeoutMs?: number } = {}): Promise<Retried<string>> {
  return retrying(`get ${path}`, () => zk.getData(client, path), options);
}

/** Closes a client without waiting for an ensemble that may be gone. */
export function closeClient(client: ZkClient | undefined): void {
  try {
    client?.close();
  } catch {
    // A client that never connected may refuse to close; there is nothing to release then.
  }
}

/**
 * What a client without credentials gets from the member at host:port: ZooKeeper's wire protocol spoken directly
 * (a session, then a create of /zkgen-unauthenticated with an open ACL), and the reply's error
 * code: 0 for created, -124 (SessionClosedRequireAuth) when the member refuses an unauthenticated
 * session, or undefined when no reply came within 10 s. (node-zookeeper-client throws on -124,
 * a code it does not know, from inside its socket handler.)
 */
export function unauthenticatedCreate(port: number, host = '127.0.0.1'): Promise<number | undefined> {
  const int = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const long0 = Buffer.alloc(8);
  const string = (s: string) => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
  const frame = (body: Buffer) => Buffer.concat([int(body.length), body]);
  // ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly.
  const connect = frame(Buffer.concat([int(0), long0, int(10_000), long0, int(16), Buffer.alloc(16), Buffer.from([0])]));
  // RequestHeader (xid 1, type 1: create), path, data, ACL [world:anyone, all], flags 0.
  const create = frame(Buffer.concat([int(1), int(1), string('/zkgen-unauthenticated'), int(1), Buffer.from('x'), int(1), int(31), string('world'), string('anyone'), int(0)]));
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let connected = false;
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => finish(undefined), 10_000);
    const finish = (code: number | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    socket.on('connect', () => socket.write(connect));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        const body = received.subarray(4, 4 + received.readInt32BE(0));
        received = received.subarray(4 + body.length);
        if (!connected) {
          connected = true;
          socket.write(create);
        } else if (body.readInt32BE(0) === 1) {
          // ReplyHeader: xid, zxid, err.
          finish(body.readInt32BE(12));
        }
      }
    });
    socket.on('close', () => finish(undefined));
    socket.on('error', () => finish(undefined));
  });
}
