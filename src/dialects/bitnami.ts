// bitnami/zookeeper. Its scripts build zoo.cfg from the sample: ZOO_* variables set fixed keys,
// ZOO_SERVERS (`host:peer:election[:observer]::id`, so ids may be sparse) becomes server lines
// with ZOO_PORT_NUMBER — this member's own client port — stamped onto every one, and then each
// ZOO_CFG_<key> sets <key> (`_` read as `.`), replacing a line already there. Under host
// networking members need client ports of their own, so the stamped lines would be wrong for every
// member but one; each server line is therefore given whole again as ZOO_CFG_server_<id>, with
// its member's own `;clientPort`. (One shared client port with a clientPortAddress per member is
// refused by ZooKeeper 3.5+: the address differs from the stamped line's.)
//
// Read from the image's own scripts (3.8 and 3.9): zoo.cfg starts as ZooKeeper's zoo_sample.cfg;
// each key the scripts set replaces its line, commented out or not, in place, or is appended. They
// always set preAllocSize, snapCount, maxCnxns and maxSessionTimeout (ZOO_MAX_SESSION_TIMEOUT,
// 40000 unless given — not 20 × tickTime as ZooKeeper's own default), and 3.9 also
// admin.serverAddress=127.0.0.1. The AdminServer is off unless ZOO_ENABLE_ADMIN_SERVER=yes. The
// image runs as uid 1001 and never takes root to change a folder's owner.
//
// TLS, read from the same scripts: ZOO_TLS_CLIENT_ENABLE (3.9) removes the clientPort line and
// writes client.secure, ssl.clientAuth (ZOO_TLS_CLIENT_AUTH, need), secureClientPort
// (ZOO_TLS_PORT_NUMBER), the Netty connection factory and the client stores' locations and types;
// ZOO_TLS_QUORUM_ENABLE writes sslQuorum, ssl.quorum.clientAuth, the factory and the quorum
// stores'. Both happen before the ZOO_CFG_<key> passthrough. Their *_PASSWORD variables take the
// password itself and are written only when not empty: zkgen leaves them empty and passes
// ZooKeeper's own ssl.*.passwordPath through ZOO_CFG_, so the member reads each password from its
// mounted key folder and no password is in the bundle or the member's zoo.cfg. The 3.8 scripts
// have no *_TYPE variables (the types go through the passthrough) and keep the clientPort line,
// so there the plaintext client port cannot be closed.
import { autopurgeOf, fourLetterWords, heapMegabytes, metricsSettings, observerSettings, quorumGroups, serverAddress, serverLine, type Setting } from '../zookeeper.js';
import { atLeast } from '../images.js';
import type { Ensemble, Member, Problem } from '../model.js';
import { clientEndpoint, clientTlsFlags, listenSettings, memberKeys, NETTY_SERVER, TLS_MOUNT, tlsSettings } from '../security.js';
import { dataMount, lastWins, optional, readOnlyMount, zkEnvJava, type Dialect } from './types.js';

const yes = (on: boolean) => (on ? 'yes' : 'no');
const cfgVariable = (key: string) => `ZOO_CFG_${key.replace(/\./g, '_')}`;

/** ZooKeeper's own default maxSessionTimeout, which zkgen gives the image whenever tickTime is set. */
const maxSessionTimeout = (tickTime: number) => 20 * tickTime;

// The image's TLS variables and the zoo.cfg keys they set, in the order its scripts write them,
// read only once their switch (ZOO_TLS_CLIENT_ENABLE, ZOO_TLS_QUORUM_ENABLE) is on.
const TLS_PORT: ReadonlyArray<readonly [string, string]> = [['ZOO_TLS_PORT_NUMBER', 'secureClientPort']];
const TLS_CLIENT: ReadonlyArray<readonly [string, string]> = [
  ['ZOO_TLS_CLIENT_KEYSTORE_FILE', 'ssl.keyStore.location'],
  ['ZOO_TLS_CLIENT_KEYSTORE_TYPE', 'ssl.keyStore.type'],
  ['ZOO_TLS_CLIENT_TRUSTSTORE_FILE', 'ssl.trustStore.location'],
  ['ZOO_TLS_CLIENT_TRUSTSTORE_TYPE', 'ssl.trustStore.type'],
];
const TLS_QUORUM: ReadonlyArray<readonly [string, string]> = [
  ['ZOO_TLS_QUORUM_KEYSTORE_FILE', 'ssl.quorum.keyStore.location'],
  ['ZOO_TLS_QUORUM_KEYSTORE_TYPE', 'ssl.quorum.keyStore.type'],
  ['ZOO_TLS_QUORUM_TRUSTSTORE_FILE', 'ssl.quorum.trustStore.location'],
  ['ZOO_TLS_QUORUM_TRUSTSTORE_TYPE', 'ssl.quorum.trustStore.type'],
];
/** Keys the image writes by itself once a switch is on. */
const SWITCHED = ['serverCnxnFactory', 'sslQuorum'];

const is39 = (ensemble: Ensemble) => atLeast(ensemble.release.zookeeper, 3, 9);

/** A TLS table as the release's scripts have it: 3.8's have no *_TYPE variables. */
const ofRelease = (ensemble: Ensemble, table: ReadonlyArray<readonly [string, string]>) => table.filter(([variable]) => is39(ensemble) || !variable.endsWith('_TYPE'));

/** The TLS tables whose switch the ensemble turns on. */
const tlsTables = (ensemble: Ensemble) =>
  [...(ensemble.tls?.client ? [TLS_PORT, TLS_CLIENT] : []), ...(ensemble.tls?.quorum ? [TLS_QUORUM] : [])].map((table) => ofRelease(ensemble, table));

/**
 * A member's TLS (src/security.ts says which zoo.cfg lines) split the way the image takes it: the
 * values its own variables carry, and the rest — password files, addresses, hostname
 * verification, port unification — for the passthrough.
 */
function tls(member: Member, ensemble: Ensemble): { variables: Setting[]; passed: Setting[] } {
  const variable = new Map(tlsTables(ensemble).flatMap((table) => table.map(([v, key]) => [key, v] as const)));
  const variables: Setting[] = [];
  const passed: Setting[] = [];
  for (const [key, value] of tlsSettings(member, ensemble)) {
    const name = variable.get(key);
    if (name !== undefined) variables.push([name, value]);
    else if (!SWITCHED.includes(key)) passed.push([key, value]);
  }
  return { variables, passed };
}

/**
 * What the switches write into zoo.cfg, in the scripts' order: their fixed lines (clientAuth is
 * the image's default, need) and the keys of the variables the member is given.
 */
function switchedLines(member: Member, ensemble: Ensemble): Setting[] {
  const environment = new Map(tls(member, ensemble).variables);
  const from = (table: ReadonlyArray<readonly [string, string]>) =>
    table.flatMap(([variable, key]): Setting[] => {
      const value = environment.get(variable);
      return value === undefined ? [] : [[key, value]];
    });
  return [
    ...(ensemble.tls?.client
      ? [['client.secure', 'true'] as const, ['ssl.clientAuth', 'need'] as const, ...from(TLS_PORT), ['serverCnxnFactory', NETTY_SERVER] as const, ...from(ofRelease(ensemble, TLS_CLIENT))]
      : []),
    ...(ensemble.tls?.quorum ? [['sslQuorum', 'true'] as const, ['ssl.quorum.clientAuth', 'need'] as const, ['serverCnxnFactory', NETTY_SERVER] as const, ...from(ofRelease(ensemble, TLS_QUORUM))] : []),
  ];
}

/**
 * Where the member listens, through the passthrough. clientPortAddress only while the image writes
 * a clientPort line: ZooKeeper refuses the address without the port, and with client TLS the
 * plaintext port (if kept open) is the one on the server line.
 */
const listen = (member: Member, ensemble: Ensemble) => listenSettings(member, ensemble, { clientPortAddress: !(ensemble.tls?.client && is39(ensemble)) });

/**
 * Every ZOO_CFG_<key> a member gets, as [variable, key, value], in the order the image applies
 * them: bash lists the variables by name.
 */
function cfgSettings(ensemble: Ensemble, member: Member): Array<readonly [string, string, string]> {
  return [
    ...ensemble.members.map((m) => serverLine(m, '3.5', clientEndpoint(m, ensemble))),
    ...quorumGroups(ensemble),
    ...listen(member, ensemble),
    ...tls(member, ensemble).passed,
    ...ensemble.settings.config,
  ]
    .map(([key, value]) => [cfgVariable(key), key, value] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export const bitnami: Dialect = {
  name: 'bitnami',
  // The JVM is the first process (or exec'd by it) and shuts ZooKeeper down on SIGTERM: Docker's default.
  stopTimeout: 10,
  healthcheckByDefault: true,
  // ZOO_ENABLE_ADMIN_SERVER defaults to no.
  adminServerByDefault: false,
  dataOwner: 1001,
  bindsOwnAddress: true,
  noAuth: {
    quorum: "bitnami/zookeeper's quorum authentication conflicts with its default FIPS mode (ZOO_FIPS_MODE=yes), and its variables take the secrets as values, which would put them in the bundle",
    client: "bitnami/zookeeper's client authentication conflicts with its default FIPS mode (ZOO_FIPS_MODE=yes), and its variables take the secrets as values, which would put them in the bundle",
  },
  noReconfig:
    "zkgen does not turn on bitnami/zookeeper's reconfiguration (ZOO_RECONFIG_ENABLED) yet: a move has not been proven on the image's scripts, nor the digest super user under its default FIPS mode",
  tlsOwner: '1001',
  zooKeeperClass: zkEnvJava('/opt/bitnami/zookeeper/bin/zkCli.sh'),
  zkCli: ['/opt/bitnami/zookeeper/bin/zkCli.sh', '-server'],
  zooCfgPath: '/opt/bitnami/zookeeper/conf/zoo.cfg',
  sharedEnvironment: (ensemble) => [
    ['ZOO_SERVERS', ensemble.members.map((m) => `${serverAddress(m)}::${m.id}`).join(',')],
    ...ensemble.members.map((m): Setting => {
      const [key, value] = serverLine(m, '3.5', clientEndpoint(m, ensemble));
      return [cfgVariable(key), value];
    }),
    ...quorumGroups(ensemble).map(([k, v]): Setting => [cfgVariable(k), v]),
  ],
  volumes: (member, ensemble) => {
    const keys = memberKeys(member, ensemble);
    return [dataMount(member.dataDir, '/bitnami/zookeeper'), ...(keys !== undefined ? [readOnlyMount(keys, TLS_MOUNT)] : [])];
  },
  // zkCli.sh passes CLIENT_JVMFLAGS to its JVM.
  zkCliEnvironment: () => [['CLIENT_JVMFLAGS', clientTlsFlags()]],
  environment(member, ensemble) {
    const s = ensemble.settings;
    return [
      ['ZOO_SERVER_ID', String(member.id)],
      ['ZOO_PORT_NUMBER', String(member.ports.client)],
      // Without it the image refuses to start with client authentication off; 3.9 reads
      // ALLOW_EMPTY_PASSWORD and ignores the 3.8 name, 3.8 reads only ALLOW_ANONYMOUS_LOGIN.
      is39(ensemble) ? ['ALLOW_EMPTY_PASSWORD', 'yes'] : ['ALLOW_ANONYMOUS_LOGIN', 'yes'],
      ['ZOO_4LW_COMMANDS_WHITELIST', fourLetterWords(ensemble)],
      ['ZOO_ENABLE_ADMIN_SERVER', yes(ensemble.adminServer)],
      ...optional('ZOO_ADMIN_SERVER_PORT_NUMBER', member.ports.admin),
      ...(member.ports.metrics !== undefined
        ? [['ZOO_ENABLE_PROMETHEUS_METRICS', 'yes'] as const, ['ZOO_PROMETHEUS_METRICS_PORT_NUMBER', String(member.ports.metrics)] as const]
        : []),
      ...optional('ZOO_TICK_TIME', s.tickTime),
      ...optional('ZOO_MAX_SESSION_TIMEOUT', s.tickTime && maxSessionTimeout(s.tickTime)),
      ...optional('ZOO_INIT_LIMIT', s.initLimit),
      ...optional('ZOO_SYNC_LIMIT', s.syncLimit),
      ...optional('ZOO_MAX_CLIENT_CNXNS', s.maxClientCnxns),
      ['ZOO_AUTOPURGE_RETAIN_COUNT', String(autopurgeOf(ensemble).snapRetainCount)],
      ['ZOO_AUTOPURGE_INTERVAL', String(autopurgeOf(ensemble).purgeInterval)],
      ...optional('ZOO_HEAP_SIZE', s.heap && heapMegabytes(s.heap)),
      ...(member.role === 'observer' ? [['ZOO_PEER_TYPE', 'observer'] as const] : []),
      ...(ensemble.tls?.client ? [['ZOO_TLS_CLIENT_ENABLE', 'yes'] as const] : []),
      ...(ensemble.tls?.quorum ? [['ZOO_TLS_QUORUM_ENABLE', 'yes'] as const] : []),
      ...tls(member, ensemble).variables,
      // Through the passthrough, which every release of the image reads (ZOO_ADMIN_SERVER_ADDRESS
      // is only in the newest scripts).
      ...[...listen(member, ensemble), ...tls(member, ensemble).passed].map(([k, v]): Setting => [cfgVariable(k), v]),
      ...ensemble.settings.config.map(([k, v]): Setting => [cfgVariable(k), v]),
    ];
  },
  zooCfg(member: Member, ensemble: Ensemble) {
    const s = ensemble.settings;
    const metrics = metricsSettings(member);
    const lines = lastWins([
      // zoo_sample.cfg's lines, set in place (the commented-out ones too).
      ['tickTime', String(s.tickTime ?? 2000)],
      ['initLimit', String(s.initLimit ?? 10)],
      ['syncLimit', String(s.syncLimit ?? 5)],
      ['dataDir', '/bitnami/zookeeper/data'],
      ['clientPort', String(member.ports.client)],
      ['maxClientCnxns', String(s.maxClientCnxns ?? 60)],
      ['autopurge.snapRetainCount', String(autopurgeOf(ensemble).snapRetainCount)],
      ['autopurge.purgeInterval', String(autopurgeOf(ensemble).purgeInterval)],
      ...(metrics.length > 0 ? [...metrics, ['metricsProvider.exportJvmInfo', 'true'] as const] : []),
      // Appended by the scripts.
      ['preAllocSize', '65536'],
      ['snapCount', '100000'],
      ['maxCnxns', '0'],
      ['reconfigEnabled', 'false'],
      ['quorumListenOnAllIPs', 'false'],
      ['4lw.commands.whitelist', fourLetterWords(ensemble)],
      ['maxSessionTimeout', String(s.tickTime ? maxSessionTimeout(s.tickTime) : 40000)],
      ...(is39(ensemble) ? [['admin.serverAddress', '127.0.0.1'] as const] : []),
      ['admin.serverPort', String(member.ports.admin ?? 8080)],
      ['admin.enableServer', String(ensemble.adminServer)],
      // The stamped lines, each then replaced whole by its ZOO_CFG_server_<id>.
      ...ensemble.members.map((m) => serverLine(m, '3.5', String(member.ports.client))),
      ...switchedLines(member, ensemble),
      ...cfgSettings(ensemble, member).map(([, key, value]): Setting => [key, value]),
      ...observerSettings(member),
    ]);
    // ZOO_TLS_CLIENT_ENABLE removes the clientPort line (3.9): a plaintext port kept open is the server line's.
    return ensemble.tls?.client && is39(ensemble) ? lines.filter(([key]) => key !== 'clientPort') : lines;
  },
  inexpressible(ensemble) {
    const problems: Problem[] = [];
    if (ensemble.tls?.client && !ensemble.tls.plaintextClientPort && atLeast(ensemble.release.zookeeper, 3, 8) && !is39(ensemble)) {
      problems.push({
        pointer: `${ensemble.origin.tls}/client`,
        message: `${ensemble.image} runs bitnami's 3.8 scripts, which keep the clientPort line with ZOO_TLS_CLIENT_ENABLE: the plaintext client port cannot be closed; keep it with tls.plaintextClientPort, or use the 3.9 image`,
      });
    }
    const zk = ensemble.release.zookeeper;
    if (!atLeast(zk, 3, 8)) {
      problems.push({ pointer: ensemble.origin.image, message: `zkgen speaks bitnami's scripts of ZooKeeper 3.8 and 3.9, and ${ensemble.image} runs ${zk.major}.${zk.minor}` });
    }
    for (const m of ensemble.members) {
      // The image's own validation refuses privileged ports (the AdminServer's only while it is on).
      for (const kind of ['client', 'admin', 'metrics'] as const) {
        const port = m.ports[kind];
        if (port !== undefined && port < 1024) {
          problems.push({ pointer: m.origin.ports[kind], message: `bitnami/zookeeper refuses ports below 1024: ${m.name}'s ${kind} port is ${port}` });
        }
      }
    }
    for (const [key] of ensemble.settings.config) {
      if (/[_-]/.test(key)) {
        problems.push({
          pointer: `${ensemble.origin.config}/${key}`,
          message: `bitnami/zookeeper takes other settings as ZOO_CFG_<key> with '_' for '.', so a key holding '_' or '-' cannot be passed`,
        });
      }
    }
    return problems;
  },
};
