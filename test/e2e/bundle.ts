// A bundle generated with the built CLI for a scenario, what its conf/ says, and status.sh's table.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli } from '../helpers.js';
import { parseProperties } from './config.js';

export interface Member {
  name: string;
  id: number;
}

export interface Bundle {
  /** The folder zkgen wrote (--out). */
  dir: string;
  /** The ensemble file it was generated from. */
  ensembleFile: string;
  /** Members in id order, read back from conf/<name>/myid. */
  members: Member[];
  /** What `zkgen connect-string` prints for the ensemble file. */
  connectString: string;
}

/** A fresh folder under /tmp for one scenario (short: unix socket paths stay well in bounds). */
export function scratchDir(label: string): string {
  return mkdtempSync(`/tmp/zkgen-e2e-${label}-`);
}

/**
 * Writes the ensemble to `<dir>/ensemble.json` and generates its bundle into `<dir>/<out>` with
 * the built CLI (`node dist/cli.js FILE --out DIR`), then asks it for the connect string.
 */
export function generate(ensemble: object, dir: string, out = 'bundle'): Bundle {
  mkdirSync(dir, { recursive: true });
  const ensembleFile = join(dir, 'ensemble.json');
  writeFileSync(ensembleFile, `${JSON.stringify(ensemble, null, 2)}\n`);
  const bundleDir = join(dir, out);
  const generated = runCli([ensembleFile, '--out', bundleDir]);
  if (generated.code !== 0) {
    throw new Error(`node ${CLI} ${ensembleFile} --out ${bundleDir} exited ${generated.code}:\n${generated.stderr}`);
  }
  const connect = runCli(['connect-string', ensembleFile]);
  if (connect.code !== 0) throw new Error(`zkgen connect-string exited ${connect.code}:\n${connect.stderr}`);
  return { dir: bundleDir, ensembleFile, members: readMembers(bundleDir), connectString: connect.stdout.trim() };
}

/** The members of a generated bundle, from its conf/ folder, in id order. */
export function readMembers(bundleDir: string): Member[] {
  return readdirSync(join(bundleDir, 'conf'))
    .map((name) => ({ name, id: Number(readFileSync(join(bundleDir, 'conf', name, 'myid'), 'utf8').trim()) }))
    .sort((a, b) => a.id - b.id);
}

/** The client ports of a connect string (`localhost:2181,localhost:2182` → [2181, 2182]). */
export function clientPorts(connectString: string): number[] {
  return connectString.split(',').map((address) => Number(address.slice(address.lastIndexOf(':') + 1)));
}

/** A member's client port, from its generated zoo.cfg: clientPort, or its server line's ";port". */
export function clientPortOf(bundle: Bundle, member: Member): number {
  const cfg = parseProperties(readFileSync(join(bundle.dir, 'conf', member.name, 'zoo.cfg'), 'utf8'));
  const direct = cfg.get('clientPort');
  if (direct) return Number(direct);
  const suffix = cfg.get(`server.${member.id}`)?.split(';')[1];
  if (!suffix) throw new Error(`conf/${member.name}/zoo.cfg names no client port`);
  return Number(suffix.slice(suffix.lastIndexOf(':') + 1));
}

// --- status.sh -------------------------------------------------------------------------------

export interface StatusRow {
  member: string;
  machine: string;
  container: string;
  mode: string;
  zxid: string;
}

/**
 * status.sh's table (its MEMBER MACHINE CONTAINER MODE ZXID … heading, then a row per member,
 * read by heading), one row per member; the ensemble's line after them is left out.
 */
export function parseStatus(stdout: string): StatusRow[] {
  const lines = stdout.split('\n').filter((line) => line.trim() && !line.startsWith('ensemble:'));
  const [heading, ...rows] = lines;
  const columns = heading?.trim().split(/\s+/) ?? [];
  if (!['MEMBER', 'MACHINE', 'CONTAINER', 'MODE', 'ZXID'].every((c) => columns.includes(c))) {
    throw new Error(`status.sh printed no MEMBER MACHINE CONTAINER MODE ZXID heading:\n${stdout}`);
  }
  return rows.map((line) => {
    const fields = line.trim().split(/\s+/);
    const at = (column: string) => fields[columns.indexOf(column)] ?? '';
    return { member: at('MEMBER'), machine: at('MACHINE'), container: at('CONTAINER'), mode: at('MODE'), zxid: at('ZXID') };
  });
}
