// What the templates see: the frozen Ensemble with each dialect's answers filled in, so that
// templates only place and quote values.
import { DIALECTS } from '../dialects/index.js';
import type { Ensemble, Member } from '../model.js';
import { sh } from '../quote.js';
import { clientAddress, JAAS_FILE, plaintextClientOpen, probeOf, subjectAltNames, TLS_FILES, type Probe } from '../security.js';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** KEY=value, as `docker run -e` takes it. */
  readonly assignment: string;
}

export interface MemberView {
  readonly name: string;
  readonly role: string;
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
  /** host folder:container folder, as `docker run -v` and compose's short syntax take them. */
  readonly volumes: readonly string[];
  /** The member's own environment: what is not ensemble-wide. */
  readonly environment: readonly KeyValue[];
  /** The health check: bash inside the container asks the member `srvr`. */
  readonly probe: string;
  /** The same, as one command line for `docker run --health-cmd` (run by /bin/sh). */
  readonly probeCommandLine: string;
}

export interface HealthView {
  readonly interval: string;
  readonly timeout: string;
  readonly retries: number;
  readonly startPeriod: string;
}

export interface EnsembleView {
  readonly image: string;
  /** The environment every member shares (the server list), written once. */
  readonly sharedEnvironment: readonly KeyValue[];
  readonly zkCli: readonly string[];
  /** `docker exec -e` assignments zkCli needs (a TLS client's flags), or none. */
  readonly zkCliEnvironment: readonly KeyValue[];
  readonly members: readonly MemberView[];
  readonly restart?: string;
  readonly health?: HealthView;
  /** Where the smoke test writes, and where it reads back: another member whenever there is one. */
  readonly writer: MemberView;
  readonly reader: MemberView;
}

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

/**
 * Healthy only while the member serves: `srvr` reports a mode (leader, follower, observer,
 * standalone) only with a quorum, unlike `ruok`. The images ship bash but no netcat, so bash's
 * /dev/tcp asks.
 */
export function probe({ host, port, request }: Probe): string {
  if (request === 'srvr') {
    return `exec 3<>/dev/tcp/${host}/${port} && printf srvr >&3 && while read -r line; do case $line in "Mode: "*) exit 0 ;; esac; done <&3; exit 1`;
  }
  // The AdminServer's srvr answers with the server's stats, server_state among them, only while
  // the member serves.
  return `exec 3<>/dev/tcp/${host}/${port} && printf "${request}" >&3 && while read -r line; do case $line in *server_state*) exit 0 ;; esac; done <&3; exit 1`;
}

// A member starting over its data can take a while to load its snapshot: failures in the first
// half minute do not count.
const HEALTH: HealthView = { interval: '5s', timeout: '3s', retries: 3, startPeriod: '30s' };

export function buildView(ensemble: Ensemble): EnsembleView {
  const dialect = DIALECTS[ensemble.dialect];
  const members = ensemble.members.map((m): MemberView => {
    const asked = probeOf(m, ensemble);
    const check = probe(asked);
    const clientPort = plaintextClientOpen(ensemble) ? m.ports.client : m.ports.secureClient!;
    return {
      name: m.name,
      role: m.role,
      clientPort,
      probeHost: asked.host,
      probePort: asked.port,
      probeRequest: asked.request,
      probeAddress: `${asked.host}:${clientPort}`,
      clientAddress: clientAddress(m, ensemble),
      volumes: dialect.volumes(m, ensemble).map(([host, container]) => `${host}:${container}`),
      environment: pairs(dialect.environment(m, ensemble)),
      probe: check,
      probeCommandLine: `bash -c ${sh(check)}`,
    };
  });
  // Read back through a participant other than the writer when there is one.
  const writer = members[0]!;
  const reader = members.slice(1).find((m) => m.role === 'participant') ?? members[1] ?? writer;
  return {
    image: ensemble.image,
    sharedEnvironment: pairs(dialect.sharedEnvironment(ensemble)),
    zkCli: dialect.zkCli,
    zkCliEnvironment: plaintextClientOpen(ensemble) ? [] : pairs(dialect.zkCliEnvironment?.() ?? []),
    members,
    ...(ensemble.restart !== undefined && { restart: ensemble.restart }),
    ...(ensemble.healthcheck && { health: HEALTH }),
    writer,
    reader,
  };
}

/** What tls.sh sees: the keys folder, the user who must read them, each member's names for its certificate. */
export interface TlsView {
  readonly keys: string;
  readonly owner: string;
  readonly files: typeof TLS_FILES;
  readonly members: ReadonlyArray<{ readonly name: string; readonly altNames: string }>;
}

export function tlsView(ensemble: Ensemble): TlsView {
  return {
    keys: ensemble.tls!.keys,
    owner: DIALECTS[ensemble.dialect].tlsOwner ?? '0',
    files: TLS_FILES,
    members: ensemble.members.map((m) => ({ name: m.name, altNames: subjectAltNames(m) })),
  };
}

/** What auth.sh sees: the secrets folder, the user who must read it, the JAAS file's name. */
export function authView(ensemble: Ensemble): { secrets: string; owner: string; jaasFile: string } {
  return { secrets: ensemble.auth!.secrets, owner: DIALECTS[ensemble.dialect].tlsOwner ?? '0', jaasFile: JAAS_FILE };
}
