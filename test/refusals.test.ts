// Refusals and warnings by class, in-process: numbers past what ZooKeeper or JSON can hold, hosts
// that inet_aton would read as addresses, data folders that are one folder spelled twice, nest or
// are the system's, config keys that are ports, and quorums that tolerate less than they seem to.
import { describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { failuresThatLoseQuorum } from '../src/zookeeper.js';
import { verdict } from './helpers.js';

const errors = (value: unknown) => {
  const outcome = verdict(value);
  return outcome.ok ? [] : outcome.errors.map((e) => `${e.pointer}: ${e.message}`);
};
const warnings = (value: unknown) => {
  const outcome = verdict(value);
  expect(outcome.ok).toBe(true);
  return outcome.warnings.map((w) => `${w.pointer}: ${w.message}`);
};

describe('numbers', () => {
  it('refuses an id counted on past 255, at the member that would have it', () => {
    expect(errors({ servers: [{ id: 255 }, {}] })).toEqual(["/servers/1: zk256's id would be 256 (one more than the previous member's), above 255: give ids that fit"]);
    expect(errors({ servers: [{ id: 254 }, {}] })).toEqual([]);
  });

  it.each(['tickTime', 'initLimit', 'syncLimit', 'maxClientCnxns'])('bounds %s by a Java int', (key) => {
    expect(errors({ servers: 3, [key]: 2147483647 })).toEqual([]);
    expect(errors({ servers: 3, [key]: 2147483648 })).toEqual([`/${key}: must be at most 2147483647`]);
  });

  it('bounds autopurge by a Java int', () => {
    expect(errors({ servers: 3, autopurge: { snapRetainCount: 2 ** 31, purgeInterval: 2 ** 31 } })).toEqual([
      '/autopurge/snapRetainCount: must be at most 2147483647',
      '/autopurge/purgeInterval: must be at most 2147483647',
    ]);
  });

  it.each([1e21, 2 ** 53, -(2 ** 53), Number.MAX_VALUE])('refuses config number %d, which would be written otherwise than meant', (n) => {
    expect(errors({ servers: 3, config: { snapCount: n } })).toEqual([
      '/config/snapCount: a number this large cannot be read exactly (JSON numbers are exact up to 9007199254740991): write it as a string',
    ]);
  });

  it('writes every accepted config number exactly as given', () => {
    const outcome = generate({ servers: 3, config: { snapCount: 9007199254740991, 'a.b': -9007199254740991, c: '1e+21' } });
    expect(outcome.ok).toBe(true);
    const cfg = outcome.ok ? outcome.files.find((f) => f.path === 'conf/zk1/zoo.cfg')!.content : '';
    expect(cfg).toContain('snapCount=9007199254740991\n');
    expect(cfg).toContain('a.b=-9007199254740991\n');
    expect(cfg).toContain('c=1e+21\n');
  });
});

describe('hosts', () => {
  it.each(['0', '0.0.0.00', '999.1.1.1', '1.2.3', '0x7f.1', '0x7f', '01.2.3.4', '1.2.3.4.5', 'zk.2', '256.0.0.1', 'a.0X1f'])('refuses %s, which inet_aton reads as an address', (host) => {
    expect(errors({ servers: 3, host })).toEqual([
      '/host: must be a host name or an IPv4 address: four numbers 0..255 without leading zeros, or names whose last part is not a number',
    ]);
  });

  it.each(['localhost', '127.0.0.1', '10.0.0.255', 'zk-1.internal', '2zk.example', 'a1', 'x.0y'])('accepts %s', (host) => {
    expect(errors({ servers: 3, host })).toEqual([]);
  });

  it('still refuses 0.0.0.0', () => {
    expect(errors({ servers: 3, host: '0.0.0.0' })[0]).toMatch(/^\/host: 0\.0\.0\.0 cannot be a member's address/);
  });
});

describe('data folders', () => {
  it('counts one folder spelled several ways as one', () => {
    for (const other of ['/data//zk1', '/data/./zk1', '/data/zk1/', '//data/zk1//.']) {
      expect(errors({ servers: [{}, { dataDir: other }, {}] })).toEqual([`/servers/1/dataDir: data folder "/data/zk1" is also zk1's: two members cannot share a dataDir`]);
    }
  });

  it('writes the folder as one spelling', () => {
    const outcome = generate({ servers: [{ dataDir: '/srv//zk/./one/' }], dataRoot: '/srv/', image: 'zookeeper:3.9.4' }, { only: ['run.sh'] });
    expect(outcome.ok && outcome.files[0]!.content).toContain('/srv/zk/one:/data');
  });

  it.each(['/data/../etc', '/..', '/a/b/..'])('refuses the .. segments of %s', (dataDir) => {
    expect(errors({ servers: [{ dataDir }, {}, {}] })).toEqual(["/servers/0/dataDir: must be an absolute path with no ':', no '..' and no control characters or line separators"]);
  });

  it('refuses one member inside another, the official image\'s datalog mount included', () => {
    expect(errors({ image: 'zookeeper:3.9.4', servers: [{}, { dataDir: '/data/zk1/datalog' }, {}] })).toEqual([
      `/servers/1/dataDir: zk2's folder "/data/zk1/datalog" lies inside zk1's "/data/zk1": members' data folders cannot nest`,
    ]);
    expect(errors({ image: 'zookeeper:3.9.4', servers: [{ dataDir: '/a/b' }, { dataDir: '/a' }, {}] })).toEqual([
      `/servers/0/dataDir: zk1's folder "/a/b" lies inside zk2's "/a": members' data folders cannot nest`,
    ]);
    // A name sharing a prefix is not inside.
    expect(errors({ image: 'zookeeper:3.9.4', servers: [{ dataDir: '/a/b' }, { dataDir: '/a/bc' }, {}] })).toEqual([]);
  });

  it.each([
    ['/', "holds others' files"],
    ['/var', "holds others' files"],
    ['/home', "holds others' files"],
    ['/var/lib', "holds others' files"],
    ['/etc', 'lies in /etc'],
    ['/etc/zookeeper', 'lies in /etc'],
    ['/usr/share/zk', 'lies in /usr'],
    ['/lib64/zk', 'lies in /lib64'],
    ['/proc/1', 'lies in /proc'],
  ])('refuses the system folder %s', (dataDir, why) => {
    const found = errors({ servers: [{ dataDir }, {}, {}] });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`/servers/0/dataDir: zk1's data folder ${JSON.stringify(dataDir)} ${why}`);
  });

  it.each(['/var/lib/zookeeper/zk1', '/home/zk/data', '/srv/zk1', '/tmp/zk/a', '/opt/zk'])('accepts %s', (dataDir) => {
    expect(errors({ servers: [{ dataDir }, {}, {}] })).toEqual([]);
  });
});

describe('keys and secrets folders', () => {
  const secure = (folders: { keys?: string; secrets?: string; reconfig?: string }) => ({
    image: 'zookeeper:3.9.4',
    servers: 3,
    adminServer: true,
    tls: { quorum: true, client: true, ...(folders.keys !== undefined && { keys: folders.keys }) },
    auth: { quorum: true, client: true, ...(folders.secrets !== undefined && { secrets: folders.secrets }) },
    reconfig: folders.reconfig !== undefined ? { secrets: folders.reconfig } : true,
  });

  // The data folders' one table of system folders, for each of the three.
  it.each([
    ['keys', '/etc/ssl', '/tls', 'lies in /etc'],
    ['keys', '/usr', '/tls', 'lies in /usr'],
    ['keys', '/boot', '/tls', 'lies in /boot'],
    ['secrets', '/etc', '/auth', 'lies in /etc'],
    ['secrets', '/home', '/auth', "holds others' files"],
    ['reconfig', '/tmp', '/reconfig', "holds others' files"],
    ['reconfig', '/var', '/reconfig', "holds others' files"],
  ] as const)('refuses the %s folder %s', (which, folder, pointer, why) => {
    const found = errors(secure({ [which]: folder }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${pointer}: the .* folder ${JSON.stringify(folder)} ${why}`));
  });

  it.each(['/srv/zk/tls', '/var/lib/zookeeper/tls', '/home/zk/tls'])('accepts %s', (keys) => {
    expect(errors(secure({ keys }))).toEqual([]);
  });

  it('refuses two of them in one folder, or one inside another', () => {
    expect(errors(secure({ keys: '/srv/zk', secrets: '/srv/zk', reconfig: '/srv/zk' }))).toEqual([
      '/auth: the secrets folder "/srv/zk" and the TLS keys folder "/srv/zk" overlap: members would mount what only the host may read (the CA\'s key, the super user\'s password); give each a folder of its own',
      '/reconfig: the super user\'s folder "/srv/zk" and the TLS keys folder "/srv/zk" overlap: members would mount what only the host may read (the CA\'s key, the super user\'s password); give each a folder of its own',
      '/reconfig: the super user\'s folder "/srv/zk" and the secrets folder "/srv/zk" overlap: members would mount what only the host may read (the CA\'s key, the super user\'s password); give each a folder of its own',
    ]);
    expect(errors(secure({ keys: '/srv/zk', secrets: '/srv/zk/auth' }))).toHaveLength(1);
    expect(errors(secure({ secrets: '/srv/zk/reconfig/auth', reconfig: '/srv/zk/reconfig' }))).toHaveLength(1);
    // A name sharing a prefix is not inside.
    expect(errors(secure({ keys: '/srv/zk/a', secrets: '/srv/zk/ab', reconfig: '/srv/zk/abc' }))).toEqual([]);
  });
});

describe('config keys that are ports', () => {
  it('clash with every other port on the machine', () => {
    expect(errors({ servers: [{}], config: { secureClientPort: 2281 }, ports: { admin: 2281 } })).toEqual([
      "/config/secureClientPort: zk1's secureClientPort 2281 is also its own admin port on localhost",
    ]);
    // Every member binds it, so members sharing a machine clash with each other.
    expect(errors({ servers: 2, config: { secureClientPort: '3281' } })).toEqual(["/config/secureClientPort: zk2's secureClientPort 3281 is also zk1's secureClientPort on localhost"]);
    expect(errors({ servers: [{ host: 'a.example' }, { host: 'b.example' }], config: { secureClientPort: 2281 } })).toEqual([]);
  });

  it('must hold a port', () => {
    expect(errors({ servers: [{}], config: { secureClientPort: 'x' } })).toEqual(['/config/secureClientPort: secureClientPort is a port: "x" is not a number in 1..65535']);
    expect(errors({ servers: [{}], config: { secureClientPort: 70000 } })).toEqual(['/config/secureClientPort: secureClientPort is a port: "70000" is not a number in 1..65535']);
  });
});

describe('failure tolerance', () => {
  const v = (...groups: number[][]) => groups.flatMap((weights, g) => weights.map((weight) => ({ group: g + 1, weight })));

  it.each([
    [[{}], 1],
    [[{}, {}], 1],
    [[{}, {}, {}], 2],
    [[{}, {}, {}, {}], 2],
    [[{}, {}, {}, {}, {}], 3],
    [v([1, 1], [1, 1]), 1],
    [v([1, 1], [1, 1], [1, 1]), 2],
    [v([1, 1, 1], [1, 1, 1], [1, 1, 1]), 4],
    [v([1, 1, 0], [1, 1, 1]), 1],
    [v([3, 1, 1], [1, 1, 1], [1, 1, 1]), 3],
  ])('%j: the quorum is lost after %d failures', (voters, n) => expect(failuresThatLoseQuorum(voters)).toBe(n));

  it('warns when groups tolerate no failure, as plain ensembles of 2 do', () => {
    expect(warnings({ image: 'zookeeper:3.9.4', servers: [{ group: 1 }, { group: 1 }, { group: 2 }, { group: 2 }] })).toEqual([
      '/servers: these groups tolerate no failure: losing one participant can lose the quorum (more than half of the groups must each keep more than half of their weight); give each group 3 members or more',
    ]);
  });

  it('warns when a participant adds nothing to the failures tolerated', () => {
    expect(warnings({ image: 'zookeeper:3.9.4', servers: 4 })).toEqual(['/servers: 4 members tolerate 1 failure, no more than 3 would: consider an odd number']);
    const sixInThree = [1, 1, 2, 2, 3, 3].map((group) => ({ group }));
    expect(warnings({ image: 'zookeeper:3.9.4', servers: sixInThree })).toEqual([
      '/servers: these groups tolerate 1 failure, no more than they would without zk1: consider an odd number of members per group',
    ]);
    const nineInThree = [1, 1, 1, 2, 2, 2, 3, 3, 3].map((group) => ({ group }));
    expect(warnings({ image: 'zookeeper:3.9.4', servers: nineInThree })).toEqual([]);
    expect(warnings({ image: 'zookeeper:3.9.4', servers: 5 })).toEqual([]);
  });
});

describe('access', () => {
  it('warns that skipACL opens every znode, and reconfiguration with it, instead of doing it silently', () => {
    expect(warnings({ servers: 3, reconfig: true, config: { skipACL: 'yes' } })).toEqual([
      "/config/skipACL: skipACL turns every ACL off, the super user's too: anyone who reaches a client port can read and change every znode and reconfigure the ensemble",
    ]);
    expect(warnings({ servers: 3, config: { skipACL: 'no' } })).toEqual([]);
  });
});

describe('several machines', () => {
  const on = (machine: string, host: string, extra: object = {}) => ({ host, machine, ...extra });

  it('refuses two machines at one address, naming both members and machines, at the second machine', () => {
    expect(errors({ servers: [on('a', '10.0.0.1'), on('b', '10.0.0.1'), on('c', '10.0.0.3')] })).toEqual([
      '/servers/1/machine: zk2 runs on "b" at "10.0.0.1", the address of zk1 on "a": one address is one machine; put both on one machine, or give zk2 its machine\'s own address',
    ]);
    // A name spelled in another case is the same name.
    expect(errors({ servers: [on('a', 'zk.example'), on('b', 'ZK.example'), on('c', '10.0.0.3')] })).toHaveLength(1);
    // One machine at several addresses, and several members at one machine's address, are fine.
    expect(errors({ servers: [on('a', '10.0.0.1'), on('a', '10.0.0.2'), { host: '10.0.0.3' }, { host: '10.0.0.3' }] })).toEqual([]);
  });

  it('lets members on different machines give the same data folder, and refuses it on one machine', () => {
    const hosts = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    expect(errors({ servers: hosts.map((host) => ({ host, dataDir: '/var/lib/zookeeper' })) })).toEqual([]);
    expect(errors({ image: 'zookeeper:3.9.4', dataRoot: '/srv/zk', servers: hosts.map((host) => ({ host, name: 'zk' + host.slice(-1) })) })).toEqual([]);
    expect(errors({ servers: [...hosts, hosts[0]].map((host) => ({ host, dataDir: '/var/lib/zookeeper' })) })).toEqual([
      '/servers/3/dataDir: data folder "/var/lib/zookeeper" is also zk1\'s on 10.0.0.1: two members cannot share a dataDir',
    ]);
  });

  it('keeps the nesting rule per machine', () => {
    // Inside another machine's folder of the same path: a folder of its own there.
    expect(errors({ image: 'zookeeper:3.9.4', servers: [{ host: '10.0.0.1', dataDir: '/zk' }, { host: '10.0.0.2', dataDir: '/zk/a' }, { host: '10.0.0.3' }] })).toEqual([]);
    expect(errors({ image: 'zookeeper:3.9.4', servers: [{ host: '10.0.0.1', dataDir: '/zk' }, { host: '10.0.0.2' }, { host: '10.0.0.1', dataDir: '/zk/a' }] })).toEqual([
      '/servers/2/dataDir: zk3\'s folder "/zk/a" lies inside zk1\'s "/zk" on 10.0.0.1: members\' data folders cannot nest',
    ]);
  });

  it.each([
    ['zk.a', "Swarm's service names hold only letters, digits, '-' and '_', and begin and end with a letter or digit"],
    ['zk-b-', "Swarm's service names hold only letters, digits, '-' and '_', and begin and end with a letter or digit"],
    ['zk_', "Swarm's service names hold only letters, digits, '-' and '_', and begin and end with a letter or digit"],
    ['z'.repeat(62), "Swarm's service names are at most 63 characters"],
  ])('refuses member name %s, which no stack can deploy, when the bundle holds a stack', (name, why) => {
    const servers = [{ host: '10.0.0.1', name }, { host: '10.0.0.2' }, { host: '10.0.0.3' }];
    expect(errors({ servers })).toEqual([`/servers/0/name: "${name}" cannot name a Swarm service: stack.yml makes it "<stack>_${name}", and ${why}; name the member otherwise`]);
    // One machine has no stack: compose and docker run take the name.
    expect(errors({ servers: servers.map(({ name: n }) => ({ name: n })) })).toEqual([]);
  });

  it('takes the longest name a one-letter stack leaves room for, and names with - and _ inside', () => {
    expect(errors({ servers: [{ host: '10.0.0.1', name: 'z'.repeat(61) }, { host: '10.0.0.2', name: 'zk-b_2' }, { host: '10.0.0.3', name: '3zk--c' }] })).toEqual([]);
  });

  it("says in stack.yml how long the stack's name may be beside the longest member's", () => {
    const outcome = generate({ servers: [{ host: '10.0.0.1', name: 'z'.repeat(20) }, { host: '10.0.0.2' }, { host: '10.0.0.3' }] }, { only: ['stack.yml'] });
    const stack = outcome.ok ? outcome.files[0]!.content : '';
    // 63 = 42 + '_' + 20.
    expect(stack).toContain("# Swarm names each member's service NAME_<member>, at most 63 characters:\n# here NAME may have 42 at most.\n");
  });
});
