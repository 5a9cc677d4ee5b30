// zkgen's pure core: load → validate (schema) → resolve → named rules → the move → render. The
// move, when the bundle written over is a running ensemble's, is a diff of its record and the
// resolved ensemble, checked by the move rules.
// No file system, no process, no globals: the CLI reads, writes and exits.
import { load, type Format } from './load.js';
import type { Ensemble, GeneratedFile, Problem } from './model.js';
import { render, type Output } from './render/index.js';
import { DIALECTS } from './dialects/index.js';
import { moveOf } from './reconfig.js';
import type { BundleRecord } from './record.js';
import { resolve } from './resolve.js';
import { connectStringOf } from './security.js';
import { checkRules } from './validate/rules.js';
import { validateSchema } from './validate/schema.js';

export type { Ensemble, GeneratedFile, Problem } from './model.js';
export type { Format } from './load.js';
export type { Output } from './render/index.js';
export { formatOf } from './load.js';
export type { BundleRecord } from './record.js';
export { parseRecord, RECORD } from './record.js';

export type Outcome<T> = ({ ok: true } & T & { warnings: Problem[] }) | { ok: false; errors: Problem[]; warnings: Problem[] };

/** The ensemble file's value, checked and resolved into the frozen model. */
function ensembleOf(value: unknown): Outcome<{ ensemble: Ensemble }> {
  const schema = validateSchema(value);
  if (schema.problems) return { ok: false, errors: schema.problems, warnings: [] };
  const resolved = resolve(schema.file);
  if (resolved.problems) return { ok: false, errors: resolved.problems, warnings: [] };
  const { errors, warnings } = checkRules(resolved.ensemble);
  // Advice about a working ensemble is noise next to the reasons it cannot work.
  if (errors.length > 0) return { ok: false, errors, warnings: [] };
  return { ok: true, ensemble: resolved.ensemble, warnings };
}

export interface GenerateOptions {
  /** Only these outputs (the manifest still lists the whole bundle). */
  readonly only?: readonly Output[];
  /** On several machines, of the files under hosts/ only this machine's (lower case, as `machines` lists it). */
  readonly machine?: string;
  /**
   * The record of the bundle the running ensemble was started from (the folder zkgen writes over,
   * read by parseRecord): when its members differ from the file's, the bundle comes with
   * reconfigure.sh, which moves the running ensemble to them — or the move's problems.
   */
  readonly running?: BundleRecord;
  /** The ensemble of `running` is not running: its members may change without a move. */
  readonly stopped?: boolean;
}

/**
 * Every file of the bundle (or only the outputs named), sorted by path, for an ensemble file's
 * value, and the machines its members run on: with several, each machine's compose file and
 * scripts are under hosts/<machine>/.
 */
export function generate(value: unknown, options: GenerateOptions = {}): Outcome<{ files: GeneratedFile[]; machines: readonly string[] }> {
  const checked = ensembleOf(value);
  if (!checked.ok) return checked;
  const e = checked.ensemble;
  const noReconfig = DIALECTS[e.dialect].noReconfig;
  const { transition, problems } = moveOf(options.running, e, { stopped: options.stopped ?? false, ...(noReconfig !== undefined && { noReconfig }) });
  if (problems.length > 0) return { ok: false, errors: problems, warnings: [] };
  return { ok: true, files: render(checked.ensemble, options.only, transition, options.machine), machines: checked.ensemble.machines, warnings: checked.warnings };
}

/** host:clientPort of every member, in id order: what a client is given to find the ensemble. */
export function connectString(value: unknown): Outcome<{ connectString: string }> {
  const checked = ensembleOf(value);
  if (!checked.ok) return checked;
  return { ok: true, connectString: connectStringOf(checked.ensemble), warnings: checked.warnings };
}

/** The bytes (or text) of an ensemble file → its value, or the problems that keep it from having one. */
export function parse(input: string | Uint8Array, format: Format): { ok: true; value: unknown } | { ok: false; errors: Problem[]; partial?: unknown } {
  const loaded = load(input, format);
  if (!loaded.problems) return { ok: true, value: loaded.value };
  return { ok: false, errors: loaded.problems, ...('partial' in loaded && { partial: loaded.partial }) };
}
