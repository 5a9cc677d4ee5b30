// bitnami/zookeeper. Its scripts build zoo.cfg from the sample: ZOO_* variables set fixed keys,
// ZOO_SERVERS (`host:peer:election[:observer]::id`, so ids may be sparse) becomes server lines
// with ZOO_PORT_NUMBER — this member's own client port — stamped onto every one, and then each
// ZOO_CFG_<key> sets <key> (`_` read as `.`), replacing a line already there. Under host
// networking members need client ports of their own, so the stamped lines would be wrong for every
// member but one; each server line is therefore given whole again as ZOO_CFG_server_<id>, with
// its member's own `;clientPort`. (One shared client port with a clientPortAddress per member is
// refused by ZooKeeper 3.5+: the address differs from the stamped line's.)
import { fourLetterWords, heapMegabytes, metricsSettings, quorumGroups, serverAddress, serverLine, sharedSettings, type Setting } from '../zookeeper.js';
import type { Problem } from '../model.js';
import { clientEndpoint, listenSettings } from '../security.js';
import { lastWins, optional, type Dialect } from './types.js';

const yes = (on: boolean) => (on ? 'yes' : 'no');
const cfgVariable = (key: string) => `ZOO_CFG_${key.replace(/\./g, '_')}`;

// The sample zoo.cfg the image starts from, then the defaults of the keys its scripts always set.
const BASE: readonly Setting[] = [
  ['tickTime', '2000'],
  ['initLimit', '10'],
  ['syncLimit', '5'],
  ['dataDir', '/bitnami/zookeeper/data'],
  ['clientPort', '2181'],
  ['maxClientCnxns', '60'],
  ['reconfigEnabled', 'false'],
  ['quorumListenOnAllIPs', 'false'],
  ['autopurge.purgeInterval', '0'],
  ['autopurge.snapRetainCount', '3'],
];

export const bitnami: Dialect = {
  name: 'bitnami',
  repository: 'bitnami/zookeeper',
  zookeeper: '3.5+',
  healthcheckByDefault: true,
  bindsOwnAddress: true,
  noAuth: {
    quorum: "bitnami/zookeeper's quorum authentication conflicts with its default FIPS mode (ZOO_FIPS_MODE=yes), and its variables take the secrets as values, which would put them in the bundle",
    client: "bitnami/zookeeper's client authentication conflicts with its default FIPS mode (ZOO_FIPS_MODE=yes), and its variables take the secrets as values, which would put them in the bundle",
  },
  noTls: "zkgen does not pass TLS to bitnami/zookeeper yet: its ZOO_TLS_*_PASSWORD variables take the stores' passwords as values, which would put them in the bundle",
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
  volumes: (member) => [[member.dataDir, '/bitnami/zookeeper']],
  environment(member, ensemble) {
    const s = ensemble.settings;
    return [
      ['ZOO_SERVER_ID', String(member.id)],
      ['ZOO_PORT_NUMBER', String(member.ports.client)],
      // Without one of these the image refuses to start with client authentication off (3.8 / 3.9).
      ['ALLOW_ANONYMOUS_LOGIN', 'yes'],
      ['ALLOW_EMPTY_PASSWORD', 'yes'],
      ['ZOO_4LW_COMMANDS_WHITELIST', fourLetterWords(ensemble)],
      ['ZOO_ENABLE_ADMIN_SERVER', yes(ensemble.adminServer)],
      ...optional('ZOO_ADMIN_SERVER_PORT_NUMBER', member.ports.admin),
      ...(member.ports.metrics !== undefined
        ? [['ZOO_ENABLE_PROMETHEUS_METRICS', 'yes'] as const, ['ZOO_PROMETHEUS_METRICS_PORT_NUMBER', String(member.ports.metrics)] as const]
        : []),
      ...optional('ZOO_TICK_TIME', s.tickTime),
      ...optional('ZOO_INIT_LIMIT', s.initLimit),
      ...optional('ZOO_SYNC_LIMIT', s.syncLimit),
      ...optional('ZOO_MAX_CLIENT_CNXNS', s.maxClientCnxns),
      ...optional('ZOO_AUTOPURGE_RETAIN_COUNT', s.autopurgeSnapRetainCount),
      ...optional('ZOO_AUTOPURGE_INTERVAL', s.autopurgePurgeInterval),
      ...optional('ZOO_HEAP_SIZE', s.heap && heapMegabytes(s.heap)),
      ...(member.role === 'observer' ? [['ZOO_PEER_TYPE', 'observer'] as const] : []),
      // Through the passthrough, which every release of the image reads (ZOO_ADMIN_SERVER_ADDRESS
      // is only in the newest scripts).
      ...listenSettings(member, ensemble, { clientPortAddress: true }).map(([k, v]): Setting => [cfgVariable(k), v]),
      ...ensemble.settings.config.map(([k, v]): Setting => [cfgVariable(k), v]),
    ];
  },
  zooCfg(member, ensemble) {
    return lastWins([
      ...BASE,
      ...sharedSettings(ensemble),
      ['clientPort', String(member.ports.client)],
      ['4lw.commands.whitelist', fourLetterWords(ensemble)],
      ...(member.ports.admin !== undefined ? [['admin.serverPort', String(member.ports.admin)] as const] : []),
      ['admin.enableServer', String(ensemble.adminServer)],
      // The stamped lines, each then replaced whole by its ZOO_CFG_server_<id>.
      ...ensemble.members.map((m) => serverLine(m, '3.5', clientEndpoint(m, ensemble))),
      ...quorumGroups(ensemble),
      ...listenSettings(member, ensemble, { clientPortAddress: true }),
      ...ensemble.settings.config,
      ...metricsSettings(member),
      ...(member.role === 'observer' ? [['peerType', 'observer'] as const] : []),
    ]);
  },
  check(ensemble) {
    const problems: Problem[] = [];
    for (const m of ensemble.members) {
      // The image's own validation refuses privileged ports.
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
