// garland/zookeeper, the tutorial's image: ZooKeeper 3.4.6. Its /opt/run.sh writes $SERVER_ID to
// myid and appends $ADDITIONAL_ZOOKEEPER_1..10 to zoo.cfg verbatim, one line each, on every start.
import type { Dialect } from './types.js';
import { serverLine } from '../zookeeper.js';

const SLOTS = 10;
const CONF = '/opt/zookeeper/conf/zoo.cfg';
const DATA = '/tmp/zookeeper';

// 3.4.6's conf/zoo_sample.cfg, which the image uses as its zoo.cfg before appending.
const BASE: ReadonlyArray<readonly [string, string]> = [
  ['tickTime', '2000'],
  ['initLimit', '10'],
  ['syncLimit', '5'],
  ['dataDir', DATA],
  ['clientPort', '2181'],
];

export const garland: Dialect = {
  name: 'garland',
  // One slot per server line and one for clientPort.
  maxMembers: SLOTS - 1,
  maxMembersReason: `its /opt/run.sh appends only ADDITIONAL_ZOOKEEPER_1..${SLOTS} to zoo.cfg: one per member and one for clientPort`,
  containerDataDir: DATA,
  zkCli: '/opt/zookeeper/bin/zkCli.sh',
  zooCfgPath: CONF,
  environment(member, ensemble) {
    const lines = [...ensemble.members.map((m) => serverLine(m, '3.4')), ['clientPort', String(member.ports.client)] as const];
    return [
      ['SERVER_ID', String(member.id)],
      ...lines.map(([key, value], i) => [`ADDITIONAL_ZOOKEEPER_${i + 1}`, `${key}=${value}`] as const),
    ];
  },
  zooCfg(member, ensemble) {
    // Appended lines override the sample's (java.util.Properties keeps the last of a key).
    const settings = new Map<string, string>(BASE);
    for (const m of ensemble.members) settings.set(...serverLine(m, '3.4'));
    settings.set('clientPort', String(member.ports.client));
    return [...settings];
  },
};
