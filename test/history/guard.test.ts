// The history clients' guard against node-zookeeper-client's RangeError on a short reply
// (test/e2e/history.ts): the connection is dropped instead of the whole run ending on an uncaught
// exception, so the requests in flight end as connection losses (indeterminate in the history).
import zookeeper from 'node-zookeeper-client';
import { expect, test } from 'vitest';
import { guardMalformedReplies } from '../e2e/history.js';

interface Manager {
  state: unknown;
  socket: { destroy(): void };
  onSocketData: (buffer: Buffer) => void;
  pendingBuffer: Buffer | null;
}

test('a reply shorter than its header drops the connection instead of throwing', () => {
  const manager = (zookeeper.createClient('127.0.0.1:2181') as unknown as { connectionManager: Manager }).connectionManager;
  // Connected (not CONNECTING: that would read a connect response), and a 12-byte frame: a size
  // of 8 and 8 bytes, where a reply header needs 16.
  manager.state = 2; // STATES.CONNECTED in ConnectionManager.js
  let destroyed = 0;
  manager.socket = { destroy: () => (destroyed += 1) };
  const frame = Buffer.alloc(12);
  frame.writeInt32BE(8, 0);
  expect(() => manager.onSocketData(Buffer.from(frame))).toThrow(RangeError);
  guardMalformedReplies();
  expect(() => manager.onSocketData(Buffer.from(frame))).not.toThrow();
  expect(destroyed).toBe(1);
  expect(manager.pendingBuffer).toBeNull();
});
