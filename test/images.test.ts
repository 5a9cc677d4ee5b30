// What zkgen reads from an image reference (src/images.ts), and what each dialect makes of the
// version: tags that were never built are refused with the reason, images that get no more
// updates are warned about, ZooKeeper 3.4 tags get 3.4 syntax, bitnami's 3.8 and 3.9 get their own
// variables, and bitnami's session limit follows tickTime.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generate } from '../src/index.js';
import { dialectOfImage, hasTagOrDigest, homeRepository, releaseOf } from '../src/images.js';
import { verdict } from './helpers.js';

const errors = (value: object) => {
  const outcome = verdict(value);
  return outcome.ok ? [] : outcome.errors.map((e) => `${e.pointer}: ${e.message}`);
};
const warnings = (value: object) => verdict(value).warnings.map((w) => `${w.pointer}: ${w.message}`);
const file = (value: object, path: string) => {
  const outcome = generate(value);
  if (!outcome.ok) throw new Error(outcome.errors.map((e) => e.message).join('\n'));
  return outcome.files.find((f) => f.path === path)!.content;
};

describe('image references', () => {
  // The repository is read without its registry (a first part with a dot, a port or localhost) and
  // Docker Hub's library/; the tag after the registry's port: a registry's ':5000' read as the tag
  // would make the version unreadable.
  it.each([
    ['zookeeper:3.9.4', 'official', '3.9', true],
    ['docker.io/library/zookeeper:3.8', 'official', '3.8', true],
    ['mirror.example.com:5000/bitnamilegacy/zookeeper:3.8.4-debian-12-r1', 'bitnami', '3.8', true],
    ['zookeeper@sha256:0123456789abcdef0123456789abcdef', 'official', '3.9', true],
    ['localhost/zookeeper', 'official', '3.9', false],
    ['localhost/zk', undefined, '3.9', false],
  ])('%s: dialect %s, ZooKeeper %s, pinned %s', (image, dialect, line, pinned) => {
    expect(dialectOfImage(image)).toBe(dialect);
    const release = releaseOf(image, dialectOfImage(image) ?? 'official');
    expect({ line: `${release.zookeeper.major}.${release.zookeeper.minor}`, unpublished: release.unpublished }).toEqual({ line, unpublished: undefined });
    expect(hasTagOrDigest(image)).toBe(pinned);
  });

  it.each([
    ['zookeeper:3.9.4', 3, 9],
    ['zookeeper:3.8', 3, 8],
    ['zookeeper:3.4.14', 3, 4],
    ['zookeeper:3.9.4-jre-17', 3, 9],
    ['zookeeper:latest', 3, 9],
    ['zookeeper', 3, 9],
    ['zookeeper@sha256:0123456789abcdef0123456789abcdef', 3, 9],
    ['confluentinc/cp-zookeeper:5.3.1', 3, 4],
    ['confluentinc/cp-zookeeper:5.4.0', 3, 5],
    ['confluentinc/cp-zookeeper:7.9.0', 3, 8],
    ['confluentinc/cp-zookeeper:7.9.11', 3, 8],
    ['confluentinc/cp-zookeeper:6.2.15', 3, 5],
    ['confluentinc/cp-zookeeper:3.3.0', 3, 4],
    ['bitnami/zookeeper:3.8.4', 3, 8],
    ['bitnamilegacy/zookeeper:3.9', 3, 9],
    ['garland/zookeeper:whatever', 3, 4],
  ])('%s runs ZooKeeper %i.%i', (image, major, minor) => {
    const release = releaseOf(image, 'official');
    expect(release.zookeeper).toEqual({ major, minor });
    expect(release.unpublished).toBeUndefined();
  });

  it('an unknown repository of a given dialect is taken to run that dialect\'s newest line', () => {
    expect(releaseOf('acme/zk:1.0', 'garland').zookeeper).toEqual({ major: 3, minor: 4 });
    expect(releaseOf('acme/zk:1.0', 'official').zookeeper).toEqual({ major: 3, minor: 9 });
  });

  it('each dialect is named by its home repository, one of the repositories that speak it', () => {
    expect((['official', 'garland', 'bitnami', 'confluent'] as const).map(homeRepository)).toEqual([
      'zookeeper',
      'garland/zookeeper',
      'bitnami/zookeeper',
      'confluentinc/cp-zookeeper',
    ]);
    for (const dialect of ['official', 'garland', 'bitnami', 'confluent'] as const) expect(dialectOfImage(homeRepository(dialect))).toBe(dialect);
    // A derived image of garland's dialect: the warning names the dialect's repository, whose behaviour it is.
    expect(warnings({ image: 'acme/zk:1.0', dialect: 'garland', servers: 3 })).toContain(
      '/image: garland/zookeeper cannot be told where to listen: each member\'s client port listens on every interface of its machine; say "listen": "all" to accept that, or use an image that can bind',
    );
  });
});

describe('tags that were never built are refused, with the reason', () => {
  it.each([
    ['zookeeper:3.9.5', /never published zookeeper:3\.9\.5: the newest 3\.9 is 3\.9\.4/],
    ['zookeeper:3.10.0', /lines 3\.4, .*3\.9, and 3\.10\.0 is none of them/],
    ['zookeeper:nightly', /"nightly" is neither/],
    ['confluentinc/cp-zookeeper:8.0.0', /never built for Confluent Platform 8/],
    ['confluentinc/cp-zookeeper:7.10.0', /cp-zookeeper:7\.10\.0 was never published: Confluent Platform 7's last line is 7\.9/],
    ['confluentinc/cp-zookeeper:6.3.1', /Confluent Platform 6's last line is 6\.2/],
    ['confluentinc/cp-zookeeper:2.0.0', /starts with Confluent Platform 3\.0/],
    ['bitnami/zookeeper:3.7', /3\.8 and 3\.9, and 3\.7 is neither/],
  ])('%s', (image, reason) => {
    const found = errors({ image, servers: 3 });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^\/image: /);
    expect(found[0]).toMatch(reason);
  });
});

describe('images that get no more updates are warned about', () => {
  it.each([
    ['bitnami/zookeeper:3.9', /frozen since 2025-08-28.*bitnamilegacy\/zookeeper/],
    ['bitnamilegacy/zookeeper:3.9', /no more updates/],
    ['confluentinc/cp-zookeeper:7.9.0', /ends with Confluent Platform 7\.x/],
    ['zookeeper:3.7.2', /no longer builds ZooKeeper 3\.7/],
  ])('%s', (image, reason) => {
    expect(warnings({ image, servers: 3 }).filter((w) => w.startsWith('/image: '))).toEqual([expect.stringMatching(reason)]);
  });

  it('not the maintained official lines', () => {
    expect(warnings({ image: 'zookeeper:3.8.6', servers: 3 })).toEqual([]);
    expect(warnings({ image: 'zookeeper:3.9.4', servers: 3 })).toEqual([]);
  });
});

describe('ZooKeeper 3.4 tags get 3.4 syntax', () => {
  it('official 3.4: server lines without ;clientPort, each member\'s clientPort and its address after the entrypoint\'s 2181, no AdminServer', () => {
    const compose = file({ image: 'zookeeper:3.4.14', servers: 3 }, 'docker-compose.yml');
    // Long values are folded over lines in the compose file: read it as YAML.
    const doc = parseYaml(compose) as { 'x-ensemble-environment': Record<string, string>; services: Record<string, { environment: Record<string, string> }> };
    expect(doc['x-ensemble-environment'].ZOO_SERVERS).toBe('server.1=localhost:2888:3888 server.2=localhost:2889:3889 server.3=localhost:2890:3890');
    // The entrypoint's last revision never reads ZOO_PORT; it appends ZOO_CFG_EXTRA.
    expect(doc.services.zk2?.environment.ZOO_CFG_EXTRA).toBe('clientPort=2182 clientPortAddress=127.0.0.1');
    expect(compose).not.toMatch(/ZOO_PORT|ZOO_ADMINSERVER_ENABLED|ZOO_4LW|admin/);
    // zoo.cfg as ZooKeeper reads it (java.util.Properties: the last line of a key wins).
    const cfg = file({ image: 'zookeeper:3.4.14', servers: 3 }, 'conf/zk2/zoo.cfg');
    expect(cfg).toMatch(/^clientPort=2182$/m);
    expect(cfg).not.toMatch(/^clientPort=2181$/m);
    expect(cfg).toMatch(/^clientPortAddress=127\.0\.0\.1$/m);
    // "listen": "all": no address, so every interface, as the file says.
    expect(file({ image: 'zookeeper:3.4.14', servers: 3, listen: 'all' }, 'conf/zk2/zoo.cfg')).not.toContain('clientPortAddress');
  });

  it('official 3.4: observers, groups and config through ZOO_CFG_EXTRA', () => {
    const value = { image: 'zookeeper:3.4.14', servers: [{}, {}, {}, { role: 'observer' }], config: { globalOutstandingLimit: 2000 } };
    expect(errors(value)).toEqual([]);
    const cfg = file(value, 'conf/zk4/zoo.cfg');
    expect(cfg).toMatch(/^peerType=observer$/m);
    expect(cfg).toMatch(/^server\.4=localhost:2891:3891:observer$/m);
    expect(cfg).toMatch(/^globalOutstandingLimit=2000$/m);
  });
  it('confluent 5.3: no AdminServer variables, no whitelist', () => {
    const compose = file({ image: 'confluentinc/cp-zookeeper:5.3.1', servers: 3 }, 'docker-compose.yml');
    expect(compose).not.toMatch(/ADMIN|KAFKA_OPTS/);
    expect(errors({ image: 'confluentinc/cp-zookeeper:5.3.1', servers: 3, adminServer: true })).toEqual([expect.stringMatching(/^\/adminServer: .*no AdminServer/)]);
  });
});

describe('SASL per ZooKeeper version', () => {
  const cfg = (image: string, auth: object) => file({ image, servers: 3, auth }, 'conf/zk1/zoo.cfg');

  it('quorum SASL on official 3.4 is in its zoo.cfg, through ZOO_CFG_EXTRA', () => {
    expect(cfg('zookeeper:3.4.14', { quorum: true })).toMatch(/^quorum\.auth\.enableSasl=true$/m);
    expect(file({ image: 'zookeeper:3.4.14', servers: 3, auth: { quorum: true } }, 'docker-compose.yml')).toContain('-Djava.security.auth.login.config=/zkgen-auth/jaas.conf');
  });

  it.each(['zookeeper:3.4.14', 'zookeeper:3.5.10'])('client SASL on %s is refused: nothing there refuses a client without credentials', (image) => {
    expect(errors({ image, servers: 3, auth: { client: true } })).toEqual([
      expect.stringMatching(/^\/auth\/client: .* runs ZooKeeper 3\.[45], which cannot refuse a client without credentials \(sessionRequireClientSASLAuth, 3\.6 and later\)$/),
    ]);
  });

  it('client SASL writes only the keys the version reads: sessionRequireClientSASLAuth from 3.6, enforce.auth.* from 3.7', () => {
    const on36 = cfg('zookeeper:3.6.4', { client: true });
    expect(on36).toMatch(/^sessionRequireClientSASLAuth=true$/m);
    expect(on36).not.toContain('enforce.auth');
    const on37 = cfg('zookeeper:3.7.2', { client: true });
    expect(on37).toMatch(/^sessionRequireClientSASLAuth=true$/m);
    expect(on37).toMatch(/^enforce\.auth\.enabled=true$/m);
    expect(on37).toMatch(/^enforce\.auth\.schemes=sasl$/m);
  });

  it("zkCli in a container of its own logs in with the members' JVMFLAGS but the super user's digest", () => {
    const value = { image: 'zookeeper:3.9.4', heap: '512m', reconfig: true, auth: { client: true }, servers: [{ host: 'zk-a.internal' }, { host: 'zk-b.internal' }, { host: 'zk-c.internal' }] };
    const compose = parseYaml(file(value, 'hosts/zk-a.internal/docker-compose.yml')) as { services: Record<string, { environment: Record<string, string> }> };
    expect(compose.services.zk1?.environment.JVMFLAGS).toBe('-Xmx512m -Djava.security.auth.login.config=/zkgen-auth/jaas.conf @/zkgen-reconfig/jvm.args');
    expect(file(value, 'smoke-test.sh')).toContain("zkcli_environment=(-e 'JVMFLAGS=-Xmx512m -Djava.security.auth.login.config=/zkgen-auth/jaas.conf')");
  });
});

describe('bitnami', () => {
  it('3.9 reads ALLOW_EMPTY_PASSWORD, 3.8 ALLOW_ANONYMOUS_LOGIN', () => {
    const on39 = file({ image: 'bitnamilegacy/zookeeper:3.9', servers: 3 }, 'run.sh');
    const on38 = file({ image: 'bitnamilegacy/zookeeper:3.8', servers: 3 }, 'run.sh');
    expect(on39).toContain('ALLOW_EMPTY_PASSWORD=yes');
    expect(on39).not.toContain('ALLOW_ANONYMOUS_LOGIN');
    expect(on38).toContain('ALLOW_ANONYMOUS_LOGIN=yes');
    expect(on38).not.toContain('ALLOW_EMPTY_PASSWORD');
  });

  it.each([
    [undefined, '40000'],
    [2000, '40000'],
    [3000, '60000'],
    [30000, '600000'],
  ])('tickTime %s: maxSessionTimeout %s, given to the image whenever tickTime is', (tickTime, max) => {
    const value = { image: 'bitnamilegacy/zookeeper:3.9', servers: 3, ...(tickTime && { tickTime }) };
    expect(file({ ...value }, 'conf/zk1/zoo.cfg')).toContain(`\nmaxSessionTimeout=${max}\n`);
    const compose = file(value, 'docker-compose.yml');
    if (tickTime) expect(compose).toContain(`ZOO_MAX_SESSION_TIMEOUT: "${max}"`);
    else expect(compose).not.toContain('ZOO_MAX_SESSION_TIMEOUT');
  });

  it('follows the image: AdminServer off unless asked, on loopback (3.9) when asked', () => {
    expect(file({ image: 'bitnamilegacy/zookeeper:3.9', servers: 3 }, 'conf/zk1/zoo.cfg')).toContain('admin.enableServer=false');
    const on = file({ image: 'bitnamilegacy/zookeeper:3.9', servers: 3, adminServer: true }, 'conf/zk2/zoo.cfg');
    expect(on).toContain('admin.serverAddress=127.0.0.1\nadmin.serverPort=8081\nadmin.enableServer=true');
  });
});

describe('confluent', () => {
  it('numbers groups and weights by position, in ZOOKEEPER_GROUPS and WEIGHTS as in the zoo.cfg it writes', () => {
    const value = { image: 'confluentinc/cp-zookeeper:7.9.0', servers: [{ id: 1, group: 2 }, { id: 2, group: 1, weight: 3 }, { id: 3, group: 1 }, { id: 4, group: 2, weight: 0 }, { id: 5, group: 3 }] };
    const compose = file(value, 'docker-compose.yml');
    expect(compose).toContain('ZOOKEEPER_GROUPS: "2:3;1:4;5"');
    expect(compose).toContain('ZOOKEEPER_WEIGHTS: "1;3;1;0;1"');
    expect(file(value, 'conf/zk1/zoo.cfg')).toContain('\ngroup.1=2:3\ngroup.2=1:4\ngroup.3=5\nweight.1=1\nweight.2=3\nweight.3=1\nweight.4=0\nweight.5=1\n');
  });

  it('refuses tcpKeepAlive: no 7.x template has ZOOKEEPER_TCP_KEEP_ALIVE', () => {
    expect(errors({ image: 'confluentinc/cp-zookeeper:7.9.0', servers: 3, config: { tcpKeepAlive: true } })).toEqual([
      expect.stringMatching(/^\/config\/tcpKeepAlive: .*ZOOKEEPER_TCP_KEEP_ALIVE came with the 8\.0 template/),
    ]);
  });
});

describe('data folders get the owner a non-root image needs', () => {
  it.each([
    ['bitnamilegacy/zookeeper:3.9', '1001', ['/data/zk1:/zkgen/0', '/data/zk2:/zkgen/1']],
    ['confluentinc/cp-zookeeper:7.9.0', '1000', ['/data/zk1:/zkgen/0', '/data/zk1/log:/zkgen/1', '/data/zk2:/zkgen/2', '/data/zk2/log:/zkgen/3']],
  ])('%s: run.sh and the compose file hand every mounted folder to uid %s before any member starts', (image, uid, mounts) => {
    const value = { image, servers: 2 };
    const run = file(value, 'run.sh');
    const prepare = run.indexOf('--entrypoint=chown');
    expect(prepare).toBeGreaterThan(0);
    expect(prepare).toBeLessThan(run.indexOf('docker run -d'));
    for (const mount of mounts) expect(run).toContain(` -v ${mount} \\\n`);
    expect(run).toContain(` ${image} ${uid} ${mounts.map((m) => m.split(':')[1]).join(' ')}\n`);
    const compose = file(value, 'docker-compose.yml');
    const prepareService = (parseYaml(compose) as { services: Record<string, { entrypoint?: string[] }> }).services['zkgen-prepare'];
    expect(prepareService?.entrypoint).toEqual(['chown', uid, ...mounts.map((m) => m.split(':')[1])]);
    expect(compose.match(/condition: service_completed_successfully/g)).toHaveLength(2);
  });

  it.each(['zookeeper:3.9.4', 'garland/zookeeper:latest'])('%s takes root and needs none', (image) => {
    expect(file({ image, servers: 2 }, 'run.sh')).not.toContain('chown');
    expect(file({ image, servers: 2 }, 'docker-compose.yml')).not.toContain('zkgen-prepare');
  });

  it('no member may take the preparing service\'s name', () => {
    expect(errors({ image: 'bitnamilegacy/zookeeper:3.9', servers: [{ name: 'zkgen-prepare' }, {}, {}] })).toEqual([
      expect.stringMatching(/^\/servers\/0\/name: "zkgen-prepare" is the compose service/),
    ]);
  });
});
