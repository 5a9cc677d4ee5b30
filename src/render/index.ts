// render: one renderer per output, each from the same view. A deployment target is a set of
// renderers, not a condition inside templates: an ensemble on one machine gets the one-machine
// bundle (the tutorial's files), one on several machines gets a folder per machine for what acts
// on that machine's containers, and at the top what spans the ensemble. The manifest lists the
// bundle. A caller that needs one output asks for it alone, and the others cost nothing.
import { MANIFEST, type Ensemble, type GeneratedFile } from '../model.js';
import { foldLongLines } from './fold.js';
import { renderTemplate } from './templates.js';
import { connectStringOf } from '../security.js';
import type { Transition } from '../reconfig.js';
import { RECORD, recordOf, recordText } from '../record.js';
import { MONITORING_FILES, prometheusView, rulesTestView, rulesView, targetsView } from '../monitoring.js';
import { backupView } from '../backup.js';
import { authView, buildView, machineMoveView, memberConfigViews, reconfigureView, superUserView, tlsView, type EnsembleView } from './view.js';

/**
 * One output's files. `machines` are those whose hosts/<machine>/ files are asked for: every
 * machine, or the one `--host` prints.
 */
type Renderer = (ensemble: Ensemble, view: () => EnsembleView, transition: Transition | undefined, machines: readonly string[]) => GeneratedFile[];
type TemplateName = Parameters<typeof renderTemplate>[0];

const file = (path: string, content: string, executable = false): GeneratedFile => ({ path, content, executable });
/** The script libraries: sourced by the bundle's scripts, never run, so not executable. */
const LIBRARY = 'lib.sh';
const BACKUP_LIBRARY = 'backup-lib.sh';
const MOVE_LIBRARY = 'reconfigure-lib.sh';
const STATUS_LIBRARY = 'status-lib.sh';
const LIBRARIES: readonly string[] = [LIBRARY, BACKUP_LIBRARY, MOVE_LIBRARY, STATUS_LIBRARY];
/**
 * A library that is the same text wherever it is: at the top, and in each of these machines'
 * hosts/<machine>/ (a folder copied alone to its machine keeps what its scripts source).
 */
const libraryCopies = (name: typeof LIBRARY | typeof MOVE_LIBRARY | typeof STATUS_LIBRARY, machines: readonly string[]): GeneratedFile[] => {
  const text = renderTemplate(name, {});
  return [name, ...machines.map((machine) => `hosts/${machine}/${name}`)].map((path) => rendered(path, text));
};
const executable = (path: string) => path.endsWith('.sh') && !LIBRARIES.includes(path.slice(path.lastIndexOf('/') + 1));
/** A rendered file as written: compose and stack files have their long values folded (fold.ts). */
const rendered = (path: string, text: string): GeneratedFile => file(path, path.endsWith('.yml') ? foldLongLines(text) : text, executable(path));

/** One file from one template, from the whole ensemble's view. */
const whole =
  (path: string, template: TemplateName = path as TemplateName): Renderer =>
  (_, view) => [rendered(path, renderTemplate(template, view()))];

/** The same file once per machine, under hosts/<machine>/, from that machine's members alone. */
const perMachine =
  (name: string): Renderer =>
  (ensemble, view, __, machines) =>
    machines.map((machine) => rendered(`hosts/${machine}/${name}`, renderTemplate(name as TemplateName, buildView(ensemble, machine, () => view().everyone))));

const both =
  (...renderers: Renderer[]): Renderer =>
  (ensemble, view, transition, machines) =>
    renderers.flatMap((r) => r(ensemble, view, transition, machines));

// Only with TLS or auth: the scripts that make the keys and the secrets, which never go into the
// bundle. They run on the machine that holds the keys folder (see docs/several-hosts.md and docs/security.md).
const tlsScript: Renderer = (ensemble) => (ensemble.tls ? [file('tls.sh', renderTemplate('tls.sh', tlsView(ensemble, ensemble.tls)), true)] : []);
const authScript: Renderer = (ensemble) => (ensemble.auth ? [file('auth.sh', renderTemplate('auth.sh', authView(ensemble, ensemble.auth)), true)] : []);

// backup.sh and restore.sh: the machine's members as every script sees them, and where their data
// is on the host (src/backup.ts). On several machines each machine backs up from its own members
// lays the restored data into its own members (restore-machine.sh) and starts them
// (start-restored.sh), each when the top-level restore.sh, which sees every member, says
// (restore-anywhere.sh).
const backupScript =
  (name: 'backup.sh' | 'restore.sh' | 'start-restored.sh', perMachine: boolean, template: TemplateName = name): Renderer =>
  (ensemble, _, __, machines) =>
    (perMachine ? machines : [undefined]).map((machine) =>
      file(
        machine === undefined ? name : `hosts/${machine}/${name}`,
        renderTemplate(template, { ...buildView(ensemble, machine), backup: backupView(ensemble, machine), ...(machine !== undefined && { machine }) }),
        true,
      ),
    );

// What backup.sh and the restore scripts share (the formatters of this image's ZooKeeper line), beside
// lib.sh: at the top, and on several machines in each hosts/<machine>/ too (its backup.sh and
// restore.sh source it there).
const backupLibrary =
  (perMachine: boolean): Renderer =>
  (ensemble, _, __, machines) => {
    const text = renderTemplate(BACKUP_LIBRARY, { backup: backupView(ensemble) });
    return [BACKUP_LIBRARY, ...(perMachine ? machines.map((machine) => `hosts/${machine}/${BACKUP_LIBRARY}`) : [])].map((path) => rendered(path, text));
  };

const superUserScript: Renderer = (ensemble) =>
  ensemble.reconfig ? [file('super-user.sh', renderTemplate('super-user.sh', superUserView(ensemble, ensemble.reconfig)), true)] : [];

// Only when the members change over a running ensemble's bundle: the move (reconfigure.sh) and the
// compose override it starts joining members with.
const move =
  (path: string, template: TemplateName, when: (t: Transition) => boolean = () => true): Renderer =>
  (ensemble, _, transition) =>
    transition && when(transition) ? [rendered(path, renderTemplate(template, reconfigureView(ensemble, transition)))] : [];
/** The machines with joining members: each runs its part of the move from its hosts/<machine>/. */
const joiningMachines = (transition: Transition, machines: readonly string[]) => machines.filter((machine) => transition.joining.some((s) => s.machine === machine));
/** On several machines, the part of the move each machine with joining members runs: under hosts/<machine>/. */
const moveOnMachines =
  (name: string, template: TemplateName): Renderer =>
  (ensemble, _, transition, machines) =>
    transition
      ? joiningMachines(transition, machines).map((machine) => rendered(`hosts/${machine}/${name}`, renderTemplate(template, machineMoveView(ensemble, transition, machine))))
      : [];
// The move's steps (listed, converge, reconfig, stuck…), which only reconfigure.sh sources after
// lib.sh: the same file beside every reconfigure.sh, at the top and, on several machines, in each
// hosts/<machine>/ that has one; a bundle without a move has none.
const moveLibrary =
  (perMachine: boolean): Renderer =>
  (_, __, transition, machines) =>
    transition ? libraryCopies(MOVE_LIBRARY, perMachine ? joiningMachines(transition, machines) : []) : [];
// What status.sh shows from the members' srvr answers (record, show), sourced after lib.sh: the same
// file beside every status.sh, at the top and, on several machines, in each hosts/<machine>/ (each
// has its containers' status.sh).
const statusLibrary =
  (perMachine: boolean): Renderer =>
  (_, __, ___, machines) =>
    libraryCopies(STATUS_LIBRARY, perMachine ? machines : []);
// The script library, the same file in every folder whose scripts source it.
const library =
  (perMachine: boolean): Renderer =>
  (_, __, ___, machines) =>
    libraryCopies(LIBRARY, perMachine ? machines : []);
// What the bundle is, as one typed value (src/record.ts): a later run reads it back from this folder
// to see a change of members, with where this bundle's move starts (a second run and --check give
// the same bytes).
const record: Renderer = (ensemble, _, transition) => [file(RECORD, recordText(recordOf(ensemble, transition?.from)))];

// What each member ends up running inside its container, because the tutorial names debugging
// as Docker's main drawback: one can read it without `docker exec`.
const conf: Renderer = (ensemble) =>
  memberConfigViews(ensemble).flatMap((m) => [file(`conf/${m.name}/myid`, renderTemplate('myid', m)), file(`conf/${m.name}/zoo.cfg`, renderTemplate('zoo.cfg', m))]);

// Only with metrics: monitoring/, for a Prometheus that reaches every member — the whole
// ensemble's, on one machine or several (src/monitoring.ts): its configuration, the targets file
// it discovers the members by, the alert rules and their promtool tests.
const monitoring: Renderer = (ensemble) => {
  if (!ensemble.metrics) return [];
  const views: ReadonlyArray<readonly [string, object]> = [
    [MONITORING_FILES.config, prometheusView()],
    [MONITORING_FILES.targets, targetsView(ensemble)],
    [MONITORING_FILES.rules, rulesView(ensemble)],
    [MONITORING_FILES.tests, rulesTestView(ensemble)],
  ];
  // Not folded like compose files: a PromQL expression cut in the middle is hard to read or edit.
  return views.map(([name, view]) => file(`monitoring/${name}`, renderTemplate(name as TemplateName, view)));
};

/** Every member on this machine: today's bundle, the tutorial's files byte for byte. */
const ONE_MACHINE = {
  'docker-compose.yml': whole('docker-compose.yml'),
  'run.sh': whole('run.sh'),
  'status.sh': whole('status.sh'),
  'smoke-test.sh': whole('smoke-test.sh'),
  'rolling-restart.sh': whole('rolling-restart.sh'),
  'remove.sh': whole('remove.sh'),
  'backup.sh': backupScript('backup.sh', false),
  'restore.sh': backupScript('restore.sh', false),
  [LIBRARY]: library(false),
  [BACKUP_LIBRARY]: backupLibrary(false),
  [MOVE_LIBRARY]: moveLibrary(false),
  [STATUS_LIBRARY]: statusLibrary(false),
  'tls.sh': tlsScript,
  'auth.sh': authScript,
  'super-user.sh': superUserScript,
  'reconfigure.sh': move('reconfigure.sh', 'reconfigure.sh'),
  'reconfigure-compose.yml': move('reconfigure-compose.yml', 'reconfigure-compose.yml', (t) => t.joining.length > 0),
  [RECORD]: record,
  conf,
  monitoring,
} satisfies Record<string, Renderer>;

/**
 * Members on several machines: hosts/<machine>/ holds what acts on that machine's containers
 * (compose file, run.sh, remove.sh, rolling-restart.sh, its containers' status.sh, prepare.sh,
 * backup.sh, restore.sh, start-restored.sh); the top holds what spans the ensemble and runs from any machine that
 * reaches the members (status.sh over TCP, restore.sh, which tells each machine when to act,
 * smoke-test.sh in a throwaway container, the connect string, conf/, and the
 * Swarm stack with its rolling restart).
 */
const SEVERAL_MACHINES = {
  'docker-compose.yml': perMachine('docker-compose.yml'),
  'run.sh': perMachine('run.sh'),
  'remove.sh': perMachine('remove.sh'),
  'rolling-restart.sh': perMachine('rolling-restart.sh'),
  'prepare.sh': perMachine('prepare.sh'),
  'backup.sh': backupScript('backup.sh', true),
  'restore.sh': both(backupScript('restore.sh', false, 'restore-anywhere.sh'), backupScript('restore.sh', true, 'restore-machine.sh')),
  'start-restored.sh': backupScript('start-restored.sh', true),
  'status.sh': both(perMachine('status.sh'), whole('status.sh', 'status-over-tcp.sh')),
  'smoke-test.sh': whole('smoke-test.sh', 'smoke-test-anywhere.sh'),
  'stack.yml': whole('stack.yml'),
  'stack-rolling-restart.sh': whole('stack-rolling-restart.sh'),
  'connect-string': (ensemble) => [file('connect-string', `${connectStringOf(ensemble)}\n`)],
  [LIBRARY]: library(true),
  [BACKUP_LIBRARY]: backupLibrary(true),
  [MOVE_LIBRARY]: moveLibrary(true),
  [STATUS_LIBRARY]: statusLibrary(true),
  'tls.sh': tlsScript,
  'auth.sh': authScript,
  'super-user.sh': superUserScript,
  // A move: run at the top where super-user.sh ran; it prints what each machine runs (its
  // hosts/<machine>/reconfigure.sh, which starts its joining members), and the leaving members'
  // stop and remove on their machines, which may have no folder left in the bundle.
  'reconfigure.sh': both(move('reconfigure.sh', 'reconfigure-anywhere.sh'), moveOnMachines('reconfigure.sh', 'reconfigure-machine.sh')),
  'reconfigure-compose.yml': moveOnMachines('reconfigure-compose.yml', 'reconfigure-compose.yml'),
  [RECORD]: record,
  conf,
  monitoring,
} satisfies Record<string, Renderer>;

const MANIFEST_HEADER = [
  `# ${MANIFEST}: the files zkgen wrote in this folder, one path a line.`,
  '# zkgen FILE --out replaces this folder only while it holds nothing but these files.',
];

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function manifest(paths: readonly string[]): GeneratedFile {
  const listed = [...paths, MANIFEST].sort(byPath);
  return file(MANIFEST, `${[...MANIFEST_HEADER, ...listed].join('\n')}\n`);
}

export type Output = keyof typeof ONE_MACHINE | keyof typeof SEVERAL_MACHINES | typeof MANIFEST;

/**
 * The bundle's files, or only the outputs asked for; with `machine`, of the files under hosts/
 * only that machine's (what `--host` prints needs no other machine's). The manifest lists the
 * whole bundle either way.
 */
export function render(ensemble: Ensemble, only?: readonly Output[], transition?: Transition, machine?: string): GeneratedFile[] {
  const target: Partial<Record<Output, Renderer>> = ensemble.machines.length > 1 ? SEVERAL_MACHINES : ONE_MACHINE;
  const machines = machine === undefined ? ensemble.machines : ensemble.machines.filter((m) => m === machine);
  let built: EnsembleView | undefined;
  const view = () => (built ??= buildView(ensemble));
  const done = new Map<Output, GeneratedFile[]>();
  const filesOf = (name: Output): GeneratedFile[] => {
    let files = done.get(name);
    if (files === undefined) {
      // The manifest lists the whole bundle, whatever else was asked for.
      const all = machine === undefined ? filesOf : (output: Output) => render(ensemble, [output], transition);
      files =
        name === MANIFEST
          ? [manifest((Object.keys(target) as Output[]).flatMap(all).map((f) => f.path))]
          : (target[name]?.(ensemble, view, transition, machines) ?? []);
      done.set(name, files);
    }
    return files;
  };
  const outputs = only ?? [...(Object.keys(target) as Output[]), MANIFEST];
  return outputs.flatMap(filesOf).sort((a, b) => byPath(a.path, b.path));
}
