// Property tests of moves (src/reconfig.ts), seeded and reproducible (ZKGEN_PROPERTY_SEED,
// ZKGEN_PROPERTY_RUNS): a running ensemble with reconfiguration on, drawn at random, and an edit of
// its members (some leave, some join, some change role, now and then one renamed or moved to other
// ports), on one machine or spread over two (each member with its own ports, so that the layout
// moves no one; the machine of each leaving member must then reach the top-level reconfigure.sh,
// and each machine with joining members gets its own hosts/<machine>/reconfigure.sh), written
// over its bundle through the core as the CLI does it. An oracle written here, from
// ZooKeeper's rules and not from zkgen's, says which edits can be moves; zkgen must accept exactly
// those, with a reconfigure.sh whose lists are the edit's, and refuse the others at pointers into
// the edited file. Most draws are accepted moves (a floor is asserted).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generate, type GeneratedFile } from '../src/index.js';
import { PROPERTY_RUNS, recordOfBundle } from './helpers.js';

const SEED = Number(process.env.ZKGEN_PROPERTY_SEED ?? 20261201);
// Pure core, a few milliseconds a draw: three times the base number of runs.
const RUNS = PROPERTY_RUNS * 3;

interface Entry {
  id: number;
  role: 'participant' | 'observer';
  name?: string;
  ports?: { client?: number; peer: number; election?: number };
  host?: string;
}

const ensemble = (servers: Entry[]) => ({ image: 'zookeeper:3.9.4', servers, reconfig: true });

/** The machines of the draws on several machines. */
const MACHINES = ['zk-a', 'zk-b'];
const machineOf = (e: Entry) => e.host ?? 'localhost';

/** A running membership (ids 1..9, at least one participant) and an edit of it. */
const moveArb = fc
  .oneof({ weight: 5, arbitrary: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 6 }) }, { weight: 1, arbitrary: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 2 }) })
  .chain((ids) =>
    fc.record({
      running: fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), role: fc.constantFrom<Entry['role']>('participant', 'participant', 'participant', 'observer') }))),
      // Mostly fewer than half leave (so most draws are moves), now and then more.
      leave: fc.oneof({ weight: 4, arbitrary: fc.subarray(ids, { maxLength: Math.floor((ids.length - 1) / 2) }) }, { weight: 1, arbitrary: fc.subarray(ids) }),
      join: fc.uniqueArray(fc.integer({ min: 10, max: 14 }), { maxLength: 2 }),
      joinRole: fc.constantFrom<Entry['role']>('participant', 'participant', 'observer'),
      turn: fc.subarray(ids, { maxLength: 1 }),
      // Now and then a member that stays is renamed or given another peer port in place.
      inPlace: fc.constantFrom<'none' | 'rename' | 'ports'>('none', 'none', 'none', 'none', 'none', 'none', 'rename', 'ports'),
      // Two draws in three on one machine (localhost), one spread over two machines.
      spread: fc.constantFrom(false, false, true),
    }),
  )
  .map(({ running, leave, join, joinRole, turn, inPlace, spread }) => {
    // On several machines, members alternate between them, each with its own ports (as
    // docs/several-hosts.md advises, so that a machine going from one member to several moves no one's ports).
    const own = (id: number) => ({ client: 21000 + id, peer: 22000 + id, election: 23000 + id });
    const placed = (e: Entry, i: number): Entry => (spread ? { ...e, host: MACHINES[i % MACHINES.length]!, ports: own(e.id) } : e);
    const before: Entry[] = running.map((e, i) => placed({ ...e, role: e.role }, i));
    if (!before.some((e) => e.role === 'participant')) before[0] = placed({ id: before[0]!.id, role: 'participant' }, 0);
    const after: Entry[] = [
      ...before
        .filter((e) => !leave.includes(e.id))
        .map((e): Entry => (turn.includes(e.id) ? { ...e, role: e.role === 'participant' ? 'observer' : 'participant' } : { ...e })),
      // On several machines, joining members go to the machine with most members, which stays shared.
      ...join.map((id, i): Entry => placed({ id, role: joinRole }, before.length + i)),
    ];
    const staying = after.find((e) => before.some((b) => b.id === e.id));
    if (staying && inPlace === 'rename') staying.name = `renamed${staying.id}`;
    if (staying && inPlace === 'ports') staying.ports = { ...staying.ports, peer: 40000 + staying.id };
    return { before, after };
  });

/** ZooKeeper's and the move's rules, said independently of src/reconfig.ts. */
function oracle(before: Entry[], after: Entry[]): 'same' | 'move' | 'invalid' | 'refused' {
  const voters = after.filter((e) => e.role === 'participant');
  // The file alone must be a valid ensemble: a participant, and members that tolerate... only the
  // hard rules (warnings do not refuse).
  if (after.length === 0 || voters.length === 0) return 'invalid';
  const key = (e: Entry) => `${e.id}:${e.role}:${e.name ?? ''}:${JSON.stringify(e.ports ?? {})}`;
  if (before.length === after.length && before.every((b, i) => key(b) === key(after[i]!))) return 'same';
  // A member that stays keeps its name and ports (a name given here is a rename, ports given are new).
  const was = (e: Entry) => before.find((b) => b.id === e.id);
  if (after.some((e) => e.name !== undefined || (was(e) ? JSON.stringify(e.ports ?? {}) !== JSON.stringify(was(e)!.ports ?? {}) : false))) return 'refused';
  // zkgen's port layout: a member alone on its machine has the base ports, one of several base +
  // id - 1. A member that stays while its machine goes from one member to several (or back) would
  // move its ports, unless its id is 1.
  const alone = (list: Entry[], machine: string) => list.filter((e) => machineOf(e) === machine).length === 1;
  if (after.some((e) => e.id !== 1 && e.ports === undefined && was(e) && alone(before, machineOf(e)) !== alone(after, machineOf(e)))) return 'refused';
  // zkgen writes moves on one machine, or on several: not from one to several, nor back.
  const machinesBefore = new Set(before.map(machineOf));
  const machinesAfter = new Set(after.map(machineOf));
  if (machinesAfter.size === 1 ? [...machinesBefore].some((m) => !machinesAfter.has(m)) : machinesBefore.size === 1) return 'refused';
  // When a participant leaves (or stops voting), a quorum of the new participants must be
  // participants running today; growing alone is always a move.
  const running = voters.filter((v) => before.some((b) => b.id === v.id && b.role === 'participant'));
  const leaving = before.filter((b) => b.role === 'participant' && !voters.some((v) => v.id === b.id));
  return leaving.length === 0 || running.length > voters.length / 2 ? 'move' : 'refused';
}

const filesByPath = (files: readonly GeneratedFile[]) => new Map(files.map((f) => [f.path, f.content]));
/** What the CLI hands the core of a bundle folder: its record, read back. */
const runningOf = recordOfBundle;
const machinesOf = (entries: Entry[]) => new Set(entries.map(machineOf)).size;
const bashArray = (script: string, name: string) => (new RegExp(`^${name}=\\((.*)\\)$`, 'm').exec(script)?.[1] ?? '').split(' ').filter(Boolean);

describe('a change of members written over the running ensemble\'s bundle', () => {
  it('is a move exactly when ZooKeeper can make it one, with reconfigure.sh listing the edit; refused otherwise, at pointers into the file', () => {
    const counts = { same: 0, move: 0, invalid: 0, refused: 0, movesOnSeveralMachines: 0 };
    fc.assert(
      fc.property(moveArb, ({ before, after }) => {
        const old = generate(ensemble(before));
        if (!old.ok) throw new Error(`the running ensemble must be valid: ${JSON.stringify(old.errors)}`);
        const expected = oracle(before, after);
        counts[expected]++;
        const value = ensemble(after);
        const written = generate(value, { running: runningOf(old.files) });
        if (expected === 'invalid') {
          expect(written.ok).toBe(false);
          return;
        }
        if (expected === 'refused') {
          expect(written.ok, JSON.stringify(written)).toBe(false);
          if (written.ok) return;
          for (const e of written.errors) expect(e.pointer, e.message).toMatch(/^\/servers(\/\d+(\/name)?)?$/);
          return;
        }
        if (!written.ok) throw new Error(`refused a ${expected}: ${written.errors.map((e) => `${e.pointer}: ${e.message}`).join('; ')}`);
        const files = filesByPath(written.files);
        if (expected === 'same') {
          expect(files.has('reconfigure.sh')).toBe(false);
          return;
        }
        const script = files.get('reconfigure.sh') ?? '';
        const idsOf = (entries: Entry[]) => entries.map((e) => `${e.id}:${e.role}`).sort();
        expect(bashArray(script, 'from').sort()).toEqual(idsOf(before));
        expect(bashArray(script, 'to').sort()).toEqual(idsOf(after));
        expect(bashArray(script, 'joining').map((n) => n.replace(/^zk/, '')).sort()).toEqual(after.filter((e) => !before.some((b) => b.id === e.id)).map((e) => String(e.id)).sort());
        expect(bashArray(script, 'leaving').map((n) => n.replace(/^zk/, '')).sort()).toEqual(before.filter((b) => !after.some((e) => e.id === b.id)).map((b) => String(b.id)).sort());
        if (machinesOf(after) > 1) counts.movesOnSeveralMachines++;
        const joining = after.filter((e) => !before.some((b) => b.id === e.id));
        const leaving = before.filter((b) => !after.some((e) => e.id === b.id));
        if (machinesOf(after) === 1) {
          expect(files.has('reconfigure-compose.yml')).toBe(joining.length > 0);
        } else {
          // Each machine with joining members starts them (hosts/<machine>/); the top knows where each leaving member runs.
          for (const machine of MACHINES) {
            const here = joining.filter((e) => machineOf(e) === machine).map((e) => `zk${e.id}`).sort();
            const part = files.get(`hosts/${machine}/reconfigure.sh`);
            expect(part === undefined ? [] : bashArray(part, 'joining').sort(), machine).toEqual(here);
            expect(files.has(`hosts/${machine}/reconfigure-compose.yml`), machine).toBe(here.length > 0);
          }
          expect(bashArray(script, 'leaving_machines')).toEqual([...leaving].sort((a, b) => a.id - b.id).map(machineOf));
        }
        // Written again over itself (a second run, or --check): the same bytes.
        const again = generate(value, { running: runningOf(written.files) });
        expect(again.ok && again.files).toEqual(written.files);
        // And the next edit starts from this bundle's members, not the record's.
        const back = generate(ensemble(before), { running: runningOf(written.files) });
        if (back.ok) expect(bashArray(filesByPath(back.files).get('reconfigure.sh') ?? '', 'from').sort()).toEqual(idsOf(after));
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The property means little unless most draws are moves zkgen must write.
    expect(counts.move, JSON.stringify(counts)).toBeGreaterThan(RUNS / 3);
    expect(counts.refused).toBeGreaterThan(0);
    expect(counts.movesOnSeveralMachines, JSON.stringify(counts)).toBeGreaterThan(RUNS / 10);
  });
});

describe('what is not a change of members', () => {
  const three: Entry[] = [{ id: 1, role: 'participant' }, { id: 2, role: 'participant' }, { id: 3, role: 'participant' }];
  it('without reconfiguration: where client ports listen, or client TLS closing the plaintext port (a recreate applies them)', () => {
    const plain = { image: 'zookeeper:3.9.4', servers: three };
    const running = generate(plain);
    if (!running.ok) throw new Error('the running ensemble must be valid');
    for (const change of [{ listen: 'all' }, { tls: { client: true } }, { tickTime: 3000 }]) {
      const written = generate({ ...plain, ...change }, { running: runningOf(running.files) });
      expect(written.ok ? written.files.map((f) => f.path) : written.errors, JSON.stringify(change)).not.toContain('reconfigure.sh');
      expect(written.ok, JSON.stringify(change)).toBe(true);
    }
  });

  it('with reconfiguration on: a setting is no change of members, but where a member listens for clients is refused (the dynamic configuration keeps it)', () => {
    const running = generate(ensemble(three));
    if (!running.ok) throw new Error('the running ensemble must be valid');
    const setting = generate({ ...ensemble(three), tickTime: 3000 }, { running: runningOf(running.files) });
    expect(setting.ok && setting.files.map((f) => f.path)).toEqual(running.files.map((f) => f.path));
    for (const change of [{ listen: 'all' }, { tls: { client: true } }]) {
      const written = generate({ ...ensemble(three), ...change }, { running: runningOf(running.files) });
      expect(written.ok ? [] : written.errors.map((e) => e.message), JSON.stringify(change)).toContainEqual(expect.stringContaining('listens for clients at'));
    }
  });

  it('one machine that the file names, its members at addresses of their own: the same members, and a move when they change', () => {
    const named = (n: number, more: object = {}) => ({
      image: 'zookeeper:3.9.4',
      reconfig: true,
      servers: Array.from({ length: n }, (_, i) => ({ host: `zk-${i + 1}.internal`, machine: 'box' })),
      ...more,
    });
    const running = generate(named(3));
    if (!running.ok) throw new Error(`the running ensemble must be valid: ${JSON.stringify(running.errors)}`);
    const same = generate(named(3, { tickTime: 3000 }), { running: runningOf(running.files) });
    expect(same.ok ? same.files.map((f) => f.path) : same.errors).toEqual(running.files.map((f) => f.path));
    const grown = generate(named(4), { running: runningOf(running.files) });
    expect(grown.ok ? grown.files.map((f) => f.path) : grown.errors).toContain('reconfigure.sh');
  });
});

describe('the super user stays the servers\'', () => {
  it('a throwaway zkCli (smoke test, the move on several machines) neither mounts the super user\'s folder nor reads its JVM argument file', () => {
    const hosts = ['zk-a.internal', 'zk-b.internal', 'zk-c.internal'];
    const value = { image: 'zookeeper:3.9.4', servers: hosts.map((host) => ({ host })), reconfig: true, auth: { client: true } };
    const running = generate(value);
    if (!running.ok) throw new Error(`must be valid: ${JSON.stringify(running.errors)}`);
    const grown = generate({ ...value, servers: [...value.servers, { host: 'zk-d.internal' }] }, { running: runningOf(running.files) });
    if (!grown.ok) throw new Error(`must be a move: ${JSON.stringify(grown.errors)}`);
    for (const path of ['smoke-test.sh', 'reconfigure.sh']) {
      const script = filesByPath(grown.files).get(path) ?? '';
      expect(script, path).toContain('docker run --rm');
      expect(script, path).toContain('/zkgen-auth');
      expect(script, path).not.toContain('/zkgen-reconfig');
    }
  });
});
