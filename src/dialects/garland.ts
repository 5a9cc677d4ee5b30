// garland/zookeeper, the tutorial's image: ZooKeeper 3.4.6. Its /opt/run.sh writes $SERVER_ID to
// myid and appends $ADDITIONAL_ZOOKEEPER_1..10 to zoo.cfg verbatim, one line each, on every start.
import { heapFlag, observerSettings, quorumGroups, serverLine, sharedSettings, type Setting } from '../zookeeper.js';
import type { Ensemble, Member } from '../model.js';
import { dataMount, lastWins, zkEnvJava, type Dialect } from './types.js';

const SLOTS = 10;
const DATA = '/tmp/zookeeper';

// 3.4.6's conf/zoo_sample.cfg, which the image uses as its zoo.cfg before appending.
const BASE: readonly Setting[] = [
  ['tickTime', '2000'],
  ['initLimit', '10'],
  ['syncLimit', '5'],
  ['dataDir', DATA],
  ['clientPort', '2181'],
];

/** Every line the member's zoo.cfg needs appended, in slot order. */
function appended(member: Member, ensemble: Ensemble): Setting[] {
  return [
    ...ensemble.members.map((m) => serverLine(m, '3.4')),
    ['clientPort', String(member.ports.client)],
    ...sharedSettings(ensemble),
    // 3.4 does not infer an observer's own role from its server line.
    ...observerSettings(member),
    ...quorumGroups(ensemble),
    ...ensemble.settings.config,
  ];
}

export const garland: Dialect = {
  name: 'garland',
  // /opt/run.sh is the container's first process and runs ZooKeeper as its child without passing
  // signals on: SIGTERM changes nothing, and Docker would wait its full 10 s before SIGKILL.
  stopTimeout: 0,
  // ZooKeeper 3.4.6: no AdminServer at all.
  adminServerByDefault: false,
  // The tutorial's commands have none, and garland's output is the tutorial's.
  healthcheckByDefault: false,
  // 3.4.6 knows clientPortAddress, but the tutorial's commands are the output byte for byte, and
  // each line would take one of the ten slots: its client ports listen on every interface, and a
  // rule says so.
  bindsOwnAddress: false,
  noAuth: {
    quorum: 'garland/zookeeper runs ZooKeeper 3.4.6, which has no quorum SASL (3.4.10 and later)',
    client: 'garland/zookeeper runs ZooKeeper 3.4.6, which cannot refuse a client without credentials (sessionRequireClientSASLAuth, 3.6 and later)',
  },
  noReconfig: 'garland/zookeeper runs ZooKeeper 3.4.6, which has no dynamic reconfiguration (3.5.3 and later)',
  noTls: 'garland/zookeeper runs ZooKeeper 3.4.6, which has no TLS (3.5.5 and later)',
  zooKeeperClass: zkEnvJava('/opt/zookeeper/bin/zkCli.sh'),
  zkCli: ['/opt/zookeeper/bin/zkCli.sh', '-server'],
  zooCfgPath: '/opt/zookeeper/conf/zoo.cfg',
  // The tutorial writes every line out for every member, and its slots are numbered per member
  // (clientPort's slot among the server lines): nothing is shared.
  sharedEnvironment: () => [],
  volumes: (member) => [dataMount(member.dataDir, DATA)],
  environment(member, ensemble) {
    return [
      ['SERVER_ID', String(member.id)],
      ...appended(member, ensemble).map(([key, value], i): Setting => [`ADDITIONAL_ZOOKEEPER_${i + 1}`, `${key}=${value}`]),
      // zkServer.sh passes $JVMFLAGS to the JVM.
      ...(ensemble.settings.heap ? [['JVMFLAGS', heapFlag(ensemble.settings.heap)] as const] : []),
    ];
  },
  zooCfg: (member, ensemble) => lastWins([...BASE, ...appended(member, ensemble)]),
  inexpressible(ensemble) {
    // An observer needs one line more than a participant (peerType).
    const most = Math.max(...ensemble.members.map((m) => appended(m, ensemble).length));
    if (most <= SLOTS) return [];
    const extra = most - ensemble.members.length - 1;
    return [
      {
        pointer: ensemble.origin.servers,
        message:
          `garland/zookeeper appends only ADDITIONAL_ZOOKEEPER_1..${SLOTS} to zoo.cfg, and this ensemble needs ${most} lines: ` +
          `${ensemble.members.length} server lines, clientPort` +
          (extra > 0 ? ` and ${extra} setting${extra === 1 ? '' : 's'}` : '') +
          ` (at most ${SLOTS - 1} members)`,
      },
    ];
  },
};
