// The CLI's whole contract over a generated corpus of hostile ensemble files, run in-process
// through main(argv, io): valid files in JSON and YAML, each class of bad input the loader, the schema and the
// rules refuse, and random byte mutations of valid files. Whatever the input: exit 0, 1 or 2 as
// the outcome is; stdout empty unless a compose file is printed; every stderr line one problem as
// `FILE(:line:col)?: (/pointer|(root)): message` with no control character in it, or a `zkgen: …`
// usage line; no stack trace, no "internal error"; nothing written on failure. (That the bin adds no
// Node warning of its own is the spawn tier's: test/spawn/ compares its stderr exactly.)
// An acceptance floor keeps a generator that only makes refused input from passing.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PROPERTY_RUNS, runMain, tempDir } from './helpers.js';

const SEED = Number(process.env.ZKGEN_PROPERTY_SEED ?? 20261126);
const RUNS = PROPERTY_RUNS;

type Value = Record<string, unknown>;

const port = fc.integer({ min: 1024, max: 60000 });
const memberArb = fc.record(
  {
    host: fc.integer({ min: 0, max: 1 }),
    role: fc.constantFrom('participant', 'participant', 'participant', 'observer'),
    ports: fc.record({ client: port }, { requiredKeys: [] }),
    dataDir: fc.constantFrom('/srv/zk/a b', "/srv/zk/it's", '/srv/zk/$x', '/srv/zk/é'),
  },
  { requiredKeys: [] },
);

/** Ensembles people write: almost all of them accepted. */
const validArb: fc.Arbitrary<Value> = fc.record(
  {
    image: fc.constantFrom('zookeeper:3.9.4', 'bitnami/zookeeper:3.9', 'zookeeper:3.8'),
    // One machine, named in one or two ways: several machines make printing the compose file a
    // usage error (--host), which the corpus of valid files is not about.
    world: fc.constantFrom(['localhost', '127.0.0.2'], ['zk-a.internal', 'zk-a.internal'], ['10.1.2.3', '10.1.2.3']),
    servers: fc.oneof(fc.integer({ min: 1, max: 7 }), fc.tuple(fc.array(memberArb, { minLength: 1, maxLength: 5 }), fc.boolean())),
    dataRoot: fc.constantFrom('/data', '/var/lib/zoo keeper', '/srv/zk'),
    tickTime: fc.integer({ min: 500, max: 5000 }),
    config: fc.constantFrom({}, { snapCount: 100000 }, { 'quorum.cnxn.threads.size': '20' }),
  },
  { requiredKeys: ['servers', 'image', 'world'] },
).map(({ servers, world, ...rest }): Value => {
  // Listed members get what keeps them apart: client ports, data folders and (sparse or counted)
  // ids of their own, and a first member that votes.
  if (typeof servers === 'number') return { ...rest, servers };
  const [members, sparse] = servers;
  return {
    ...rest,
    servers: members.map(({ host, ...m }, i) => ({
      ...m,
      ...(host !== undefined && { host: world[host] }),
      ...(sparse && { id: 7 * (i + 1) }),
      ...(i === 0 && { role: 'participant' }),
      ...(m.dataDir !== undefined && { dataDir: `${m.dataDir}/${i}` }),
      ports: { client: 20000 + i * 10 },
    })),
  };
});

interface Input {
  name: string;
  bytes: Buffer;
}
const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2));
const yamlText = (v: unknown) => Buffer.from(stringify(v));

/** One input of each class the loader and rules refuse, built around a valid ensemble. */
const CLASSES: Array<(v: Value) => Input> = [
  () => ({ name: 'e.yaml', bytes: Buffer.from('servers: 3\na: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n') }),
  () => ({ name: 'e.yaml', bytes: Buffer.from('servers: *n\n') }),
  (v) => ({ name: 'e.yaml', bytes: Buffer.concat([yamlText(v), Buffer.from('config: !!omap\n  - clientPort: 1\n')]) }),
  (v) => ({ name: 'e.yaml', bytes: Buffer.concat([yamlText({ ...v, config: undefined }), Buffer.from('config: !!set\n  ? a\n')]) }),
  (v) => ({ name: 'e.yaml', bytes: Buffer.concat([yamlText(v), Buffer.from('? [a, b]\n: 1\n')]) }),
  (v) => ({ name: 'e.yaml', bytes: Buffer.from(yamlText(v).toString().replace(/^servers:/m, 'servers: !custom')) }),
  (v) => ({ name: 'e.yaml', bytes: Buffer.from(yamlText({ ...v, tickTime: undefined }).toString() + 'tickTime: .inf\n') }),
  (v) => ({ name: 'e.json', bytes: Buffer.from(JSON.stringify(v).replace(/^\{/, '{"servers": 1, ')) }),
  (v) => ({ name: 'e.json', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(v)]) }),
  (v) => ({ name: 'e.yaml', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), yamlText(v)]) }),
  (v) => ({ name: 'e.json', bytes: Buffer.concat([json({ ...v, dataRoot: '/d' }).subarray(0, -3), Buffer.from([0xff, 0xc0]), Buffer.from('"}')]) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, 'colour\u001b[31m\n\u2028red': 1 }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, config: { 'a\u0085b': 1 } }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, servers: [{ id: 255 }, {}] }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, tickTime: 2 ** 31 }) }),
  (v) => ({ name: 'e.json', bytes: Buffer.from(JSON.stringify({ ...v, config: { snapCount: 1 } }).replace('"snapCount":1', '"snapCount":1e21')) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, dataRoot: '/srv/a\u2028b' }) }),
  (v) => ({ name: 'e.yaml', bytes: yamlText({ ...v, dataRoot: '/srv/a\u0085b' }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, host: '0x7f.1' }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, host: '0.0.0.00' }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, servers: [{ dataDir: '/data/zk1' }, { dataDir: '/data//zk1/' }, {}] }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, servers: [{ dataDir: '/data/zk1' }, { dataDir: '/data/zk1/datalog' }, {}] }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, dataRoot: '/etc' }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, dataRoot: '/data/../etc' }) }),
  (v) => ({ name: 'e.json', bytes: json({ ...v, servers: 3, config: { secureClientPort: 2182 } }) }),
  (v) => ({ name: 'e.yaml', bytes: Buffer.concat([yamlText(v), Buffer.from('---\n'), yamlText(v)]) }),
  (v) => ({ name: 'e.yaml', bytes: Buffer.concat([Buffer.from('%YAML 1.1\n---\n'), yamlText(v), Buffer.from('since: 2001-01-01\n')]) }),
  (v) => ({ name: 'e.yaml', bytes: Buffer.from(`${yamlText(v).toString()}x: ${'['.repeat(20000)}${']'.repeat(20000)}\n`) }),
];

/** Random damage to a valid file's bytes: a hostile byte or snippet put in, a span cut out or repeated. */
const SNIPPETS = ['\u0000', '\ufeff', '"', '{', '}', ',', ':', '\n', '\t', '- ', '&a ', '*a', '!!omap ', '? ', '\u2028', '\u001b[2J', 'é'].map((s) => Buffer.from(s));
const mutate = (bytes: Buffer, kind: number, at: number, length: number, snippet: number): Buffer => {
  const i = at % (bytes.length + 1);
  const j = Math.min(bytes.length, i + length);
  switch (kind) {
    case 0:
      return Buffer.concat([bytes.subarray(0, i), SNIPPETS[snippet % SNIPPETS.length]!, bytes.subarray(i)]);
    case 1:
      return Buffer.concat([bytes.subarray(0, i), bytes.subarray(j)]);
    case 2:
      return Buffer.concat([bytes.subarray(0, j), bytes.subarray(i, j), bytes.subarray(j)]);
    default:
      return Buffer.concat([bytes.subarray(0, i), Buffer.from([0x80 + (snippet % 0x80)]), bytes.subarray(i)]);
  }
};

const inputArb: fc.Arbitrary<Input & { origin: string }> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(validArb, fc.boolean()).map(([v, asJson]) => ({ origin: 'valid', name: asJson ? 'e.json' : 'e.yaml', bytes: asJson ? json(v) : yamlText(v) })) },
  { weight: 3, arbitrary: fc.tuple(validArb, fc.nat(CLASSES.length - 1)).map(([v, c]) => ({ origin: `class ${c}`, ...CLASSES[c]!(v) })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(validArb, fc.boolean(), fc.nat(3), fc.nat(), fc.integer({ min: 1, max: 8 }), fc.nat())
      .map(([v, asJson, kind, at, length, snippet]) => ({ origin: `mutation ${kind}`, name: asJson ? 'e.json' : 'e.yaml', bytes: mutate(asJson ? json(v) : yamlText(v), kind, at, length, snippet) })),
  },
);

const LINE = /^e\.(?:json|yaml)(?:: (?:\/.*|\(root\))|:\d+:\d+(?:: (?:\/.*|\(root\)))?): (?:warning: )?\S.*$/;
// Any control character but the line feed that ends a line (\p{Cc}: C0, DEL and C1), line and
// paragraph separators, bidirectional embeddings, overrides and isolates.
const UNSHOWABLE = /(?!\n)\p{Cc}|[\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('the CLI on a corpus of hostile ensemble files', () => {
  it('keeps its whole contract for every input', { timeout: 300_000 }, async () => {
    const dir = tempDir('contract');
    const outcomes = { accepted: 0, refused: 0 };
    let run = 0;
    await fc.assert(
      fc.asyncProperty(inputArb, async (input) => {
        const work = join(dir, String(run++));
        mkdirSync(work);
        writeFileSync(join(work, input.name), input.bytes);
        // Alternate the two ways of running: printing the compose file, and writing the bundle.
        const printing = run % 2 === 0;
        const result = await runMain(printing ? [input.name] : [input.name, '--out', 'out'], { cwd: work });
        const lines = result.stderr.split('\n');
        const context = `${input.origin}: ${JSON.stringify(input.bytes.toString('latin1'))}\n${result.stderr}`;
        expect(lines.pop(), context).toBe('');
        expect([0, 1], context).toContain(result.code);
        expect(result.stderr, context).not.toMatch(/internal error|Warning:|\n\s+at |\(node:\d+\)/);
        for (const line of lines) {
          expect(line, context).toMatch(LINE);
          expect(line, context).not.toMatch(UNSHOWABLE);
        }
        if (result.code === 0) {
          outcomes.accepted++;
          for (const line of lines) expect(line, context).toMatch(/: warning: /);
          if (printing) expect(result.stdout, context).toMatch(/^# /);
          else expect(existsSync(join(work, 'out', 'docker-compose.yml')), context).toBe(true);
          if (!printing) expect(result.stdout).toBe('');
        } else {
          outcomes.refused++;
          expect(lines.some((l) => !l.includes(': warning: ')), context).toBe(true);
          expect(result.stdout, context).toBe('');
          expect(readdirSync(work), context).toEqual([input.name]);
        }
        rmSync(work, { recursive: true, force: true });
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // Both sides of the contract are exercised: most valid drawings are accepted, the rest refused.
    expect(outcomes.accepted).toBeGreaterThan(RUNS * 0.33);
    expect(outcomes.refused).toBeGreaterThan(RUNS * 0.3);
  });
});
