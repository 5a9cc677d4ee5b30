// The bundle's record (zkgen-bundle.json, src/record.ts): written into every bundle and listed in
// its manifest, read back — and nothing else — from the folder zkgen writes over to see a change of
// members, refused in one line when it is not a record zkgen can read; a bundle written before
// records is refused with the command that writes it again. The move rules' messages that depend
// on where a member runs, and on which image runs.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, parseRecord, RECORD, type GeneratedFile } from '../src/index.js';
import { runMain, tempDir } from './helpers.js';
import { contents } from './tree.js';

const MANIFEST = 'zkgen-manifest.txt';

const fileOf = (files: readonly GeneratedFile[], path: string) => files.find((f) => f.path === path)?.content;

function recordOf(value: object) {
  const out = generate(value);
  if (!out.ok) throw new Error(`must be valid: ${JSON.stringify(out.errors)}`);
  const read = parseRecord(fileOf(out.files, RECORD) ?? '');
  if (!read.ok) throw new Error(read.problem);
  return { files: out.files, record: read.record };
}

const bashArray = (script: string, name: string) => (new RegExp(`^${name}=\\((.*)\\)$`, 'm').exec(script)?.[1] ?? '').split(' ').filter(Boolean);

describe('the record of a bundle', () => {
  it('is in every bundle, listed in its manifest, and says its members, image, listen, TLS, SASL and reconfiguration', () => {
    const { files, record } = recordOf({
      image: 'zookeeper:3.9.4',
      servers: [{ host: 'zk-a.internal', machine: 'box' }, { host: 'zk-b.internal', machine: 'box' }, { host: 'zk-c.internal', role: 'observer' }],
      tls: { quorum: true, client: true },
      auth: { quorum: true },
      reconfig: true,
      listen: 'all',
    });
    expect(fileOf(files, MANIFEST)?.split('\n')).toContain(RECORD);
    expect(record.image).toBe('zookeeper:3.9.4');
    expect(record.listen).toBe('all');
    expect(record.tls).toMatchObject({ quorum: true, client: true });
    expect(record.auth).toMatchObject({ quorum: true, client: false });
    expect(record.reconfig?.secrets).toEqual(expect.any(String));
    expect(record.move).toBeUndefined();
    expect(record.members.map((m) => [m.id, m.name, m.host, m.machine, m.role])).toEqual([
      [1, 'zk1', 'zk-a.internal', 'box', 'participant'],
      [2, 'zk2', 'zk-b.internal', 'box', 'participant'],
      [3, 'zk3', 'zk-c.internal', 'zk-c.internal', 'observer'],
    ]);
    // Shared machine: base + id - 1; the AdminServer and the secure client port are laid out too.
    expect(Object.keys(record.members[1]?.ports ?? {})).toEqual(['client', 'peer', 'election', 'admin', 'secureClient']);
    expect(record.members[1]?.ports).toMatchObject({ client: 2182, peer: 2889, election: 3889 });
  });

  it('carries where the move starts, and only while the bundle carries a move', () => {
    const running = recordOf({ image: 'zookeeper:3.9.4', servers: 3, reconfig: true }).record;
    const grown = generate({ image: 'zookeeper:3.9.4', servers: 5, reconfig: true }, { running });
    if (!grown.ok) throw new Error(JSON.stringify(grown.errors));
    const read = parseRecord(fileOf(grown.files, RECORD) ?? '');
    expect(read.ok && read.record.move?.from.map((m) => m.name)).toEqual(['zk1', 'zk2', 'zk3']);
    expect(read.ok && read.record.members.map((m) => m.name)).toEqual(['zk1', 'zk2', 'zk3', 'zk4', 'zk5']);
  });

  it('read back refuses what is not a record of this format, in one sentence', () => {
    const { files } = recordOf({ servers: 3 });
    const good = JSON.parse(fileOf(files, RECORD) ?? '') as Record<string, unknown>;
    const problem = (text: string) => {
      const read = parseRecord(text);
      return read.ok ? 'read' : read.problem;
    };
    expect(problem('{"format": 1, "members": [')).toBe('is not JSON');
    expect(problem(JSON.stringify({ ...good, format: 2 }))).toBe('is not a record of format 1 (its format: 2)');
    expect(problem(JSON.stringify({ name: 'something else' }))).toBe('is not a record of format 1 (its format: none)');
    expect(problem(JSON.stringify({ ...good, members: [{ id: 1, name: 'zk1' }] }))).toMatch(/^does not match zkgen-bundle\.json's schema at \/members\/0: /);
    expect(problem(JSON.stringify(good))).toBe('read');
  });
});

describe('a move reads the record alone', () => {
  const running = { image: 'zookeeper:3.9.4', servers: ['zk-a.internal', 'zk-b.internal', 'zk-c.internal'].map((host) => ({ host })), reconfig: true };
  const grown = { ...running, servers: [...running.servers, { host: 'zk-d.internal' }] };

  it('rewording or emptying the generated files (zoo.cfg, myid, remove.sh) changes nothing of the move', async () => {
    const work = tempDir('record-move');
    writeFileSync(join(work, 'running.json'), JSON.stringify(running));
    writeFileSync(join(work, 'grown.json'), JSON.stringify(grown));
    expect((await runMain(['running.json', '--out', 'plain'], { cwd: work })).code).toBe(0);
    cpSync(join(work, 'plain'), join(work, 'reworded'), { recursive: true });
    for (const path of Object.keys(contents(join(work, 'reworded')))) {
      if (/^conf\/.*[^/]$|\/remove\.sh$/.test(path)) writeFileSync(join(work, 'reworded', path), '# reworded\n');
    }
    const plain = await runMain(['grown.json', '--out', 'plain'], { cwd: work });
    const reworded = await runMain(['grown.json', '--out', 'reworded'], { cwd: work });
    expect(plain.code, plain.stderr).toBe(0);
    expect(reworded.code, reworded.stderr).toBe(0);
    expect(contents(join(work, 'reworded'))).toEqual(contents(join(work, 'plain')));
    expect(bashArray(readFileSync(join(work, 'plain', 'reconfigure.sh'), 'utf8'), 'joining')).toEqual(['zk4']);
  });

  it('a corrupt or foreign record: one line, exit 2, nothing written', async () => {
    const work = tempDir('record-corrupt');
    writeFileSync(join(work, 'running.json'), JSON.stringify(running));
    writeFileSync(join(work, 'grown.json'), JSON.stringify(grown));
    expect((await runMain(['running.json', '--out', 'zk'], { cwd: work })).code).toBe(0);
    for (const [text, why] of [
      ['{ half', 'is not JSON'],
      ['{"format": 7}\n', 'is not a record of format 1 (its format: 7)'],
    ]) {
      writeFileSync(join(work, 'zk', RECORD), text ?? '');
      const before = contents(join(work, 'zk'));
      const result = await runMain(['grown.json', '--out', 'zk'], { cwd: work });
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')).toEqual([
        `zkgen: zk/${RECORD} ${why}, so zkgen cannot tell the members of the bundle in zk: put back the file zkgen wrote, or write the ensemble file it was written from over it once more, with --stopped since nothing moves (zkgen ORIGINAL-FILE --out zk --stopped), then grown.json again`,
        '',
      ]);
      expect(contents(join(work, 'zk'))).toEqual(before);
    }
  });

  it('a bundle written before records is refused with the command that writes it again, which then lets the move be written', async () => {
    const work = tempDir('record-before');
    writeFileSync(join(work, 'running.json'), JSON.stringify(running));
    writeFileSync(join(work, 'grown.json'), JSON.stringify(grown));
    expect((await runMain(['running.json', '--out', 'zk'], { cwd: work })).code).toBe(0);
    // As zkgen wrote bundles before the record: the same files, the manifest without it.
    const manifest = join(work, 'zk', MANIFEST);
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(`${RECORD}\n`, ''));
    rmSync(join(work, 'zk', RECORD));
    const before = contents(join(work, 'zk'));
    const refused = await runMain(['grown.json', '--out', 'zk'], { cwd: work });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `zkgen: zk holds a bundle written before zkgen recorded its members (its manifest lists no ${RECORD}), so zkgen cannot tell which members run: write the ensemble file it was written from over it once more, with --stopped since nothing moves (zkgen ORIGINAL-FILE --out zk --stopped), then grown.json again\n`,
    );
    expect(contents(join(work, 'zk'))).toEqual(before);
    expect((await runMain(['running.json', '--out', 'zk', '--stopped'], { cwd: work })).code).toBe(0);
    expect((await runMain(['grown.json', '--out', 'zk'], { cwd: work })).code).toBe(0);
    expect(bashArray(readFileSync(join(work, 'zk', 'reconfigure.sh'), 'utf8'), 'joining')).toEqual(['zk4']);
  });
});

describe('the move rules say what is so', () => {
  it('a bundle of one machine the file named, growing onto other machines: refused as a move from one machine to several, not as members changing machine', () => {
    const named = { image: 'zookeeper:3.9.4', reconfig: true, servers: [1, 2, 3].map((i) => ({ host: `zk-${i}.internal`, machine: 'box' })) };
    const { record } = recordOf(named);
    const out = generate({ ...named, servers: [...named.servers, { host: 'zk-4.internal' }] }, { running: record });
    const messages = out.ok ? [] : out.errors.map((e) => e.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^the running members are all on "box": zkgen does not yet write a move from one machine to several;/);
  });

  it.each(['bitnami/zookeeper:3.9.3', 'confluentinc/cp-zookeeper:7.9.0'])('%s: no advice to turn reconfig on, which zkgen refuses for that image', (image) => {
    const { record } = recordOf({ image, servers: 3 });
    const out = generate({ image, servers: 4 }, { running: record });
    const messages = out.ok ? [] : out.errors.map((e) => e.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).not.toContain('"reconfig": true');
    expect(messages[0]).toMatch(/^the running ensemble's members refuse reconfig, and zkgen cannot turn it on for /);
    // What the advice does not offer is indeed refused.
    const turnedOn = generate({ image, servers: 3, reconfig: true });
    expect(turnedOn.ok).toBe(false);
  });
});

describe('a move written over one that never ran', () => {
  const file = (n: number) => ({ image: 'zookeeper:3.9.4', servers: n, reconfig: true });
  const written = (n: number, running?: ReturnType<typeof recordOf>['record'], stopped = false) => {
    const out = generate(file(n), { ...(running && { running }), stopped });
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    const read = parseRecord(fileOf(out.files, RECORD) ?? '');
    if (!read.ok) throw new Error(read.problem);
    return { files: out.files, record: read.record };
  };

  it('the script that finds the ensemble elsewhere says how to start from the members that run, and following it, the next move starts from them', () => {
    const three = written(3);
    const five = written(5, three.record); // never run: the ensemble still runs 3
    const four = written(4, five.record); // from 5, which does not run
    const script = fileOf(four.files, 'reconfigure.sh') ?? '';
    expect(bashArray(script, 'from')).toEqual(['1:participant', '2:participant', '3:participant', '4:participant', '5:participant']);
    // What reconfigure.sh says (refuse_elsewhere of the library beside it) when the ensemble lists
    // neither where it starts nor where it ends.
    expect(script).toMatch(/^refuse_elsewhere "\$now" /m);
    expect(fileOf(four.files, 'reconfigure-lib.sh')).toContain('if a move written earlier never ran, these are the members that run: write an ensemble file with exactly them over this bundle with zkgen --stopped (nothing moves), then the file of this move again, which then moves from them');
    // Followed: the three that run, with --stopped; then the file of the move again.
    const back = written(3, four.record, true);
    expect(fileOf(back.files, 'reconfigure.sh')).toBeUndefined();
    const again = written(4, back.record);
    expect(bashArray(fileOf(again.files, 'reconfigure.sh') ?? '', 'from')).toEqual(['1:participant', '2:participant', '3:participant']);
  });
});

describe('a leaving member is reached where the record says, never where a server line is read back', () => {
  it('under client TLS (no plaintext port) a leaving observer is probed at its secure client port', () => {
    const four = { image: 'zookeeper:3.9.4', reconfig: true, tls: { client: true, quorum: true }, servers: [{ host: 'zk-a' }, { host: 'zk-b' }, { host: 'zk-c' }, { host: 'zk-d', role: 'observer' }] };
    const { record } = recordOf(four);
    const out = generate({ ...four, servers: four.servers.slice(0, 3) }, { running: record });
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    const script = fileOf(out.files, 'reconfigure.sh') ?? '';
    expect(bashArray(script, 'leaving')).toEqual(['zk4']);
    expect(bashArray(script, 'leaving_hosts')).toEqual(['zk-d']);
    expect(bashArray(script, 'leaving_ports')).toEqual([String(record.members[3]?.ports.secureClient)]);
  });
});
