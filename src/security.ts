// Where a member listens, said once for every image dialect. ZooKeeper binds its client port to
// every interface unless told an address, and its AdminServer to 0.0.0.0; under host networking
// that opens both to every network the machine is on. zkgen tells each member its own address
// instead, unless the ensemble file says `"listen": "all"`.
import { atLeast } from './images.js';
import type { Ensemble, Member } from './model.js';
import type { Setting } from './zookeeper.js';

/** Names that mean this machine's loopback to the JVM: localhost is 127.0.0.1 there. */
const LOCAL_NAME = /^localhost$|\.localhost$/i;

/** A member's own address: 127.0.0.1 for localhost names, the host as given otherwise. */
export const ownAddress = (host: string): string => (LOCAL_NAME.test(host) ? '127.0.0.1' : host);

/** The address a member's client port and AdminServer listen on; undefined for every interface. */
function listenAddress(member: Pick<Member, 'host'>, ensemble: Pick<Ensemble, 'listen'>): string | undefined {
  return ensemble.listen === 'own' ? ownAddress(member.host) : undefined;
}

/** Every interface, as the AdminServer's address takes it. */
const EVERY_INTERFACE = '0.0.0.0';

/**
 * zoo.cfg lines saying where the member listens, for images that can pass them: the AdminServer's
 * and the Prometheus provider's address (while they run) and, for images that also write a
 * `clientPort` line, `clientPortAddress` — ZooKeeper 3.5+ refuses a `clientPort` whose address
 * differs from the member's server line's. The AdminServer's address is always written: bitnami's
 * scripts default it to 127.0.0.1, so "every interface" must be said.
 */
export function listenSettings(member: Member, ensemble: Ensemble, options: { clientPortAddress: boolean }): Setting[] {
  const address = listenAddress(member, ensemble);
  return [
    ...(options.clientPortAddress && address !== undefined ? [['clientPortAddress', address] as const] : []),
    ...(member.ports.admin !== undefined && ensemble.adminServer ? [['admin.serverAddress', address ?? EVERY_INTERFACE] as const] : []),
    // The Prometheus provider's host; a release whose provider does not read it ignores it (and
    // then listens on every interface, which the port clash rule assumes of metrics ports).
    ...(member.ports.metrics !== undefined && ensemble.metrics ? [['metricsProvider.httpHost', address ?? EVERY_INTERFACE] as const] : []),
  ];
}

/**
 * The address health checks and scripts dial inside a member's container (host networking: the
 * container shares the host's addresses). The member's own address reaches it whether it listens
 * there alone or on every interface; 127.0.0.1 would miss a member bound to 10.x.
 */
export const probeAddress = (member: Member): string => ownAddress(member.host);

// --- TLS -------------------------------------------------------------------------------------

/** Where a member's own key folder is mounted, read-only, inside its container. */
export const TLS_MOUNT = '/tls';

/** The files tls.sh writes in each member's key folder, and the member reads. */
export const TLS_FILES = Object.freeze({
  keyStore: 'keystore.p12',
  keyStorePassword: 'keystore.pass',
  trustStore: 'truststore.p12',
  trustStorePassword: 'truststore.pass',
});

export const NETTY_SERVER = 'org.apache.zookeeper.server.NettyServerCnxnFactory';
const NETTY_CLIENT = 'org.apache.zookeeper.ClientCnxnSocketNetty';

/** Whether clients may still connect in plaintext: without client TLS, or while moving over. */
export const plaintextClientOpen = (ensemble: Pick<Ensemble, 'tls'>): boolean => !ensemble.tls?.client || ensemble.tls.plaintextClientPort;

/**
 * What follows `;` in a member's server line: where its plaintext client port listens
 * (`address:port`, or the port alone for every interface), or nothing when that port is closed.
 */
export function clientEndpoint(member: Pick<Member, 'host' | 'ports'>, ensemble: Pick<Ensemble, 'listen' | 'tls'>): string | undefined {
  if (!plaintextClientOpen(ensemble)) return undefined;
  const address = listenAddress(member, ensemble);
  return address === undefined ? String(member.ports.client) : `${address}:${member.ports.client}`;
}

/** The host folder holding one member's key and trust stores, mounted read-only at TLS_MOUNT. */
export const memberKeys = (member: Member, ensemble: Ensemble): string | undefined => (ensemble.tls ? `${ensemble.tls.keys}/members/${member.name}` : undefined);

/** A key and trust store's settings under a prefix (`ssl.` or `ssl.quorum.`): locations and password files. */
function stores(prefix: string): Setting[] {
  return [
    [`${prefix}keyStore.location`, `${TLS_MOUNT}/${TLS_FILES.keyStore}`],
    [`${prefix}keyStore.passwordPath`, `${TLS_MOUNT}/${TLS_FILES.keyStorePassword}`],
    [`${prefix}keyStore.type`, 'PKCS12'],
    [`${prefix}trustStore.location`, `${TLS_MOUNT}/${TLS_FILES.trustStore}`],
    [`${prefix}trustStore.passwordPath`, `${TLS_MOUNT}/${TLS_FILES.trustStorePassword}`],
    [`${prefix}trustStore.type`, 'PKCS12'],
    // Trust is the ensemble's own CA, which signs nothing but its members' certificates; a
    // member's name need not match the address a peer or client reaches it at.
    [`${prefix}hostnameVerification`, 'false'],
  ];
}

/**
 * The zoo.cfg lines of a member's TLS: stores read from its own mounted folder, passwords from
 * files there (`*.passwordPath`, ZooKeeper 3.8+), so no secret is in the bundle.
 */
export function tlsSettings(member: Member, ensemble: Ensemble): Setting[] {
  const tls = ensemble.tls;
  if (!tls) return [];
  const address = listenAddress(member, ensemble);
  return [
    ...(tls.client
      ? [
          ['serverCnxnFactory', NETTY_SERVER] as const,
          ['secureClientPort', String(member.ports.secureClient)] as const,
          ...(address !== undefined ? [['secureClientPortAddress', address] as const] : []),
          ...stores('ssl.'),
        ]
      : []),
    ...(tls.quorum ? [['sslQuorum', 'true'] as const] : []),
    ...(tls.quorum || tls.portUnification ? stores('ssl.quorum.') : []),
    ...(tls.portUnification ? [['portUnification', 'true'] as const] : []),
  ];
}

/** JVM flags that make zkCli inside a member's container a TLS client with the member's own stores. */
export function clientTlsFlags(): string {
  return [
    ['zookeeper.client.secure', 'true'],
    ['zookeeper.clientCnxnSocket', NETTY_CLIENT],
    ...stores('zookeeper.ssl.'),
  ]
    .map(([k, v]) => `-D${k}=${v}`)
    .join(' ');
}

/**
 * How scripts and health checks ask a member whether it serves, from inside its container: `srvr`
 * on its plaintext client port, or, with that port closed (client TLS; the images ship bash and
 * Java, not an openssl client), the AdminServer's `srvr` command over HTTP, both at the member's
 * own address. The answer holds `Mode: <mode>` or `"server_state" : "<mode>"` while it serves.
 */
export interface Probe {
  readonly host: string;
  readonly port: number;
  /** What is written to the port, as printf's format (so `\r\n` is a line end). */
  readonly request: string;
}

const ADMIN_SRVR_REQUEST = 'GET /commands/srvr HTTP/1.0\\r\\n\\r\\n';

export function probeOf(member: Member, ensemble: Ensemble): Probe {
  const host = probeAddress(member);
  if (plaintextClientOpen(ensemble) || member.ports.admin === undefined) return { host, port: member.ports.client, request: 'srvr' };
  return { host, port: member.ports.admin, request: ADMIN_SRVR_REQUEST };
}

/** host:port a client connects to: the plaintext client port, or the secure one once that is closed. */
export function clientAddress(member: Member, ensemble: Ensemble): string {
  return `${member.host}:${clientPortOf(member, ensemble)}`;
}

/** The port clients use: the plaintext one, or the secure one once that is closed. */
export function clientPortOf(member: Pick<Member, 'name' | 'ports'>, ensemble: Pick<Ensemble, 'tls'>): number {
  if (plaintextClientOpen(ensemble)) return member.ports.client;
  // resolve lays out a secure client port whenever client TLS is on.
  if (member.ports.secureClient === undefined) throw new Error(`zkgen bug: ${member.name} has client TLS but no secure client port`);
  return member.ports.secureClient;
}

/** host:port of every member, in id order: what a client is given to find the ensemble. */
export function connectStringOf(ensemble: Ensemble): string {
  return ensemble.members.map((m) => clientAddress(m, ensemble)).join(',');
}

/** A member's certificate's subjectAltName: the host it is named by, and its own address when that differs. */
export function subjectAltNames(member: Member): string {
  const entry = (a: string) => (/^\d+\.\d+\.\d+\.\d+$/.test(a) ? `IP:${a}` : `DNS:${a}`);
  return [...new Set([entry(member.host), entry(ownAddress(member.host))])].join(',');
}

// --- SASL authentication ---------------------------------------------------------------------

/** Where the ensemble's secrets folder is mounted, read-only, inside every member's container. */
export const AUTH_MOUNT = '/zkgen-auth';
/** The JAAS file auth.sh writes there: the quorum's and the clients' digest secrets. */
export const JAAS_FILE = 'jaas.conf';

/** The zoo.cfg lines of the ensemble's SASL authentication (login contexts: ZooKeeper's defaults). */
export function authSettings(ensemble: Ensemble): Setting[] {
  const auth = ensemble.auth;
  if (!auth) return [];
  return [
    ...(auth.quorum
      ? [
          ['quorum.auth.enableSasl', 'true'] as const,
          ['quorum.auth.learnerRequireSasl', 'true'] as const,
          ['quorum.auth.serverRequireSasl', 'true'] as const,
        ]
      : []),
    ...(auth.client
      ? [
          ['authProvider.sasl', 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider'] as const,
          // A session that has not authenticated is closed (3.6+; before, nothing refuses one, and a
          // rule refuses client auth), and nothing without sasl may act (3.7+): each only where read.
          ['sessionRequireClientSASLAuth', 'true'] as const,
          ...(atLeast(ensemble.release.zookeeper, 3, 7)
            ? [
                ['enforce.auth.enabled', 'true'] as const,
                ['enforce.auth.schemes', 'sasl'] as const,
              ]
            : []),
        ]
      : []),
  ];
}

/**
 * The JVM flag that points the server, and zkCli run in its container (which authenticates with
 * the JAAS file's Client section), at the mounted JAAS file.
 */
export const authJvmFlags = (ensemble: Ensemble): string | undefined =>
  ensemble.auth ? `-Djava.security.auth.login.config=${AUTH_MOUNT}/${JAAS_FILE}` : undefined;
