// What the templates see: the frozen Ensemble with each dialect's answers filled in, so that
// templates only place and quote values.
import { DIALECTS } from '../dialects/index.js';
import type { Ensemble, Member } from '../model.js';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** KEY=value, as `docker run -e` takes it. */
  readonly assignment: string;
}

export interface MemberView {
  readonly id: number;
  readonly name: string;
  readonly clientPort: number;
  /** host:clientPort, as a client connects to this member. */
  readonly clientAddress: string;
  /** host folder:container dataDir, as `docker run -v` and compose's short syntax take it. */
  readonly volume: string;
  readonly environment: readonly KeyValue[];
  readonly zooCfg: readonly KeyValue[];
  readonly zooCfgPath: string;
}

export interface EnsembleView {
  readonly image: string;
  readonly zkCli: string;
  readonly members: readonly MemberView[];
  /** Where the smoke test writes, and where it reads back: another member whenever there is one. */
  readonly writer: MemberView;
  readonly reader: MemberView;
}

const pairs = (list: ReadonlyArray<readonly [string, string]>): KeyValue[] =>
  list.map(([key, value]) => ({ key, value, assignment: `${key}=${value}` }));

export function clientAddress(member: Member): string {
  return `${member.host}:${member.ports.client}`;
}

export function buildView(ensemble: Ensemble): EnsembleView {
  const dialect = DIALECTS[ensemble.dialect];
  const members = ensemble.members.map(
    (m): MemberView => ({
      id: m.id,
      name: m.name,
      clientPort: m.ports.client,
      clientAddress: clientAddress(m),
      volume: `${m.dataDir}:${dialect.containerDataDir}`,
      environment: pairs(dialect.environment(m, ensemble)),
      zooCfg: pairs(dialect.zooCfg(m, ensemble)),
      zooCfgPath: dialect.zooCfgPath,
    }),
  );
  const writer = members[0]!;
  return { image: ensemble.image, zkCli: dialect.zkCli, members, writer, reader: members[1] ?? writer };
}
