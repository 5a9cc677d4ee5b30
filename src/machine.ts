// Which machine a member runs on, and which address it binds: facts the resolver (port layout),
// the rules (clashes, failure tolerance) and the renderers (one folder per machine) share.
import { ownAddress } from './security.js';

/** Every loopback name and address is this one machine. */
export const isLoopback = (host: string) => {
  const h = host.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h);
};

/** The name of the machine this one is on when it only says so through its host. */
export const LOOPBACK_MACHINE = 'localhost';

/**
 * A member's machine when the file does not name it: its host, except that every loopback name and
 * address is one machine. A name and an address are never taken for one machine by guessing (zkgen
 * resolves no names): a member's `machine` says so.
 */
export const machineOfHost = (host: string) => (isLoopback(host) ? LOOPBACK_MACHINE : host.toLowerCase());

/** The address a host name binds, spelled one way: its own address (src/security.ts), names ignoring case. */
export const addressOf = (host: string) => ownAddress(host).toLowerCase();
