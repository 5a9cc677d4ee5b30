// What the templates see: the frozen Ensemble with each dialect's answers filled in, so that
// templates only place and quote values.
import { DIALECTS } from '../dialects/index.js';
import type { Mount } from '../dialects/types.js';
import { PREPARE_SERVICE, type Ensemble, type Member, type RestartPolicy } from '../model.js';
import { sh } from '../quote.js';
import { RECONFIG_FILES, RECONFIG_MOUNT, SUPER_USER, type Transition } from '../reconfig.js';
import type { BundleMember } from '../record.js';
import { clientAddress, clientEndpoint, clientPortOf, JAAS_FILE, plaintextClientOpen, probeOf, subjectAltNames, TLS_FILES, type Probe } from '../security.js';
import { longestStackName } from '../swarm.js';
import { failuresThatLoseQuorum, serverLine } from '../zookeeper.js';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** KEY=value, as `docker run -e` takes it. */
  readonly assignment: string;
}

export interface MemberView {
  readonly name: string;
  readonly role: string;
  /** Its address, where other machines reach it. */
  readonly host: string;
  /** The machine it runs on (hosts/<machine>/, the Swarm node label's value). */
  readonly machine: string;
  /** The Swarm placement constraint that pins it to its machine's node. */
  readonly placement: string;
  /** The port clients use: the plaintext one, or the secure one once that is closed. */
  readonly clientPort: number;
  /** Where and how scripts and health checks ask the member's mode inside its container (src/security.ts). */
  readonly probeHost: string;
  readonly probePort: number;
  readonly probeRequest: string;
  /** probeHost:clientPort, as zkCli inside the container connects. */
  readonly probeAddress: string;
  /** host:clientPort, as a client connects to this member. */
  readonly clientAddress: string;
  /** host folder:container folder[:ro], as `docker run -v` and compose's short syntax take them. */
  readonly volumes: readonly string[];
  /** The host folders of those volumes, to create before the container starts. */
  readonly folders: readonly string[];
  /**
   * The host folders it mounts read-only (its TLS keys, the auth secrets): made by tls.sh or
   * auth.sh, never created empty — they must be on its machine before it starts.
   */
  readonly readOnlyFolders: readonly string[];
  /** The member's own environment: what is not ensemble-wide. */
  readonly environment: readonly KeyValue[];
  /** The health check: bash inside the container asks the member `srvr`. */
  readonly probe: string;
  /** The same as the words of a command, placed as the command line `docker run --health-cmd` hands to /bin/sh (src/quote.ts's sh). */
  readonly probeCommand: readonly string[];
}

export interface HealthView {
  readonly interval: string;
  readonly timeout: string;
  readonly retries: number;
  readonly startPeriod: string;
}

/**
 * The folders to hand to the image's user before any member starts, when its image runs without
 * root and never changes a folder's owner itself: Docker creates a missing host folder owned by
 * root, which such a member cannot write to. A throwaway container of the same image, run as root,
 * does it, so the host needs no sudo. Said once here for run.sh and the compose file.
 */
export interface PrepareView {
  /** The compose service that does it, which every member waits for. */
  readonly service: string;
  /** The uid that must own the folders. */
  readonly owner: number;
  /** host folder:container folder, each host folder of every member under /zkgen/<n>. */
  readonly volumes: readonly string[];
  /** The command inside the container: chown, the owner, each container folder. */
  readonly command: readonly string[];
}

export interface EnsembleView {
  readonly image: string;
  /** The machines members run on; with several, `docker node update` labels one node per machine. */
  readonly machines: readonly string[];
  /** `zkgen.host=<machine>`, the label of each machine's Swarm node, in machine order. */
  readonly nodeLabels: readonly string[];
  /** Swarm's restart condition, from the ensemble's restart policy. */
  readonly stackRestart: string;
  /** The most characters a stack's name may have, so that each member's service name fits Swarm's (src/swarm.ts). */
  readonly stackNameMax: number;
  /** The step that hands data folders to the image's user before the members start, when needed. */
  readonly prepare?: PrepareView;
  /** The uid the image runs ZooKeeper as: who must read the members' read-only mounts (keys, secrets). */
  readonly readsAs: string;
  /** The environment every member shares (the server list), written once. */
  readonly sharedEnvironment: readonly KeyValue[];
  readonly zkCli: readonly string[];
  /** Seconds a rolling restart lets a member stop before Docker kills it (the dialect's). */
  readonly stopTimeout: number;
  /** `docker exec -e` assignments zkCli needs (a TLS client's flags), or none. */
  readonly zkCliEnvironment: readonly KeyValue[];
  /**
   * A zkCli of its own (a throwaway container, for what spans machines) with what the writer's
   * container reads for TLS and authentication: its read-only key and secret mounts, and the
   * environment that points zkCli at them. Empty without TLS or authentication.
   */
  readonly clientMounts: readonly string[];
  readonly clientEnvironment: readonly KeyValue[];
  readonly members: readonly MemberView[];
  /** Every member of the ensemble, on every machine: what a rolling restart asks before each restart. */
  readonly everyone: readonly MemberView[];
  /**
   * Where scripts ask a member its mode: inside its own container on one machine (as status.sh
   * does), over TCP from here on several (where the other machines' members are reached).
   */
  readonly probeFrom: 'container' | 'here';
  /** What status.sh needs beyond the members: see StatusView. */
  readonly status: StatusView;
  readonly restart?: string;
  readonly health?: HealthView;
  /** Where the smoke test writes, and where it reads back: another member whenever there is one. */
  readonly writer: MemberView;
  readonly reader: MemberView;
  /**
   * Whether a value run.sh places ends, or has a ' right after, in a backslash: quoted right, but
   * shellcheck takes a backslash before a closing single quote for a mistaken escape, so run.sh
   * tells it (only then: the tutorial's run.sh stays the tutorial's).
   */
  readonly backslashes: boolean;
}

/**
 * status.sh's facts about the whole ensemble: how many participants failing lose the quorum (with
 * groups and weights, the fewest: status.sh's "tolerates" is then a lower bound), how many
 * transactions a member's last zxid may be behind the highest and still agree — members asked
 * one after the other see a busy ensemble move on meanwhile — and whether the members shown are
 * the whole ensemble ("yes") or one machine's ("no": no ensemble line).
 */
export interface StatusView {
  readonly quorumFailures: number;
  readonly zxidBound: number;
  readonly ensembleLine: 'yes' | 'no';
}
const ZXID_BOUND = 1000;

const pairs = (list: ReadonlyArray<readonly [string, string]>): KeyValue[] => list.map(([key, value]) => ({ key, value, assignment: `${key}=${value}` }));

/** What conf/<member>/ shows: the member's settings as its image writes them. Built only for --out. */
export interface MemberConfigView {
  readonly id: number;
  readonly name: string;
  readonly zooCfg: readonly KeyValue[];
  readonly zooCfgPath: string;
}

export function memberConfigViews(ensemble: Ensemble): MemberConfigView[] {
  const dialect = DIALECTS[ensemble.dialect];
  return ensemble.members.map((m) => ({ id: m.id, name: m.name, zooCfg: pairs(dialect.zooCfg(m, ensemble)), zooCfgPath: dialect.zooCfgPath }));
}


/** The Swarm node label that places a machine's members, as key and value. */
const NODE_LABEL = 'zkgen.host';

// Swarm knows no "unless-stopped" (a service is stopped by scaling or removing it) and no "no"
// (it is "none"); an ensemble that says nothing still wants its members back after a failure.
const STACK_RESTART: Record<RestartPolicy, string> = { no: 'none', 'on-failure': 'on-failure', always: 'any', 'unless-stopped': 'any' };

/**
 * Healthy only while the member serves: `srvr` reports a mode (leader, follower, observer,
 * standalone) only with a quorum, unlike `ruok`. The images ship bash but no netcat, so bash's
 * /dev/tcp asks.
 */
function probe({ host, port, request }: Probe): string {
  // A bash program: the host goes in as bash reads a word (validated hosts need no quotes, so
  // sh() leaves them bare; it is here so that nothing reaches a script unquoted).
  const address = `/dev/tcp/${sh(host)}/${port}`;
  if (request === 'srvr') {
    return `exec 3<>${address} && printf srvr >&3 && while read -r line; do case $line in "Mode: "*) exit 0 ;; esac; done <&3; exit 1`;
  }
  // The AdminServer's srvr answers with the server's stats, server_state among them, only while
  // the member serves.
  return `exec 3<>${address} && printf "${request}" >&3 && while read -r line; do case $line in *server_state*) exit 0 ;; esac; done <&3; exit 1`;
}

// A member starting over its data can take a while to load its snapshot: failures in the first
// half minute do not count.
const HEALTH: HealthView = { interval: '5s', timeout: '3s', retries: 3, startPeriod: '30s' };

function prepareView(ensemble: Ensemble, members: readonly Member[]): PrepareView | undefined {
  const dialect = DIALECTS[ensemble.dialect];
  if (dialect.dataOwner === undefined) return undefined;
  const folders = members.flatMap((m) => dialect.volumes(m, ensemble).filter((v) => !v.readOnly).map((v) => v.host));
  const inside = folders.map((_, i) => `/zkgen/${i}`);
  return {
    service: PREPARE_SERVICE,
    owner: dialect.dataOwner,
    volumes: folders.map((host, i) => `${host}:${inside[i]}`),
    // Only the folders themselves: what a member writes inside them is already its user's.
    command: ['chown', String(dialect.dataOwner), ...inside],
  };
}

/** The members on `machine`, or all of them, in id order. */
const membersOn = (ensemble: Ensemble, machine?: string) => ensemble.members.filter((m) => machine === undefined || m.machine === machine);

/** host folder:container folder[:ro], as `docker run -v` and compose's short syntax take a mount. */
const volume = (v: Mount) => `${v.host}:${v.container}${v.readOnly ? ':ro' : ''}`;

/** Each member as the templates see it, in id order. */
function memberViews(ensemble: Ensemble, machine?: string): MemberView[] {
  const dialect = DIALECTS[ensemble.dialect];
  return membersOn(ensemble, machine).map((m): MemberView => {
    const asked = probeOf(m, ensemble);
    const check = probe(asked);
    const clientPort = clientPortOf(m, ensemble);
    const volumes = dialect.volumes(m, ensemble);
    return {
      name: m.name,
      role: m.role,
      host: m.host,
      machine: m.machine,
      placement: `node.labels.${NODE_LABEL} == ${m.machine}`,
      clientPort,
      probeHost: asked.host,
      probePort: asked.port,
      probeRequest: asked.request,
      probeAddress: `${asked.host}:${clientPort}`,
      clientAddress: clientAddress(m, ensemble),
      volumes: volumes.map(volume),
      folders: volumes.filter((v) => !v.readOnly).map((v) => v.host),
      readOnlyFolders: volumes.filter((v) => v.readOnly).map((v) => v.host),
      environment: pairs(dialect.environment(m, ensemble)),
      probe: check,
      probeCommand: ['bash', '-c', check],
    };
  });
}

/**
 * What the templates see. With `machine`, the members are that machine's alone (its compose file
 * and scripts), while what every member is told alike — the server list — and `everyone` are
 * still the whole ensemble's: `everyone`, asked only by what needs it (a rolling restart), is the
 * whole ensemble's view's members, made once for every machine when the caller has them.
 */
export function buildView(ensemble: Ensemble, machine?: string, everyone: () => readonly MemberView[] = () => memberViews(ensemble)): EnsembleView {
  const dialect = DIALECTS[ensemble.dialect];
  const here = membersOn(ensemble, machine);
  const members = memberViews(ensemble, machine);
  // Read back through a participant other than the writer — on another machine when there is
  // one, so that the write has crossed the network — or else any other member.
  const [writer] = members;
  const [writerMember] = here;
  if (!writer || !writerMember) throw new Error(`zkgen bug: a view of ${machine ?? 'the ensemble'} without members`);
  const others = members.slice(1).filter((m) => m.role === 'participant');
  const reader = others.find((m) => m.machine !== writer.machine) ?? others[0] ?? members[1] ?? writer;
  // Only this machine's members' folders: another machine's are made there.
  const prepare = prepareView(ensemble, here);
  return {
    image: ensemble.image,
    ...(prepare && { prepare }),
    readsAs: dialect.tlsOwner ?? '0',
    machines: ensemble.machines,
    nodeLabels: ensemble.machines.map((x) => `${NODE_LABEL}=${x}`),
    stackRestart: STACK_RESTART[ensemble.restart ?? 'always'],
    stackNameMax: longestStackName(ensemble.members.map((m) => m.name)),
    sharedEnvironment: pairs(dialect.sharedEnvironment(ensemble)),
    zkCli: dialect.zkCli,
    stopTimeout: dialect.stopTimeout,
    zkCliEnvironment: plaintextClientOpen(ensemble) ? [] : pairs(dialect.zkCliEnvironment?.() ?? []),
    // The keys and secrets a client reads; the super user's JVM argument file is the servers'
    // alone (and on a machine without it, Docker would make an empty folder for the mount).
    clientMounts: dialect
      .volumes(writerMember, ensemble)
      .filter((v) => v.readOnly && v.container !== RECONFIG_MOUNT)
      .map(volume),
    clientEnvironment: [
      ...(plaintextClientOpen(ensemble) ? [] : pairs(dialect.zkCliEnvironment?.() ?? [])),
      // The JAAS file zkCli logs in with, when the ensemble has one.
      ...pairs(dialect.zkCliAuthEnvironment?.(ensemble) ?? []),
    ],
    members,
    get everyone() {
      return machine === undefined ? members : everyone();
    },
    probeFrom: ensemble.machines.length > 1 ? 'here' : 'container',
    status: {
      quorumFailures: failuresThatLoseQuorum(ensemble.members.filter((m) => m.role === 'participant')),
      zxidBound: ZXID_BOUND,
      ensembleLine: machine === undefined ? 'yes' : 'no',
    },
    ...(ensemble.restart !== undefined && { restart: ensemble.restart }),
    ...(ensemble.healthcheck && { health: HEALTH }),
    writer,
    reader,
    backslashes: closingBackslash([members, prepare, dialect.sharedEnvironment(ensemble)]),
  };
}

/** Whether a string in `value` has a backslash that sh() leaves just before a closing single quote: before a ' of its own, or at its end. */
function closingBackslash(value: unknown): boolean {
  if (typeof value === 'string') return /\\(?:'|$)/.test(value);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(closingBackslash);
  return false;
}

/**
 * What tls.sh sees: the keys folder, the user who must read them, each member's names for its
 * certificate, and, on several machines, what each machine must be given: its own members' folders
 * under the keys folder there (tls.sh prints a command line per machine to copy them).
 */
export interface TlsView {
  readonly keys: string;
  readonly owner: string;
  readonly files: typeof TLS_FILES;
  readonly members: ReadonlyArray<{ readonly name: string; readonly altNames: string }>;
  readonly machines: ReadonlyArray<{ readonly machine: string; readonly members: readonly string[] }>;
}

export function tlsView(ensemble: Ensemble, tls: NonNullable<Ensemble['tls']>): TlsView {
  return {
    keys: tls.keys,
    owner: DIALECTS[ensemble.dialect].tlsOwner ?? '0',
    files: TLS_FILES,
    members: ensemble.members.map((m) => ({ name: m.name, altNames: subjectAltNames(m) })),
    machines:
      ensemble.machines.length > 1
        ? ensemble.machines.map((machine) => ({ machine, members: ensemble.members.filter((m) => m.machine === machine).map((m) => m.name) }))
        : [],
  };
}

/**
 * What super-user.sh sees: the secrets folder, the user the members' JVM runs as, the files it
 * writes, and on several machines each machine (super-user.sh prints a copy of the server folder
 * per machine; the password stays).
 */
export function superUserView(ensemble: Ensemble, reconfig: NonNullable<Ensemble['reconfig']>) {
  return {
    secrets: reconfig.secrets,
    owner: DIALECTS[ensemble.dialect].tlsOwner ?? '0',
    superUser: SUPER_USER,
    files: RECONFIG_FILES,
    machines: ensemble.machines.length > 1 ? ensemble.machines : [],
  };
}

/**
 * What reconfigure.sh and its compose override see: the ensemble's view (for starting joining
 * members as run.sh and the compose file start any member), the move, and how to check each step.
 */
export interface ReconfigureView {
  readonly ensemble: EnsembleView;
  /** The members after the move, as every script sees them. */
  readonly members: readonly MemberView[];
  /** `id:role` of each member after the move and before it, as /zookeeper/config will list them. */
  readonly to: readonly string[];
  readonly from: readonly string[];
  /** The same once the new members are added and before the leaving ones are removed. */
  readonly added: readonly string[];
  readonly fromNames: readonly string[];
  /** Every member running before the move, on any machine: one that runs in a Swarm stack refuses the move. */
  readonly runningNames: readonly string[];
  /** The members that join, with the environment that starts them: the running members' server lines and their own. */
  readonly joining: readonly MemberView[];
  readonly joiningEnvironment: readonly KeyValue[];
  /** reconfig -add's list: joining members and those that change role, as `server.<id>=line`. */
  readonly add: string;
  /** The ids of the members that go (reconfig -remove's list), and their containers. */
  readonly removeIds: string;
  readonly leaving: readonly string[];
  /**
   * On several machines: each leaving member's machine (recorded where the move starts: it may
   * have none left in the new bundle) and the address its client port answers at while it runs.
   */
  readonly leavingMachines: readonly string[];
  readonly leavingHosts: readonly string[];
  readonly leavingPorts: readonly string[];
  /** On several machines: the machine of each joining member, whose hosts/<machine>/reconfigure.sh starts it. */
  readonly joiningMachines: readonly string[];
  /** The super user's password file on the host (super-user.sh's), and its user. */
  readonly passwordFile: string;
  readonly superUser: string;
}

export function reconfigureView(ensemble: Ensemble, transition: Transition): ReconfigureView {
  const dialect = DIALECTS[ensemble.dialect];
  if (!ensemble.reconfig || !dialect.serverList) throw new Error('zkgen bug: a move without reconfiguration');
  const view = buildView(ensemble);
  // Every member's line as the members' zoo.cfg has it (the move rules keep where the members that
  // stay listen for clients, so the file's settings say it for the running members too).
  const line = (s: BundleMember) => serverLine(s, '3.5', clientEndpoint(s, ensemble));
  const server = (s: BundleMember) => line(s).join('=');
  const joiningNames = new Set(transition.joining.map((s) => s.name));
  const running = [...transition.from, ...transition.joining].sort((a, b) => a.id - b.id);
  return {
    ensemble: view,
    members: view.members,
    to: transition.to.map((s) => `${s.id}:${s.role}`),
    added: [...transition.to, ...transition.leaving].sort((a, b) => a.id - b.id).map((s) => `${s.id}:${s.role}`),
    from: transition.from.map((s) => `${s.id}:${s.role}`),
    fromNames: transition.from.map((s) => s.name),
    runningNames: transition.from.map((s) => s.name),
    joining: view.members.filter((m) => joiningNames.has(m.name)),
    joiningEnvironment: pairs(dialect.serverList(running.map(line))),
    add: [...transition.joining, ...transition.changingRole].sort((a, b) => a.id - b.id).map(server).join(','),
    removeIds: transition.leaving.map((s) => s.id).join(','),
    leaving: transition.leaving.map((s) => s.name),
    leavingMachines: transition.leaving.map((s) => s.machine),
    leavingHosts: transition.leaving.map((s) => s.host),
    leavingPorts: transition.leaving.map((s) => String(clientPortOf(s, ensemble))),
    joiningMachines: view.members.filter((m) => joiningNames.has(m.name)).map((m) => m.machine),
    passwordFile: `${ensemble.reconfig.secrets}/${RECONFIG_FILES.password}`,
    superUser: SUPER_USER,
  };
}

/**
 * What one machine's part of a move on several machines sees (hosts/<machine>/reconfigure.sh and
 * its compose override): the move's view narrowed to that machine — its joining members, started
 * as its compose file and run.sh start any member, and the running members it may find there to
 * start them alike.
 */
export function machineMoveView(ensemble: Ensemble, transition: Transition, machine: string): ReconfigureView & { readonly machine: string } {
  const whole = reconfigureView(ensemble, transition);
  const view = buildView(ensemble, machine);
  const here = new Set(view.members.map((m) => m.name));
  return {
    ...whole,
    ensemble: view,
    members: whole.joining.filter((m) => here.has(m.name)),
    joining: whole.joining.filter((m) => here.has(m.name)),
    fromNames: transition.from.filter((s) => s.machine === machine).map((s) => s.name),
    machine,
  };
}

/** What auth.sh sees: the secrets folder, the user who must read it, the JAAS file's name. */
export interface AuthView {
  readonly secrets: string;
  readonly owner: string;
  readonly jaasFile: string;
  /** On several machines, each machine: every member reads the one JAAS file, so every machine needs it. */
  readonly machines: readonly string[];
}

export function authView(ensemble: Ensemble, auth: NonNullable<Ensemble['auth']>): AuthView {
  const owner = DIALECTS[ensemble.dialect].tlsOwner ?? '0';
  return {
    secrets: auth.secrets,
    owner,
    jaasFile: JAAS_FILE,
    machines: ensemble.machines.length > 1 ? ensemble.machines : [],
  };
}
