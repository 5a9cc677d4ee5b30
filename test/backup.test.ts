// backup.sh and restore.sh as rendered: where each image keeps a member's snapshots and logs on
// the host (read off its mounts and zoo.cfg), what an archive must match, and which members each
// machine's backup.sh may back up from. Their behaviour is proven on real containers in
// test/e2e/backup.test.ts.
import { describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';

function files(value: object): Map<string, string> {
  const outcome = generate(value);
  if (!outcome.ok) throw new Error(`refused: ${JSON.stringify(outcome)}`);
  return new Map(outcome.files.map((f) => [f.path, f.content]));
}

describe('where a member keeps its data on the host', () => {
  it.each([
    ['garland/zookeeper', '/data/zk2', '/data/zk2', ['/data/zk2']],
    ['zookeeper:3.9.4', '/data/zk2', '/data/zk2/datalog', ['/data/zk2']],
    ['bitnami/zookeeper:3.9.5', '/data/zk2/data', '/data/zk2/data', ['/data/zk2']],
    ['confluentinc/cp-zookeeper:7.9.0', '/data/zk2', '/data/zk2/log', ['/data/zk2']],
  ])('%s: snapshots in %s, logs in %s, moved aside as %j', (image, snapshots, logs, folders) => {
    // restore.sh's arrays, one entry per member in id order (a member's folders joined by ':'): zk2's.
    const restore = files({ image, servers: 3 }).get('restore.sh')!.split('\n');
    const second = (array: string) => restore.find((line) => line.startsWith(`${array}=(`))!.slice(array.length + 2, -1).split(' ')[1];
    expect({ snapshots: second('snapshot_dirs'), logs: second('log_dirs'), folders: second('folders')!.split(':') }).toEqual({ snapshots, logs, folders });
  });
});

describe('backup.sh and restore.sh', () => {
  it('are in every one-machine bundle, with the members an archive must match', () => {
    const bundle = files({ image: 'zookeeper:3.9.4', servers: [{ id: 1 }, { id: 5, name: 'five' }] });
    expect(bundle.get('backup.sh')).toContain("echo \"members=\"'1:zk1 5:five'");
    expect(bundle.get('restore.sh')).toContain("members='1:zk1 5:five'");
    expect(bundle.get('restore.sh')).toContain('snapshot_dirs=(/data/zk1 /data/five)');
    expect(bundle.get('restore.sh')).toContain('log_dirs=(/data/zk1/datalog /data/five/datalog)');
  });

  it("give bitnami's and confluent's restored folders to the image's user, and leave the others to their image", () => {
    expect(files({ image: 'bitnami/zookeeper:3.9.5', servers: 3 }).get('restore.sh')).toContain('chown -R 1001 "${own[@]}"');
    expect(files({ image: 'confluentinc/cp-zookeeper:7.9.0', servers: 3 }).get('restore.sh')).toContain('chown -R 1000 "${own[@]}"');
    expect(files({ image: 'zookeeper:3.9.4', servers: 3 }).get('restore.sh')).not.toContain('chown');
  });

  it('read archives with the formatters of the image’s own jar: kafka-run-class for confluent, zkEnv.sh beside zkCli.sh for the others', () => {
    expect(files({ image: 'confluentinc/cp-zookeeper:7.9.0', servers: 3 }).get('backup-lib.sh')).toContain('zookeeper_class=(kafka-run-class)');
    expect(files({ image: 'garland/zookeeper', servers: 3 }).get('backup-lib.sh')).toMatch(/zookeeper_class=\(bash -c .*zkEnv\.sh.* \/opt\/zookeeper\/bin\/zkCli\.sh\)/);
  });

  it('read logs back with LogChopper from ZooKeeper 3.6 on (each entry’s checksum, not its data), and with a formatter before', () => {
    for (const image of ['zookeeper:3.9.4', 'zookeeper:3.6', 'bitnami/zookeeper:3.9.5', 'confluentinc/cp-zookeeper:7.9.0']) {
      expect(files({ image, servers: 3 }).get('backup-lib.sh'), image).toContain('org.apache.zookeeper.server.util.LogChopper');
    }
    for (const image of ['garland/zookeeper', 'zookeeper:3.4', 'zookeeper:3.5']) {
      const script = files({ image, servers: 3 }).get('backup-lib.sh');
      expect(script, image).not.toContain('LogChopper');
      expect(script, image).toContain('org.apache.zookeeper.server.persistence.TxnLogToolkit');
    }
  });

  it('on several machines, back up from the machine’s own members only', () => {
    const bundle = files({ image: 'zookeeper:3.9.4', servers: [{ host: 'a.example' }, { host: 'b.example' }, { host: 'c.example' }] });
    expect(bundle.get('hosts/b.example/backup.sh')).toContain('names=(zk2)');
    expect(bundle.get('hosts/b.example/backup.sh')).toContain("echo \"members=\"'1:zk1 2:zk2 3:zk3'");
    expect(bundle.has('backup.sh')).toBe(false);
  });
});

describe('restore on several machines', () => {
  const bundle = files({ image: 'bitnami/zookeeper:3.9.5', servers: [{ host: 'a.example' }, { host: 'b.example' }, { host: 'c.example' }] });

  it("each machine's restore.sh lays the data into its own members only, owned by the image's user, and starts none", () => {
    const script = bundle.get('hosts/b.example/restore.sh')!;
    expect(script).toContain('names=(zk2)');
    expect(script).toContain('snapshot_dirs=(/data/zk2/data)');
    expect(script).toContain("members='1:zk1 2:zk2 3:zk3'");
    expect(script).toContain('chown -R 1001 "${own[@]}"');
    expect(script).toContain('printf \'%s\\n%s\\n\' "$laid" "$stamp" >"${snapshot_dirs[$i]}/$marker"');
    expect(script).not.toMatch(/docker start|docker run -d|compose .*up/);
  });

  it("each machine's start-restored.sh starts only members that hold the data restore.sh laid in", () => {
    const script = bundle.get('hosts/c.example/start-restored.sh')!;
    expect(script).toContain('names=(zk3)');
    expect(script).toContain('marker=zkgen-restore.txt');
    // Both checks come before any start: the data restore.sh laid in, and the time the top-level
    // restore.sh saw every member stopped, not before this machine's restore.sh began.
    const before = (text: string) => {
      const at = script.indexOf(text);
      return at >= 0 && at < script.indexOf('docker start');
    };
    expect(before('holds no data restore.sh laid in')).toBe(true);
    expect(before('if [[ $seen < $laid_at ]]; then')).toBe(true);
  });

  it('the top-level restore.sh asks every member over TCP and prints each machine its commands, without Docker', () => {
    const script = bundle.get('restore.sh')!;
    expect(script).toContain('hosts=(a.example b.example c.example)');
    expect(script).toContain('machines=(a.example b.example c.example)');
    expect(script).toContain('probe_from=here');
    expect(script).toContain("printf '  on %s: hosts/%s/restore.sh --yes %s\\n'");
    expect(script).toContain("printf '  on %s: hosts/%s/start-restored.sh %s\\n' \"$machine\" \"$machine\" \"$seen\"");
    expect(script).not.toMatch(/^\s*docker /m);
  });
});
