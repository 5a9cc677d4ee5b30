// confluentinc/cp-zookeeper. Its configure script templates /etc/kafka/zookeeper.properties from
// ZOOKEEPER_* variables through a fixed table of names, and numbers ZOOKEEPER_SERVERS
// (`host:peer:election;…`) by position: the k-th entry is server.k, so ids must be 1..N in order.
// Keys outside the table cannot be set; JVM options go in KAFKA_OPTS and KAFKA_HEAP_OPTS.
//
// The table is 7.9.0's template (read from the image's own files): no 7.x template has
// ZOOKEEPER_TCP_KEEP_ALIVE, so tcpKeepAlive cannot be set. Confluent Platform 5.3 and older run
// ZooKeeper 3.4: no AdminServer variables there, and no 4lw whitelist to pass. The image runs as
// appuser (uid 1000) and checks that its data folders are writable before it starts.
//
// TLS: the table has ZOOKEEPER_SECURE_CLIENT_PORT, ZOOKEEPER_SERVER_CNXN_FACTORY and the
// ZOOKEEPER_SSL_* and ZOOKEEPER_SSL_QUORUM_* variables for the stores' locations, types and
// hostname verification. Its *_PASSWORD variables take the password itself, and it has no
// variable for ZooKeeper's ssl.*.passwordPath (3.8+): ZooKeeper reads that one as a
// zookeeper.ssl.* system property too, so it goes in KAFKA_OPTS, and each member reads its
// passwords from its mounted key folder. The template has no secureClientPortAddress (the secure
// client port listens on every interface) and no portUnification, which ZooKeeper reads only from
// its file. Without ZOOKEEPER_CLIENT_PORT (the plaintext port closed) the configure script is
// content with ZOOKEEPER_SECURE_CLIENT_PORT.
import { atLeast } from '../images.js';
import { autopurgeOf, fourLetterWords, heapFlag, serverAddress, type Setting } from '../zookeeper.js';
import type { Ensemble, Member, Problem } from '../model.js';
import { clientTlsFlags, listenSettings, memberKeys, plaintextClientOpen, TLS_MOUNT, tlsSettings } from '../security.js';
import { dataMount, lastWins, readOnlyMount, type Dialect } from './types.js';

// The image's table of variables and the zoo.cfg keys they set, in the order its template writes
// them (the keys zkgen sets from its own fields, and those `config` may reach).
const TABLE: ReadonlyArray<readonly [string, string]> = [
  ['ZOOKEEPER_CLIENT_PORT', 'clientPort'],
  ['ZOOKEEPER_TICK_TIME', 'tickTime'],
  ['ZOOKEEPER_GLOBAL_OUTSTANDING_LIMIT', 'globalOutstandingLimit'],
  ['ZOOKEEPER_PRE_ALLOC_SIZE', 'preAllocSize'],
  ['ZOOKEEPER_SNAP_COUNT', 'snapCount'],
  ['ZOOKEEPER_MAX_CLIENT_CNXNS', 'maxClientCnxns'],
  ['ZOOKEEPER_CLIENT_PORT_ADDRESS', 'clientPortAddress'],
  ['ZOOKEEPER_MIN_SESSION_TIMEOUT', 'minSessionTimeout'],
  ['ZOOKEEPER_MAX_SESSION_TIMEOUT', 'maxSessionTimeout'],
  ['ZOOKEEPER_AUTOPURGE_SNAP_RETAIN_COUNT', 'autopurge.snapRetainCount'],
  ['ZOOKEEPER_AUTOPURGE_PURGE_INTERVAL', 'autopurge.purgeInterval'],
  ['ZOOKEEPER_SYNC_ENABLED', 'syncEnabled'],
  ['ZOOKEEPER_INIT_LIMIT', 'initLimit'],
  ['ZOOKEEPER_LEADER_SERVES', 'leaderServes'],
  ['ZOOKEEPER_SYNC_LIMIT', 'syncLimit'],
  ['ZOOKEEPER_CNX_TIMEOUT', 'cnxTimeout'],
  ['ZOOKEEPER_FORCE_SYNC', 'forceSync'],
  ['ZOOKEEPER_JUTE_MAX_BUFFER', 'jute.maxbuffer'],
  ['ZOOKEEPER_SKIP_ACL', 'skipACL'],
  ['ZOOKEEPER_QUORUM_LISTEN_ON_ALL_IPS', 'quorumListenOnAllIPs'],
  ['ZOOKEEPER_SECURE_CLIENT_PORT', 'secureClientPort'],
  ['ZOOKEEPER_SSL_KEYSTORE_LOCATION', 'ssl.keyStore.location'],
  ['ZOOKEEPER_SSL_KEYSTORE_TYPE', 'ssl.keyStore.type'],
  ['ZOOKEEPER_SSL_TRUSTSTORE_LOCATION', 'ssl.trustStore.location'],
  ['ZOOKEEPER_SSL_TRUSTSTORE_TYPE', 'ssl.trustStore.type'],
  ['ZOOKEEPER_SSL_HOSTNAME_VERIFICATION', 'ssl.hostnameVerification'],
  ['ZOOKEEPER_SSL_QUORUM', 'sslQuorum'],
  ['ZOOKEEPER_SSL_QUORUM_KEYSTORE_LOCATION', 'ssl.quorum.keyStore.location'],
  ['ZOOKEEPER_SSL_QUORUM_KEYSTORE_TYPE', 'ssl.quorum.keyStore.type'],
  ['ZOOKEEPER_SSL_QUORUM_TRUSTSTORE_LOCATION', 'ssl.quorum.trustStore.location'],
  ['ZOOKEEPER_SSL_QUORUM_TRUSTSTORE_TYPE', 'ssl.quorum.trustStore.type'],
  ['ZOOKEEPER_SSL_QUORUM_HOSTNAME_VERIFICATION', 'ssl.quorum.hostnameVerification'],
  ['ZOOKEEPER_SERVER_CNXN_FACTORY', 'serverCnxnFactory'],
  ['ZOOKEEPER_ADMIN_ENABLE_SERVER', 'admin.enableServer'],
  ['ZOOKEEPER_ADMIN_SERVER_ADDRESS', 'admin.serverAddress'],
  ['ZOOKEEPER_ADMIN_SERVER_PORT', 'admin.serverPort'],
  ['ZOOKEEPER_ADMIN_IDLE_TIMEOUT', 'admin.idleTimeout'],
];
const VARIABLE = new Map(TABLE.map(([variable, key]) => [key, variable]));

/** Keys people reach for that no 7.x template maps, with why. */
const LATER: ReadonlyMap<string, string> = new Map([
  ['tcpKeepAlive', 'ZOOKEEPER_TCP_KEEP_ALIVE came with the 8.0 template, and cp-zookeeper was never built for 8.0'],
]);
const ORDER = new Map(TABLE.map(([, key], i) => [key, i]));

/** The TLS keys that only a system property can carry (the password files), as KAFKA_OPTS flags. */
function tlsFlags(member: Member, ensemble: Ensemble): string[] {
  return tlsSettings(member, ensemble)
    .filter(([key]) => key.endsWith('.passwordPath'))
    .map(([key, value]) => `-Dzookeeper.${key}=${value}`);
}

/** A key's place in the image's table, or its variable: only keys of the table reach here. */
function fromTable<T>(map: ReadonlyMap<string, T>, key: string): T {
  const found = map.get(key);
  if (found === undefined) throw new Error(`zkgen bug: ${key} is not in cp-zookeeper's table`);
  return found;
}

/** zoo.cfg keys and values this member's variables set, in the template's order. */
function tableSettings(member: Member, ensemble: Ensemble): Setting[] {
  const s = ensemble.settings;
  const has35 = atLeast(ensemble.release.zookeeper, 3, 5);
  const open = plaintextClientOpen(ensemble);
  const values: Array<readonly [string, string | number | undefined]> = [
    // Without it the plaintext client port stays closed.
    ['clientPort', open ? member.ports.client : undefined],
    ['tickTime', s.tickTime],
    ['maxClientCnxns', s.maxClientCnxns],
    ['autopurge.snapRetainCount', autopurgeOf(ensemble).snapRetainCount],
    ['autopurge.purgeInterval', autopurgeOf(ensemble).purgeInterval],
    // The image's configure script fills these in for an ensemble when they are not given.
    ['initLimit', s.initLimit ?? 10],
    ['syncLimit', s.syncLimit ?? 5],
    // ZooKeeper 3.4 (Confluent 5.3 and older) has no AdminServer, and its template no variables for it.
    ['admin.enableServer', has35 ? String(ensemble.adminServer) : undefined],
    ['admin.serverPort', has35 ? member.ports.admin : undefined],
    ...listenSettings(member, ensemble, { clientPortAddress: open }).filter(([key]) => has35 || !key.startsWith('admin.')),
    // What the table has of the member's TLS; the rest is told in KAFKA_OPTS or refused.
    ...tlsSettings(member, ensemble).filter(([key]) => VARIABLE.has(key)),
    ...ensemble.settings.config.filter(([key]) => VARIABLE.has(key)).map(([k, v]): [string, string] => [k, v]),
  ];
  return values
    .filter((v): v is [string, string | number] => v[1] !== undefined)
    .map(([k, v]): Setting => [k, String(v)])
    .sort((a, b) => fromTable(ORDER, a[0]) - fromTable(ORDER, b[0]));
}

/** ZOOKEEPER_GROUPS' and ZOOKEEPER_WEIGHTS' entries, by position: each group's ids (id:id…) and every member's weight; none without groups. */
function groupsAndWeights(ensemble: Ensemble): { groups: string[]; weights: number[] } {
  const grouped = ensemble.members.filter((m) => m.group !== undefined);
  if (grouped.length === 0) return { groups: [], weights: [] };
  const numbers = [...new Set(grouped.flatMap((m) => (m.group === undefined ? [] : [m.group])))].sort((a, b) => a - b);
  return {
    // Groups are numbered by position too; a group's number is only a label.
    groups: numbers.map((g) => grouped.filter((m) => m.group === g).map((m) => m.id).join(':')),
    weights: ensemble.members.map((m) => m.weight ?? 1),
  };
}

export const confluent: Dialect = {
  name: 'confluent',
  // The JVM is the first process (or exec'd by it) and shuts ZooKeeper down on SIGTERM: Docker's default.
  stopTimeout: 10,
  healthcheckByDefault: true,
  adminServerByDefault: true,
  dataOwner: 1000,
  bindsOwnAddress: true,
  noAuth: {
    quorum: 'confluentinc/cp-zookeeper has no variable for quorum SASL (quorum.auth.* is read only from its generated file)',
    client: 'zkgen does not pass client SASL to confluentinc/cp-zookeeper yet (its table has no sessionRequireClientSASLAuth)',
  },
  noReconfig: 'confluentinc/cp-zookeeper has no variable for reconfigEnabled (its template writes only the keys it maps)',
  tlsOwner: '1000',
  unboundSecureClient: 'confluentinc/cp-zookeeper has no variable for secureClientPortAddress',
  // cp-zookeeper ships no ZooKeeper scripts; its ZooKeeper jar is on Kafka's classpath.
  zooKeeperClass: ['kafka-run-class'],
  zkCli: ['zookeeper-shell'],
  zooCfgPath: '/etc/kafka/zookeeper.properties',
  sharedEnvironment(ensemble) {
    const { groups, weights } = groupsAndWeights(ensemble);
    return [
      ['ZOOKEEPER_SERVERS', ensemble.members.map(serverAddress).join(';')],
      ...(groups.length > 0 ? [['ZOOKEEPER_GROUPS', groups.join(';')] as const, ['ZOOKEEPER_WEIGHTS', weights.join(';')] as const] : []),
    ];
  },
  volumes: (member, ensemble) => {
    const keys = memberKeys(member, ensemble);
    return [
      dataMount(member.dataDir, '/var/lib/zookeeper/data'),
      dataMount(`${member.dataDir}/log`, '/var/lib/zookeeper/log'),
      ...(keys !== undefined ? [readOnlyMount(keys, TLS_MOUNT)] : []),
    ];
  },
  // zookeeper-shell runs through kafka-run-class, which passes KAFKA_OPTS to its JVM.
  zkCliEnvironment: () => [['KAFKA_OPTS', clientTlsFlags()]],
  environment(member, ensemble) {
    // The whitelist has no variable of its own; ZooKeeper also reads it as a system property
    // (3.5+: 3.4 answers every word).
    const has35 = atLeast(ensemble.release.zookeeper, 3, 5);
    const heap = ensemble.settings.heap;
    return [
      ['ZOOKEEPER_SERVER_ID', String(member.id)],
      ...tableSettings(member, ensemble).map(([k, v]): Setting => [fromTable(VARIABLE, k), v]),
      ...(has35 ? [['KAFKA_OPTS', [`-Dzookeeper.4lw.commands.whitelist=${fourLetterWords(ensemble)}`, ...tlsFlags(member, ensemble)].join(' ')] as const] : []),
      ...(heap ? [['KAFKA_HEAP_OPTS', `${heapFlag(heap)} -Xms${heap}`] as const] : []),
    ];
  },
  zooCfg(member, ensemble) {
    const { groups, weights } = groupsAndWeights(ensemble);
    return lastWins([
      ['dataDir', '/var/lib/zookeeper/data'],
      ['dataLogDir', '/var/lib/zookeeper/log'],
      ...tableSettings(member, ensemble),
      ...ensemble.members.map((m, i): Setting => [`server.${i + 1}`, serverAddress(m)]),
      ...groups.map((g, i): Setting => [`group.${i + 1}`, g]),
      ...weights.map((w, i): Setting => [`weight.${i + 1}`, String(w)]),
    ]);
  },
  inexpressible(ensemble) {
    const problems: Problem[] = [];
    ensemble.members.forEach((m, i) => {
      if (m.id !== i + 1) {
        problems.push({
          pointer: m.origin.id,
          message: `confluentinc/cp-zookeeper numbers ZOOKEEPER_SERVERS by position, so ids must be 1..${ensemble.members.length} with none left out: ${m.name} has id ${m.id}, position ${i + 1}`,
        });
      }
    });
    if (ensemble.metrics) {
      problems.push({
        pointer: ensemble.origin.metrics,
        message: 'confluentinc/cp-zookeeper has no variable for metricsProvider.*, so Prometheus metrics cannot be turned on',
      });
    }
    if (ensemble.members.some((m) => m.group !== undefined) && ensemble.members.some((m) => m.role === 'observer')) {
      problems.push({
        pointer: ensemble.origin.servers,
        message: 'confluentinc/cp-zookeeper gives a weight to every position in ZOOKEEPER_WEIGHTS, observers too: groups and observers cannot be combined',
      });
    }
    if (!atLeast(ensemble.release.zookeeper, 3, 5)) {
      const observer = ensemble.members.find((m) => m.role === 'observer');
      if (observer) {
        problems.push({
          pointer: observer.origin.member,
          message: `${ensemble.image} runs ZooKeeper 3.4, where an observer needs peerType=observer in its own zoo.cfg, and the image has no variable for it`,
        });
      }
    }
    const tls = ensemble.tls;
    if (tls?.portUnification) {
      problems.push({
        pointer: `${ensemble.origin.tls}/portUnification`,
        message: 'confluentinc/cp-zookeeper has no variable for portUnification, which ZooKeeper reads only from its configuration file: the quorum cannot move to TLS member by member',
      });
    }
    for (const [key] of ensemble.settings.config) {
      if (!VARIABLE.has(key)) {
        const later = LATER.get(key);
        problems.push({
          pointer: `${ensemble.origin.config}/${key}`,
          message: `confluentinc/cp-zookeeper sets only the zoo.cfg keys in its table of ZOOKEEPER_* variables, and ${key} is not one of them${later ? `: ${later}` : ''}`,
        });
      }
    }
    return problems;
  },
};
