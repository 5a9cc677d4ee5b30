// The pure core in-process: quoting tables, defaults, id handling, rule outcomes, determinism,
// and the tutorial's commands as the tutorial prints them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectString, generate } from '../src/index.js';
import { QUOTING_HELPERS, sh } from '../src/quote.js';
import { resolved, ROOT, runMain, verdict } from './helpers.js';

// The yaml helper as templates call it.
const { yaml } = QUOTING_HELPERS;

describe('sh', () => {
  it.each([
    ['zk1', 'zk1'],
    ['server.1=localhost:2888:3888', 'server.1=localhost:2888:3888'],
    ['/data/zk1:/tmp/zookeeper', '/data/zk1:/tmp/zookeeper'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['$(reboot)', "'$(reboot)'"],
    ['`id`', "'`id`'"],
    ['~/x', "'~/x'"],
    ['*', "'*'"],
    ['', "''"],
  ])('%j → %s', (value, quoted) => expect(sh(value)).toBe(quoted));

  it('round-trips through bash for hostile values', async () => {
    const { spawnSync } = await import('node:child_process');
    for (const value of ["a'b\"c", '$HOME `x` $(y) ${z}', 'tab\tand\nnewline', '!history', '-n', '\\back']) {
      const echoed = spawnSync('bash', ['-c', `printf %s ${sh(value)}`], { encoding: 'utf8' }).stdout;
      expect(echoed).toBe(value);
    }
  });

  it('places words as one word: the command line of those words, for a program that hands it to /bin/sh', async () => {
    const { spawnSync } = await import('node:child_process');
    const words = ['printf', '%s|', "it's", 'a b', '$HOME', '`id`'];
    // What bash passes on (docker run --health-cmd=WORD), and what /bin/sh then runs.
    const line = spawnSync('bash', ['-c', `printf %s ${sh(words)}`], { encoding: 'utf8' }).stdout;
    expect(spawnSync('sh', ['-c', line], { encoding: 'utf8' }).stdout).toBe("it's|a b|$HOME|`id`|");
    expect(sh(['zkServer.sh', 'status'])).toBe("'zkServer.sh status'");
  });
});

describe('yaml', () => {
  it.each([
    ['zk1', 'zk1'],
    ['garland/zookeeper', 'garland/zookeeper'],
    ['1', '"1"'],
    ['2888:3888', '"2888:3888"'], // YAML 1.1 would read a base-60 integer
    ['on', '"on"'],
    ['No', '"No"'],
    ['null', '"null"'],
    ['/a b:/c', '"/a b:/c"'],
    ['$HOME', '"$$HOME"'], // compose interpolates $ in values
    ['a"b', '"a\\"b"'],
    // Line breaks to YAML 1.1 even inside double quotes, and characters its readers refuse raw.
    ['/a\u2028b', '"/a\\u2028b"'],
    ['/a\u0085b\u2029', '"/a\\u0085b\\u2029"'],
    ['\u007f\u009b\ufeff', '"\\u007f\\u009b\\ufeff"'],
    ['é😀', '"é😀"'],
  ])('%j → %s', (value, quoted) => expect(yaml(value)).toBe(quoted));
});

describe('resolve', () => {
  const model = resolved;

  it("applies the tutorial's defaults", () => {
    const e = model({ image: 'garland/zookeeper', servers: 3 });
    expect(e.members.map((m) => [m.id, m.name, m.host, m.ports.client, m.ports.peer, m.ports.election, m.dataDir])).toEqual([
      [1, 'zk1', 'localhost', 2181, 2888, 3888, '/data/zk1'],
      [2, 'zk2', 'localhost', 2182, 2889, 3889, '/data/zk2'],
      [3, 'zk3', 'localhost', 2183, 2890, 3890, '/data/zk3'],
    ]);
  });

  it('keeps sparse ids as given, orders by id, and names by id', () => {
    const e = model({ image: 'garland/zookeeper', servers: [{ id: 7 }, { id: 2 }, {}] });
    expect(e.members.map((m) => [m.id, m.name, m.ports.client])).toEqual([
      [2, 'zk2', 2182],
      [3, 'zk3', 2183],
      [7, 'zk7', 2187],
    ]);
  });

  it('lays ports out per machine: the base ports alone, base + (id - 1) when shared', () => {
    const e = model({ servers: [{ id: 1, host: 'zk-a' }, { id: 2, host: 'zk-b' }, { id: 3, host: 'zk-b' }, { id: 4, host: '10.0.0.3', machine: 'zk-c' }, { id: 5, host: 'zk-c' }] });
    expect(e.members.map((m) => [m.id, m.machine, m.ports.client, m.ports.peer, m.ports.election, m.ports.admin])).toEqual([
      [1, 'zk-a', 2181, 2888, 3888, 8080],
      [2, 'zk-b', 2182, 2889, 3889, 8081],
      [3, 'zk-b', 2183, 2890, 3890, 8082],
      [4, 'zk-c', 2184, 2891, 3891, 8083],
      [5, 'zk-c', 2185, 2892, 3892, 8084],
    ]);
    expect(e.machines).toEqual(['zk-a', 'zk-b', 'zk-c']);
  });

  it('takes every loopback name and address for one machine', () => {
    const e = model({ servers: [{ host: 'localhost' }, { host: '127.0.0.1' }, { host: 'zk.localhost' }] });
    expect(e.machines).toEqual(['localhost']);
    expect(e.members.map((m) => m.ports.client)).toEqual([2181, 2182, 2183]);
  });

  it('returns a frozen model and leaves its input untouched', () => {
    const input = { image: 'garland/zookeeper', servers: [{ id: 3 }, { id: 1 }], ports: { client: 3000 } };
    const copy = structuredClone(input);
    const e = model(input);
    expect(input).toEqual(copy);
    expect(Object.isFrozen(e) && Object.isFrozen(e.members) && Object.isFrozen(e.members[0]) && Object.isFrozen(e.members[0]!.ports)).toBe(true);
  });
});

describe('generate', () => {
  it('is deterministic', () => {
    const value = { image: 'garland/zookeeper', servers: [{ id: 9 }, { id: 4, name: 'b4' }, {}], host: '127.0.0.1' };
    expect(generate(value)).toEqual(generate(structuredClone(value)));
  });

  it("writes the tutorial's three docker run commands byte for byte", () => {
    const outcome = generate({ image: 'garland/zookeeper', servers: 3 });
    if (!outcome.ok) throw new Error('tutorial ensemble refused');
    const run = outcome.files.find((f) => f.path === 'run.sh')!.content;
    const tutorial = readFileSync(join(ROOT, 'test', 'data', 'tutorial-docker-run.txt'), 'utf8');
    expect(run.endsWith(tutorial)).toBe(true);
  });

  it('says the server list once, so output grows linearly with the members', () => {
    const sizes = [9, 51, 255].map((n) => {
      const outcome = generate({ image: 'zookeeper:3.9.4', servers: n });
      if (!outcome.ok) throw new Error(`${n} members refused`);
      const text = (path: string) => outcome.files.find((f) => f.path === path)!.content;
      for (const path of ['docker-compose.yml', 'run.sh']) expect(text(path).split('server.1=').length - 1, path).toBe(1);
      return text('docker-compose.yml').length + text('run.sh').length;
    });
    // Per member, the compose file and run.sh stay about the same size at 255 as at 9 members.
    expect(sizes[2]! / 255).toBeLessThan((sizes[0]! / 9) * 2);
  });

  it('renders only the outputs asked for, identical to the whole bundle\'s', () => {
    const value = { servers: 5 };
    const whole = generate(value);
    const compose = generate(value, { only: ['docker-compose.yml'] });
    if (!whole.ok || !compose.ok) throw new Error('refused');
    expect(compose.files).toEqual(whole.files.filter((f) => f.path === 'docker-compose.yml'));
  });

  it("renders, of the files under hosts/, only the machine asked for (what --host prints), identical to the whole bundle's", () => {
    const value = { servers: [{ host: 'zk-a' }, { host: 'zk-b' }, { host: 'zk-c' }, { host: 'zk-b' }] };
    const whole = generate(value);
    const one = generate(value, { only: ['docker-compose.yml', 'status.sh', 'zkgen-manifest.txt'], machine: 'zk-b' });
    if (!whole.ok || !one.ok) throw new Error('refused');
    const paths = ['hosts/zk-b/docker-compose.yml', 'hosts/zk-b/status.sh', 'status.sh', 'zkgen-manifest.txt'];
    expect(one.files.map((f) => f.path)).toEqual(paths);
    // The manifest still lists every machine's files.
    expect(one.files).toEqual(whole.files.filter((f) => paths.includes(f.path)));
  });

  it('lists the whole bundle in its manifest, itself included, sorted after a comment header — even asked for alone', () => {
    const value = { servers: [{ id: 3 }, { id: 12, name: 'a-member' }] };
    const whole = generate(value);
    const alone = generate(value, { only: ['zkgen-manifest.txt'] });
    if (!whole.ok || !alone.ok) throw new Error('refused');
    const manifest = whole.files.find((f) => f.path === 'zkgen-manifest.txt')!;
    const lines = manifest.content.split('\n');
    expect(lines[0]).toMatch(/^# zkgen-manifest\.txt: /);
    const listed = lines.filter((l) => l !== '' && !l.startsWith('#'));
    expect(listed).toEqual(whole.files.map((f) => f.path));
    expect(listed).toEqual([...listed].sort());
    expect(listed).toContain('conf/a-member/zoo.cfg');
    expect(alone.files).toEqual([manifest]);
  });

  it('uses LF line endings only', () => {
    const outcome = generate({ image: 'garland/zookeeper', servers: 3 });
    if (!outcome.ok) throw new Error('tutorial ensemble refused');
    for (const f of outcome.files) expect(f.content, f.path).not.toContain('\r');
  });

  it('collects every problem at once', () => {
    const outcome = generate({ image: 'garland/zookeeper', servers: [{ id: 1 }, { id: 1 }, { id: 3, ports: { client: 2888 } }] });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors.map((e) => e.pointer)).toEqual(['/servers/1/id', '/servers/2/ports/client']);
  });

  it('gives the connect string in id order', () => {
    expect(connectString({ image: 'garland/zookeeper', servers: 3 })).toMatchObject({ ok: true, connectString: 'localhost:2181,localhost:2182,localhost:2183' });
  });
});

// Each rule is named by its key in rules.ts's table: two rules cannot share a name (tsc refuses
// an object literal with a key twice, TS1117).
describe('rules', () => {
  it.each([
    ['two members on 127.0.0.1 and localhost share ports', [{ host: 'localhost' }, { host: '127.0.0.1', ports: { client: 2181 } }], false],
    ['members on different machines may share ports', [{ host: 'zk-a.internal' }, { host: 'zk-b.internal', ports: { client: 2181, peer: 2888, election: 3888 } }, { host: 'zk-c.internal', ports: { client: 2181, peer: 2888, election: 3888 } }], true],
  ])('%s', (_, servers, ok) => {
    expect(verdict({ image: 'garland/zookeeper', servers }).ok).toBe(ok);
  });
});

describe('generated/', () => {
  it('holds the committed output of examples/tutorial.json, up to date', async () => {
    const result = await runMain(['examples/tutorial.json', '--out', 'generated/tutorial', '--check']);
    expect(result.stderr, 'run npm run regenerate').not.toContain('stale');
    expect(result.code).toBe(0);
    // The tutorial's image has no tag: the only thing zkgen may say of it is that warning.
    expect(result.stderr.split('\n').filter(Boolean).every((line) => line.includes(': warning: '))).toBe(true);
  });
});

describe('members on several machines', () => {
  const warnings = (value: unknown) => {
    const c = verdict(value);
    if (!c.ok) throw new Error(JSON.stringify(c.errors));
    return c.warnings.map((w) => `${w.pointer}: ${w.message}`);
  };

  it('warns when losing one machine loses the quorum', () => {
    expect(warnings({ servers: [{ host: 'zk-a' }, { host: 'zk-a' }, { host: 'zk-b' }] })).toEqual([
      '/servers/0/host: zk-a runs 2 of the 3 participants (zk1, zk2): losing that one machine loses the quorum; spread them so that no machine runs half or more',
    ]);
    // Half of an even count is enough to lose it, too.
    expect(warnings({ servers: [{ host: 'zk-a' }, { host: 'zk-a' }, { host: 'zk-b' }, { host: 'zk-c' }] })).toContain(
      '/servers/0/host: zk-a runs 2 of the 4 participants (zk1, zk2): losing that one machine loses the quorum; spread them so that no machine runs half or more',
    );
  });

  it('does not warn when each machine can be lost, nor for one machine alone', () => {
    expect(warnings({ servers: [{ host: 'zk-a' }, { host: 'zk-b' }, { host: 'zk-c' }] })).toEqual([]);
    expect(warnings({ servers: [{ host: 'zk-a' }, { host: 'zk-a' }, { host: 'zk-b' }, { host: 'zk-c' }, { host: 'zk-d' }] })).toEqual([]);
    expect(warnings({ servers: 3 })).toEqual([]);
  });

  it('judges observers alone on several machines by the observers rule, without a crash', () => {
    const c = verdict({ servers: [{ host: 'zk-a', role: 'observer' }, { host: 'zk-b', role: 'observer' }] });
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.errors.map((e) => e.message)).toEqual(['every member is an observer: observers only follow participants, and at least one must vote']);
  });

  it('counts observers on a machine for nothing', () => {
    expect(warnings({ servers: [{ host: 'zk-a' }, { host: 'zk-b' }, { host: 'zk-c' }, { host: 'zk-a', role: 'observer' }, { host: 'zk-a', role: 'observer' }] })).toEqual([]);
  });
});
