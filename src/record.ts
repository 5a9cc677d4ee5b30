// The bundle's record (zkgen-bundle.json): what a bundle is, as one typed value zkgen writes into
// every bundle and reads back from the folder it writes over — its members (id, name, host, machine,
// role, ports), the image, where members listen, TLS, SASL and reconfiguration, and where the move it
// carries starts. Its type is schema/bundle-record.schema.json's (scripts/build-assets.mjs), and a
// record read back is validated against the same schema: what a move compares (src/reconfig.ts) is
// two values of that type, never the text of a generated script or zoo.cfg.
import { validate } from './generated/validate-record.js';
import type { BundleMember, BundleRecord } from './generated/bundle-record.js';
import type { Ensemble, Member } from './model.js';

export type { BundleMember, BundleRecord } from './generated/bundle-record.js';

/** The record's path in the bundle. */
export const RECORD = 'zkgen-bundle.json';

/** The version of the record's format this zkgen writes and reads. */
const RECORD_FORMAT = 1;

/** A member as the record says it: its ports in zkgen's order (PORT_KINDS), only those it binds. */
export function bundleMember(member: Member): BundleMember {
  const { client, peer, election, admin, metrics, secureClient } = member.ports;
  return {
    id: member.id,
    name: member.name,
    host: member.host,
    machine: member.machine,
    role: member.role,
    ports: { client, peer, election, ...(admin !== undefined && { admin }), ...(metrics !== undefined && { metrics }), ...(secureClient !== undefined && { secureClient }) },
  };
}

/** The record of the ensemble's bundle; `from`, the members the move it carries starts from. */
export function recordOf(ensemble: Ensemble, from?: readonly BundleMember[]): BundleRecord {
  return {
    format: RECORD_FORMAT,
    image: ensemble.image,
    listen: ensemble.listen,
    ...(ensemble.tls && { tls: { ...ensemble.tls } }),
    ...(ensemble.auth && { auth: { ...ensemble.auth } }),
    ...(ensemble.reconfig && { reconfig: { ...ensemble.reconfig } }),
    members: ensemble.members.map(bundleMember),
    ...(from && { move: { from: [...from] } }),
  };
}

/** The record as the bundle holds it. */
export const recordText = (record: BundleRecord): string => `${JSON.stringify(record, null, 2)}\n`;

/**
 * A record read back, or why it is not one (a sentence, for one line): not JSON, another format's
 * version, or not what the schema says.
 */
export function parseRecord(text: string): { ok: true; record: BundleRecord } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'is not JSON' };
  }
  const format = typeof value === 'object' && value !== null && 'format' in value ? value.format : undefined;
  if (format !== RECORD_FORMAT) {
    return { ok: false, problem: `is not a record of format ${RECORD_FORMAT} (its format: ${format === undefined ? 'none' : JSON.stringify(format)})` };
  }
  if (!validate(value)) {
    const [first] = validate.errors ?? [];
    return { ok: false, problem: `does not match ${RECORD}'s schema${first ? ` at ${first.instancePath || '/'}: ${first.message ?? first.keyword}` : ''}` };
  }
  return { ok: true, record: value };
}
