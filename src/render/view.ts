// What the templates see: the frozen Ensemble with each dialect's answers filled in, so that
// templates only place and quote values.
import { DIALECTS } from '../dialects/index.js';
import type { Ensemble, Member } from '../model.js';
import { sh } from '../quote.js';
import { probeAddress } from '../security.js';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** KEY=value, as `docker run -e` takes it. */
  readonly assignment: string;
}

export interface MemberView {
  readonly name: string;
  readonly role: string;
  readonly clientPort: number;
  /** The address scripts and health checks dial inside the member's container. */
  readonly probeHost: string;
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

export function clientAddress(member: Member): string {
  return `${member.host}:${member.ports.client}`;
}

/**
 * Healthy only while the member serves: `srvr` reports a mode (leader, follower, observer,
 * standalone) only with a quorum, unlike `ruok`. The images ship bash but no netcat, so bash's
 * /dev/tcp asks.
 */
export function probe(host: string, port: number): string {
  return `exec 3<>/dev/tcp/${host}/${port} && printf srvr >&3 && while read -r line; do case $line in "Mode: "*) exit 0 ;; esac; done <&3; exit 1`;
}

// A member starting over its data can take a while to load its snapshot: failures in the first
// half minute do not count.
const HEALTH: HealthView = { interval: '5s', timeout: '3s', retries: 3, startPeriod: '30s' };

export function buildView(ensemble: Ensemble): EnsembleView {
  const dialect = DIALECTS[ensemble.dialect];
  const members = ensemble.members.map((m): MemberView => {
    const host = probeAddress(m);
    const check = probe(host, m.ports.client);
    return {
      name: m.name,
      role: m.role,
      clientPort: m.ports.client,
      probeHost: host,
      probeAddress: `${host}:${m.ports.client}`,
      clientAddress: clientAddress(m),
      volumes: dialect.volumes(m).map(([host, container]) => `${host}:${container}`),
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
    members,
    ...(ensemble.restart !== undefined && { restart: ensemble.restart }),
    ...(ensemble.healthcheck && { health: HEALTH }),
    writer,
    reader,
  };
}
