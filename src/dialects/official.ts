// The official `zookeeper` image (3.4 … 3.9). Its docker-entrypoint.sh writes /conf/zoo.cfg once,
// only if absent: fixed keys from ZOO_* variables, then each whitespace-separated word of
// ZOO_SERVERS, 4lw.commands.whitelist, then each word of ZOO_CFG_EXTRA. There is no client port
// variable: each member listens where its own server line's `;clientPort` says.
//
// ZooKeeper 3.4 tags (zookeeper:3.4.x; the last revision of the image's 3.4.14/ entrypoint) write
// `clientPort=2181` first whatever the environment says, then the same fixed keys, the server
// lines in 3.4's form (no `;clientPort`) and each word of ZOO_CFG_EXTRA — no 4lw whitelist, no
// AdminServer. ZooKeeper reads zoo.cfg as java.util.Properties, where a key's last line wins, so
// each member's own clientPort (and clientPortAddress) goes in ZOO_CFG_EXTRA after the 2181.
// The 3.5 to 3.7 tags are taken to have the 3.8/3.9 entrypoint. The image starts as root, hands
// its folders to uid 1000 and drops to it, so data folders need no preparation.
import { atLeast } from '../images.js';
import { autopurgeOf, fourLetterWords, heapFlag, metricsSettings, observerSettings, quorumGroups, serverLine, type Setting } from '../zookeeper.js';
import { AUTH_MOUNT, authJvmFlags, authSettings, clientEndpoint, clientTlsFlags, listenSettings, memberKeys, TLS_MOUNT, tlsSettings } from '../security.js';
import { reconfigJvmFlags, reconfigSettings, reconfigVolumes, standaloneEnabled } from '../reconfig.js';
import type { Ensemble, Member, Problem } from '../model.js';
import { quoted } from '../pointer.js';
import { dataMount, lastWins, optional, readOnlyMount, zkEnvJava, type Dialect } from './types.js';

/** What ZOO_CFG_EXTRA carries for one member: every setting no ZOO_* variable of its own has. */
function extra(member: Member, ensemble: Ensemble): Setting[] {
  return [
    // 3.4's server lines have no client part: the port and its address are lines of their own.
    ...(is34(ensemble) ? [['clientPort', String(member.ports.client)] as const] : []),
    ...optional('admin.serverPort', member.ports.admin),
    ...listenSettings(member, ensemble, { clientPortAddress: is34(ensemble) }),
    ...tlsSettings(member, ensemble),
    ...authSettings(ensemble),
    ...reconfigSettings(ensemble),
    ...metricsSettings(member),
    ...observerSettings(member),
    ...quorumGroups(ensemble),
    ...ensemble.settings.config,
  ];
}

/** ZOO_SERVERS: the server lines as the entrypoint takes them, split on whitespace. */
const serverList = (lines: readonly Setting[]): Setting[] => [['ZOO_SERVERS', lines.map(([k, v]) => `${k}=${v}`).join(' ')]];

/**
 * JVMFLAGS, which zkServer.sh and zkCli.sh both pass to their JVM: the heap, the JAAS file (it
 * serves both) and, for the server alone, the super user's digest.
 */
function jvmFlags(ensemble: Ensemble, of: 'server' | 'zkCli'): string[] {
  const heap = ensemble.settings.heap;
  const flags = [heap && heapFlag(heap), authJvmFlags(ensemble), of === 'server' ? reconfigJvmFlags(ensemble) : undefined];
  return flags.filter((flag): flag is string => Boolean(flag));
}

const is34 = (ensemble: Ensemble) => !atLeast(ensemble.release.zookeeper, 3, 5);
const serverStyle = (ensemble: Ensemble) => (is34(ensemble) ? '3.4' : '3.5');

export const official: Dialect = {
  name: 'official',
  // The JVM is the first process (or exec'd by it) and shuts ZooKeeper down on SIGTERM: Docker's default.
  stopTimeout: 10,
  healthcheckByDefault: true,
  adminServerByDefault: true,
  bindsOwnAddress: true,
  // docker-entrypoint.sh drops root for the image's zookeeper user.
  tlsOwner: '1000',
  zooKeeperClass: zkEnvJava('zkCli.sh'),
  zkCli: ['zkCli.sh', '-server'],
  zooCfgPath: '/conf/zoo.cfg',
  sharedEnvironment: (ensemble) => serverList(ensemble.members.map((m) => serverLine(m, serverStyle(ensemble), clientEndpoint(m, ensemble)))),
  serverList,
  // /datalog is a volume of its own in the image: mounted from the host too, or the transaction
  // log would stay behind in an anonymous volume when the container is removed.
  volumes: (member, ensemble) => {
    const keys = memberKeys(member, ensemble);
    return [
      dataMount(member.dataDir, '/data'),
      dataMount(`${member.dataDir}/datalog`, '/datalog'),
      ...(keys !== undefined ? [readOnlyMount(keys, TLS_MOUNT)] : []),
      ...(ensemble.auth !== undefined && authJvmFlags(ensemble) !== undefined ? [readOnlyMount(ensemble.auth.secrets, AUTH_MOUNT)] : []),
      ...reconfigVolumes(ensemble),
    ];
  },
  // zkCli.sh passes CLIENT_JVMFLAGS to its JVM.
  zkCliEnvironment: () => [['CLIENT_JVMFLAGS', clientTlsFlags()]],
  zkCliAuthEnvironment: (ensemble) => (ensemble.auth ? optional('JVMFLAGS', jvmFlags(ensemble, 'zkCli').join(' ') || undefined) : []),
  environment(member, ensemble) {
    const s = ensemble.settings;
    const words = extra(member, ensemble).map(([k, v]) => `${k}=${v}`);
    return [
      ['ZOO_MY_ID', String(member.id)],
      ...optional('ZOO_TICK_TIME', s.tickTime),
      ...optional('ZOO_INIT_LIMIT', s.initLimit),
      ...optional('ZOO_SYNC_LIMIT', s.syncLimit),
      ...optional('ZOO_MAX_CLIENT_CNXNS', s.maxClientCnxns),
      ['ZOO_AUTOPURGE_SNAPRETAINCOUNT', String(autopurgeOf(ensemble).snapRetainCount)],
      ['ZOO_AUTOPURGE_PURGEINTERVAL', String(autopurgeOf(ensemble).purgeInterval)],
      ...(is34(ensemble)
        ? []
        : [
            // The image's default is true; written only when it differs, so other bundles stay as they were.
            ...(ensemble.reconfig ? [['ZOO_STANDALONE_ENABLED', standaloneEnabled(ensemble)] as const] : []),
            ['ZOO_ADMINSERVER_ENABLED', String(ensemble.adminServer)] as const,
            ['ZOO_4LW_COMMANDS_WHITELIST', fourLetterWords(ensemble)] as const,
          ]),
      ...(words.length > 0 ? [['ZOO_CFG_EXTRA', words.join(' ')] as const] : []),
      // zkCli.sh run in the member's container passes these on too (the digest is harmless to it).
      ...optional('JVMFLAGS', jvmFlags(ensemble, 'server').join(' ') || undefined),
    ];
  },
  zooCfg(member, ensemble) {
    const s = ensemble.settings;
    // What both entrypoints write from their ZOO_* variables or defaults, in their order.
    const written: Setting[] = [
      ['dataDir', '/data'],
      ['dataLogDir', '/datalog'],
      ['tickTime', String(s.tickTime ?? 2000)],
      ['initLimit', String(s.initLimit ?? 5)],
      ['syncLimit', String(s.syncLimit ?? 2)],
      ['autopurge.snapRetainCount', String(autopurgeOf(ensemble).snapRetainCount)],
      ['autopurge.purgeInterval', String(autopurgeOf(ensemble).purgeInterval)],
      ['maxClientCnxns', String(s.maxClientCnxns ?? 60)],
    ];
    if (is34(ensemble)) {
      // The 3.4 entrypoint writes clientPort=2181 first, then the same keys, its server lines and ZOO_CFG_EXTRA.
      return lastWins([['clientPort', '2181'], ...written, ...ensemble.members.map((m) => serverLine(m, '3.4')), ...extra(member, ensemble)]);
    }
    return lastWins([
      ...written,
      ['standaloneEnabled', standaloneEnabled(ensemble)],
      ['admin.enableServer', String(ensemble.adminServer)],
      ...ensemble.members.map((m) => serverLine(m, '3.5', clientEndpoint(m, ensemble))),
      ['4lw.commands.whitelist', fourLetterWords(ensemble)],
      ...extra(member, ensemble),
    ]);
  },
  inexpressible(ensemble) {
    const problems: Problem[] = [];
    // The entrypoint splits ZOO_CFG_EXTRA on whitespace: a value with a space would become two lines.
    for (const [key, value] of ensemble.settings.config) {
      if (/\s/.test(value)) {
        problems.push({
          pointer: `${ensemble.origin.config}/${key}`,
          message: `the official image passes extra settings in ZOO_CFG_EXTRA, split on whitespace: ${quoted(value)} cannot hold a space`,
        });
      }
    }
    return problems;
  },
};
