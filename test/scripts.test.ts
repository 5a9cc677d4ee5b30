// The bundle's scripts, as every fixture's ensemble (and its move, when it has a running.json) and
// a few large ensembles with every option render them through the core: each reads as one page an
// operator can hold (at most 200 lines, but for what a script writes for each member, as an
// operator would: run.sh's docker run blocks, and at 255 members a line a member), what they share is said once in the libraries they source
// beside them (lib.sh; backup-lib.sh; status-lib.sh, the report of every status.sh; the move's
// reconfigure-lib.sh, only beside a reconfigure.sh),
// and every rolling restart asks the whole ensemble before each member through lib.sh.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatOf, generate, parse, type BundleRecord, type GeneratedFile } from '../src/index.js';
import { recordOfBundle, ROOT } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');
const LIBRARY = 'lib.sh';
const MOVE_LIBRARY = 'reconfigure-lib.sh';
const STATUS_LIBRARY = 'status-lib.sh';
/** Every library a script may source beside it: the same file in each folder that has it. */
const LIBRARIES = [LIBRARY, 'backup-lib.sh', MOVE_LIBRARY, STATUS_LIBRARY];
const MAX_LINES = 200;
const isLibrary = (path: string) => path === LIBRARY || path.endsWith(`/${LIBRARY}`);
const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

function valueOf(file: string): unknown {
  const parsed = parse(readFileSync(file), formatOf(file));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.value;
}

function filesOf(value: unknown, running?: BundleRecord): GeneratedFile[] {
  const outcome = generate(value, running ? { running } : {});
  if (!outcome.ok) throw new Error(outcome.errors.map((e) => e.message).join('; '));
  return outcome.files;
}

/** Every fixture's bundle (its move's, over the bundle of its running.json, when it has one). */
const fixtures = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()
  .map((name): [string, GeneratedFile[]] => {
    const dir = join(FIXTURES, name);
    const input = readdirSync(dir).find((f) => /^ensemble\.(json|ya?ml)$/.test(f));
    if (!input) throw new Error(`${dir} holds no ensemble file`);
    const runningFile = join(dir, 'running.json');
    const running = existsSync(runningFile) ? recordOfBundle(filesOf(valueOf(runningFile))) : undefined;
    return [`fixture ${name}`, filesOf(valueOf(join(dir, input)), running)];
  });

// Fixtures are small on purpose; what grows with the ensemble shows on large ones with every
// option that adds lines: TLS, SASL, metrics, reconfig, a restart policy and the health check.
const EVERYTHING = { image: 'zookeeper:3.9.4', tls: { quorum: true, client: true }, auth: { quorum: true, client: true }, metrics: true, reconfig: true, restart: 'always' };
const oneMachine = (members: number) => ({ ...EVERYTHING, servers: members });
/** A member on each machine named, in id order (the move's first three keep their ports among the seven). */
const onMachines = (machines: string[]) => ({ ...EVERYTHING, servers: machines.map((m) => ({ host: `${m}.internal` })) });
const SEVEN_ON_THREE = ['zk-a', 'zk-b', 'zk-b', 'zk-a', 'zk-c', 'zk-c', 'zk-a'];
const moved = (to: object, from: object) => filesOf(to, recordOfBundle(filesOf(from)));
const large: Array<[string, GeneratedFile[]]> = [
  ['nine members with every option on one machine', filesOf(oneMachine(9))],
  ['seven members with every option on three machines', filesOf(onMachines(SEVEN_ON_THREE))],
  ['a move from three members to seven on one machine', moved(oneMachine(7), oneMachine(3))],
  ['a move from three members to nine on one machine', moved(oneMachine(9), oneMachine(3))],
  ['a move from three members to seven on three machines', moved(onMachines(SEVEN_ON_THREE), onMachines(SEVEN_ON_THREE.slice(0, 3)))],
];
const bundles = [...fixtures, ...large];

const scriptsOf = (files: GeneratedFile[]) => files.filter((f) => f.path.endsWith('.sh'));
const folderOf = (path: string) => (dirname(path) === '.' ? '' : `${dirname(path)}/`);

/**
 * Blocks a script writes one per member, as an operator would by hand, by the script's name:
 * run.sh's `docker run -d` of each member (the tutorial's commands, byte for byte). Such a script
 * grows with the ensemble by those blocks alone; its other lines are held to MAX_LINES. Every
 * other script is held to MAX_LINES whole.
 */
const MEMBER_BLOCKS: Record<string, RegExp> = { 'run.sh': /^docker run -d \\\n --name=.*\n(?:.*\\\n)*.*\n\n?/gm };
const linesOf = (text: string) => text.split('\n').length - 1;
/** The members whose containers the folder of PATH runs: its compose file's container names. */
const membersBeside = (files: GeneratedFile[], path: string) =>
  [...(files.find((f) => f.path === `${folderOf(path)}docker-compose.yml`)?.content ?? '').matchAll(/^ {4}container_name: (\S+)$/gm)].length;
/** The probe every script asks a member with: bash's /dev/tcp, written once. */
const PROBE = `bash -c 'exec 3<>"/dev/tcp/$1/$2"`;

// At the largest ensembles zkgen takes, a script may also grow with the members by their data, as an
// operator would list it: a line a member (its status line, the case arm of its options, its docker
// rm), and in prepare.sh a line for each folder a member mounts. Besides those lines it is held to
// MAX_LINES. The data is told apart by growth: three members more (one on each of three machines),
// and each script grows by at most its allowance for each member added to what it lists. (A line a machine, in the scripts that print a command for each machine, stays
// well inside MAX_LINES at three machines; tls.sh at 85 machines is 237 lines.)
const LARGEST = 255;
const LINES_A_MEMBER: Record<string, number> = { 'prepare.sh': 8 };
const allowance = (path: string) => LINES_A_MEMBER[nameOf(path)] ?? 1;
/** Quorum TLS alone on one machine: 255 members with secure client ports would clash with the client ports. */
const crowded = (members: number) => ({ ...EVERYTHING, tls: { quorum: true }, servers: members });
const onThree = (members: number) => onMachines(Array.from({ length: members }, (_, i) => ['zk-a', 'zk-b', 'zk-c'][i % 3]!));
const ADDED = 3;
describe.each([
  ['one machine', crowded],
  ['three machines', onThree],
] as const)(`the scripts of ${LARGEST - ADDED} and ${LARGEST} members with every option on %s`, (_, ensembleOf) => {
  it(`grow by their members' lines alone, and besides those lines are each at most ${MAX_LINES} lines`, () => {
    const held = (f: GeneratedFile) => {
      const blocks = MEMBER_BLOCKS[nameOf(f.path)];
      return linesOf(blocks ? f.content.replace(blocks, '') : f.content);
    };
    const bundleOf = (members: number) => filesOf(ensembleOf(members));
    const [before, after] = [bundleOf(LARGEST - ADDED), bundleOf(LARGEST)];
    const lengthBefore = new Map(scriptsOf(before).map((f) => [f.path, held(f)]));
    const wrong = scriptsOf(after).flatMap((f) => {
      const lines = held(f);
      // The members the folder lists, and how many of them are new: every member at the top, a
      // machine's own (one of the three new) in hosts/<machine>/.
      const top = folderOf(f.path) === '';
      const [listed, added] = top ? [LARGEST, ADDED] : [membersBeside(after, f.path), 1];
      const growth = (lines - (lengthBefore.get(f.path) ?? 0)) / added;
      if (growth < 0 || growth > allowance(f.path) || !Number.isInteger(growth)) return [`${f.path}: ${growth} lines a member added`];
      const rest = lines - growth * listed;
      return rest > MAX_LINES ? [`${f.path}: ${rest} lines besides its members' lines`] : [];
    });
    expect(wrong).toEqual([]);
    expect(scriptsOf(after).length).toBeGreaterThan(5);
  });
});

describe.each(bundles)('the scripts of %s', (_, files) => {
  it(`are each at most ${MAX_LINES} lines, but for the blocks a script writes one per member`, () => {
    const long = scriptsOf(files).flatMap((f) => {
      const blocks = MEMBER_BLOCKS[nameOf(f.path)];
      if (!blocks) return linesOf(f.content) > MAX_LINES ? [`${f.path}: ${linesOf(f.content)} lines`] : [];
      // One block for each member the folder runs, and nothing else taken out.
      expect(f.content.match(blocks)?.length, f.path).toBe(membersBeside(files, f.path));
      const held = linesOf(f.content.replace(blocks, ''));
      return held > MAX_LINES ? [`${f.path}: ${held} lines besides its members' blocks`] : [];
    });
    expect(long).toEqual([]);
  });

  it('source each library from beside them, the same file in every folder; lib.sh alone writes the probe, the rolling restart and create', () => {
    for (const name of LIBRARIES) {
      const top = files.find((f) => f.path === name);
      const source = new RegExp(`^source (.*/|"?)${name.replace('.', '\\.')}"?$`, 'm');
      for (const script of scriptsOf(files).filter((f) => source.test(f.content))) {
        // A hosts/<machine>/ folder copied alone to its machine has what its scripts source.
        const beside = files.find((f) => f.path === `${folderOf(script.path)}${name}`);
        expect(beside?.content, `${script.path} sources ${name}`).toBe(top?.content);
        expect(beside?.executable, `${name} is sourced, not run`).toBe(false);
      }
    }
    // and create, the docker run of a member that rolling-restart.sh --recreate and a move start as
    // run.sh would (test/member-create.test.ts): each script says only its members' options.
    const writers = scriptsOf(files).filter((f) => f.content.includes(PROBE) || /^(roll|create)\(\)/m.test(f.content));
    expect(writers.map((f) => f.path)).toEqual(files.filter((f) => isLibrary(f.path)).map((f) => f.path));
  });

  it("ship the move's steps only beside a reconfigure.sh, which sources them", () => {
    const steps = /^(listed|lists|stuck|converge|reconfig|begin|finish|serves_as|sorted|refuse_stack|serving_of|refuse_elsewhere|need_filled|start_joining|reconfig_add|reconfig_remove|check_moved)\(\)/m;
    const writers = scriptsOf(files).filter((f) => steps.test(f.content));
    expect(writers.map((f) => nameOf(f.path))).toEqual(writers.map(() => MOVE_LIBRARY));
    const moves = scriptsOf(files).filter((f) => nameOf(f.path) === 'reconfigure.sh');
    expect(writers.map((f) => f.path)).toEqual(moves.map((f) => `${folderOf(f.path)}${MOVE_LIBRARY}`).sort());
    for (const move of moves) expect(move.content, move.path).toMatch(new RegExp(`^source lib\\.sh\n.*\nsource ${MOVE_LIBRARY.replace('.', '\\.')}$`, 'm'));
  });

  it("call the move's steps, each given what it needs, and write none of them out", () => {
    for (const move of scriptsOf(files).filter((f) => nameOf(f.path) === 'reconfigure.sh')) {
      // What the library's steps do: a reconfig, a wait on the ensemble, the Swarm stack's tasks,
      // a compose project's start. A move script only decides which step runs, and calls it.
      expect(move.content, move.path).not.toMatch(/^\s*(reconfig|converge|stuck) |docker (ps|service) |project_of /m);
      if (move.path === 'reconfigure.sh') {
        expect(move.content, move.path).toMatch(/^refuse_elsewhere "\$now" "\$\{names\[\$connect_to\]\}" "\$password_file"$/m);
        expect(move.content, move.path).toMatch(/^ {2}reconfig_add "\$add" "\$\{joining\[@\]\}"\n {2}now=\$\(listed\)\nfi\nif .*\n {2}reconfig_remove "\$remove"$/m);
        expect(move.content, move.path).toMatch(/^check_moved$/m);
      } else {
        expect(move.content, move.path).toMatch(/^start_joining "\$running_member" "\$\{joining\[@\]\}"$/m);
      }
    }
  });

  it("say status.sh's report once, in status-lib.sh beside every status.sh, which gives it all it needs as arguments", () => {
    const report = /^(format_of|srvr_value|record|json_string|json_number|json_latency|zxids_agree|show)\(\)/m;
    const writers = scriptsOf(files).filter((f) => report.test(f.content));
    const statuses = scriptsOf(files).filter((f) => nameOf(f.path) === 'status.sh');
    expect(statuses.length).toBeGreaterThan(0);
    expect(writers.map((f) => f.path)).toEqual(statuses.map((f) => `${folderOf(f.path)}${STATUS_LIBRARY}`).sort());
    const library = writers[0]?.content ?? '';
    for (const status of statuses) {
      expect(status.content, status.path).toMatch(/^source "\$\(dirname "\$0"\)\/lib\.sh"\n.*\nsource "\$\(dirname "\$0"\)\/status-lib\.sh"$/m);
      expect(status.content, status.path).toMatch(/^format=\$\(format_of "\$@"\) \|\| exit 2$/m);
      expect(status.content, status.path).toMatch(/^show "\$format" "\$ensemble_line" "\$quorum_failures" "\$zxid_bound"$/m);
      // What the script sets, the library reads only from its arguments: a local of its own.
      for (const [, name] of status.content.matchAll(/^([a-z_]+)=/gm)) {
        if (!new RegExp(`\\$\\{?${name}\\b`).test(library)) continue;
        expect(library, `${status.path} sets ${name}, which status-lib.sh reads`).toMatch(new RegExp(`^ +local\\b.*\\b${name}=\\$[1-9]`, 'm'));
      }
    }
  });

  it('restart members only through the library, which asks every member of the ensemble before each', () => {
    const restarts = scriptsOf(files).filter((f) => /(^|\/)(stack-)?rolling-restart\.sh$/.test(f.path));
    expect(restarts.length).toBeGreaterThan(0);
    const everyone = files.filter((f) => /^conf\/[^/]+\/myid$/.test(f.path)).length;
    for (const script of restarts) {
      expect(script.content, script.path).toMatch(/^roll "\$wait_seconds" restart /m);
      // names is the whole ensemble, wherever the script runs: the rolling restart checks it all.
      const names = /^names=\((.*)\)$/m.exec(script.content)?.[1]?.split(' ') ?? [];
      expect(names.length, script.path).toBe(everyone);
    }
  });
});

// Issue 21: a leaving observer under client TLS (its plaintext client port closed) was never
// stopped: the top-level reconfigure.sh looked for it at a port read out of its server line, which
// then holds `observer` where the client port would be, found nothing listening and ended "ok" with
// the container running. It asks the leaving member's secure client port, where it still listens.
describe('reconfigure.sh on several machines, a leaving observer under client TLS', () => {
  const servers = [{ host: '10.0.0.11' }, { host: '10.0.0.12' }, { host: '10.0.0.13' }];
  const ensemble = (more: object[]) => ({ image: 'zookeeper:3.9.4', reconfig: true, tls: { client: true, keys: '/data/tls' }, servers: [...servers, ...more] });
  const running = recordOfBundle(filesOf(ensemble([{ host: '10.0.0.14', role: 'observer' }])));
  const script = filesOf(ensemble([]), running).find((f) => f.path === 'reconfigure.sh')?.content ?? '';

  it('looks for it where it still listens, its secure client port, and prints its stop while it answers there', () => {
    expect(script).toMatch(/^leaving=\(zk4\)$/m);
    expect(script).toMatch(/^leaving_hosts=\(10\.0\.0\.14\)$/m);
    expect(script).toMatch(/^leaving_ports=\(2281\)$/m);
    expect(script).toMatch(/^ {2}if listening "\$\{leaving_hosts\[\$i\]\}" "\$\{leaving_ports\[\$i\]\}"; then$/m);
  });
});

// A partial sees only what it is given: the Handlebars parameters of its include, and no shell
// variable of the script that includes it (a library function takes such values as arguments).
// The move's partials that read reconfigure.sh's variables (where, steps, check) failed this.
describe('the shell partials', () => {
  const templates = join(ROOT, 'templates');
  const partials = readdirSync(templates).filter((f) => /^_.*\.sh\.hbs$/.test(f)).sort();

  it('include those the move scripts include', () => {
    const moves = readdirSync(templates).filter((f) => /^reconfigure.*\.sh\.hbs$/.test(f));
    const included = moves.flatMap((f) => [...readFileSync(join(templates, f), 'utf8').matchAll(/\{\{> *([\w.-]+)/g)].map((m) => `${m[1]}.hbs`));
    expect(included.length).toBeGreaterThan(0);
    expect(partials).toEqual(expect.arrayContaining(included));
  });

  it.each(partials)('%s reads no shell variable it does not set itself', (partial) => {
    const text = readFileSync(join(templates, partial), 'utf8').replace(/^\s*#.*$/gm, '');
    const set = new Set([
      ...[...text.matchAll(/(?:^|[\s;(])(?:local +)?([A-Za-z_]\w*)(?:\+?=|\(\) *\{)/gm)].map((m) => m[1]),
      ...[...text.matchAll(/\bfor +([A-Za-z_]\w*) +in\b/g)].map((m) => m[1]),
      ...[...text.matchAll(/\bread +(?:-\w+ +)*([\w ]+)/g)].flatMap((m) => (m[1] ?? '').trim().split(/ +/)),
    ]);
    const read = [...text.matchAll(/\$\{?[#!]?([A-Za-z_]\w*)/g)].map((m) => m[1]);
    expect([...new Set(read.filter((name) => !set.has(name)))]).toEqual([]);
  });
});
