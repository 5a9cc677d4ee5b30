// Where a member listens, said once for every image dialect. ZooKeeper binds its client port to
// every interface unless told an address, and its AdminServer to 0.0.0.0; under host networking
// that opens both to every network the machine is on. zkgen tells each member its own address
// instead, unless the ensemble file says `"listen": "all"`.
import type { Ensemble, Member } from './model.js';
import type { Setting } from './zookeeper.js';

/** Names that mean this machine's loopback to the JVM: localhost is 127.0.0.1 there. */
const LOCAL_NAME = /^localhost$|\.localhost$/i;

/** A member's own address: 127.0.0.1 for localhost names, the host as given otherwise. */
export const ownAddress = (host: string): string => (LOCAL_NAME.test(host) ? '127.0.0.1' : host);

/** The address a member's client port and AdminServer listen on; undefined for every interface. */
export function listenAddress(member: Member, ensemble: Ensemble): string | undefined {
  return ensemble.listen === 'own' ? ownAddress(member.host) : undefined;
}

/** Every interface, as the AdminServer's address takes it. */
export const EVERY_INTERFACE = '0.0.0.0';

/**
 * zoo.cfg lines saying where the member listens, for images that can pass them: the AdminServer's
 * address (while it runs) and, for images that also write a `clientPort` line, `clientPortAddress`
 * — ZooKeeper 3.5+ refuses a `clientPort` whose address differs from the member's server line's.
 * The AdminServer's address is always written: bitnami's scripts default it to 127.0.0.1, so
 * "every interface" must be said.
 */
export function listenSettings(member: Member, ensemble: Ensemble, options: { clientPortAddress: boolean }): Setting[] {
  const address = listenAddress(member, ensemble);
  return [
    ...(options.clientPortAddress && address !== undefined ? [['clientPortAddress', address] as const] : []),
    ...(member.ports.admin !== undefined && ensemble.adminServer ? [['admin.serverAddress', address ?? EVERY_INTERFACE] as const] : []),
  ];
}

/**
 * The address health checks and scripts dial inside a member's container (host networking: the
 * container shares the host's addresses). The member's own address reaches it whether it listens
 * there alone or on every interface; 127.0.0.1 would miss a member bound to 10.x.
 */
export const probeAddress = (member: Member): string => ownAddress(member.host);
