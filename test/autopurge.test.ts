// Autopurge is on by default wherever zkgen sets ZooKeeper's settings, and the tutorial's image
// keeps its own zoo.cfg: each member's conf/<member>/zoo.cfg says what the container ends up with.
import { describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';

function zooCfg(value: object): string {
  const outcome = generate(value);
  if (!outcome.ok) throw new Error(`refused: ${JSON.stringify(outcome)}`);
  return outcome.files.find((f) => f.path === 'conf/zk1/zoo.cfg')!.content;
}
const autopurge = (cfg: string) => cfg.split('\n').filter((line) => line.startsWith('autopurge.'));

describe('autopurge', () => {
  it.each(['zookeeper:3.9.4', 'zookeeper:3.4.14', 'bitnami/zookeeper:3.9.5', 'confluentinc/cp-zookeeper:7.9.0'])(
    '%s keeps 3 snapshots and purges every hour unless the file says otherwise',
    (image) => {
      expect(autopurge(zooCfg({ image, servers: 3 }))).toEqual(['autopurge.snapRetainCount=3', 'autopurge.purgeInterval=1']);
      expect(autopurge(zooCfg({ image, servers: 3, autopurge: { snapRetainCount: 5 } }))).toEqual(['autopurge.snapRetainCount=5', 'autopurge.purgeInterval=1']);
      expect(autopurge(zooCfg({ image, servers: 3, autopurge: { purgeInterval: 0 } }))).toEqual(['autopurge.snapRetainCount=3', 'autopurge.purgeInterval=0']);
    },
  );

  it("leaves the tutorial's garland/zookeeper as the tutorial has it, unless the file asks", () => {
    expect(autopurge(zooCfg({ image: 'garland/zookeeper', servers: 3 }))).toEqual([]);
    expect(autopurge(zooCfg({ image: 'garland/zookeeper', servers: 3, autopurge: { purgeInterval: 2 } }))).toEqual(['autopurge.purgeInterval=2']);
  });
});
