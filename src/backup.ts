// Backup and restore (backup.sh, restore.sh): where each member keeps its snapshots and
// transaction logs on the host, read off its dialect's mounts and zoo.cfg (never off the image's
// name), what an archive's manifest says, and how ZooKeeper's own formatters are run inside the
// image to read an archive back.
import { DIALECTS } from './dialects/index.js';
import type { Mount } from './dialects/types.js';
import type { Ensemble, Member } from './model.js';
import type { Setting } from './zookeeper.js';

/** The archive's manifest: its name inside the archive, and the first line that says it is zkgen's. */
const BACKUP_MANIFEST = 'zkgen-backup.txt';
const BACKUP_FORMAT = 'zkgen-backup 1';
/** Archives backup.sh makes: zkgen-backup-<UTC time>-<member>.tar.gz, so that a listing sorts them by time. */
const BACKUP_PREFIX = 'zkgen-backup-';
/**
 * On several machines, the file a machine's restore.sh leaves in each member's dataDir once it
 * has laid the data in: what it laid in, so that `--start` starts only members that hold it, and
 * a second run leaves them as they are.
 */
const RESTORE_MARKER = 'zkgen-restore.txt';

/** ZooKeeper's formatters (in every release's jar; TxnLogToolkit from 3.5, LogFormatter before it). */
const FORMATTERS = {
  snapshot: 'org.apache.zookeeper.server.SnapshotFormatter',
  log: 'org.apache.zookeeper.server.persistence.TxnLogToolkit',
  log34: 'org.apache.zookeeper.server.LogFormatter',
} as const;
/**
 * ZooKeeper's LogChopper (3.6 on): it reads a log entry by entry, checking each one's checksum, and
 * prints their count without their data, where a formatter prints every entry with its data.
 */
const LOG_CHOPPER = 'org.apache.zookeeper.server.util.LogChopper';

/** A member's data on the host: the folder ZooKeeper's dataDir is (myid, snapshots) and its dataLogDir (logs). */
interface DataLayout {
  /** The host folder of the member's dataDir: myid and version-2/snapshot.*. */
  readonly snapshots: string;
  /** The host folder of its dataLogDir: version-2/log.* (the same as snapshots without one). */
  readonly logs: string;
  /** The same, relative to the member's data folder (`dataRoot/<name>`): '' or a subfolder. */
  readonly snapshotsUnder: string;
  readonly logsUnder: string;
  /** The member's host folders that hold data, outermost only: what a restore moves aside. */
  readonly folders: readonly string[];
}

const valueOf = (settings: readonly Setting[], key: string) => settings.find(([k]) => k === key)?.[1];

/** The host folder a container path lies in, through the member's mounts. */
function onHost(mounts: readonly Mount[], inside: string, member: Member): string {
  const found = mounts
    .filter(({ container: c }) => inside === c || inside.startsWith(`${c}/`))
    .sort((a, b) => b.container.length - a.container.length)[0];
  if (!found) throw new Error(`zkgen bug: ${member.name}'s ${inside} is on no mount`);
  return found.host + inside.slice(found.container.length);
}

const under = (root: string, path: string) => (path === root ? '' : path.slice(root.length + 1));

function dataLayout(member: Member, ensemble: Ensemble): DataLayout {
  const dialect = DIALECTS[ensemble.dialect];
  const mounts = dialect.volumes(member, ensemble).filter((v) => !v.readOnly);
  const cfg = dialect.zooCfg(member, ensemble);
  const dataDir = valueOf(cfg, 'dataDir');
  if (dataDir === undefined) throw new Error(`zkgen bug: ${member.name}'s zoo.cfg has no dataDir`);
  const snapshots = onHost(mounts, dataDir, member);
  const logs = onHost(mounts, valueOf(cfg, 'dataLogDir') ?? dataDir, member);
  const hostFolders = mounts.map((v) => v.host);
  return {
    snapshots,
    logs,
    snapshotsUnder: under(member.dataDir, snapshots),
    logsUnder: under(member.dataDir, logs),
    folders: hostFolders.filter((f) => !hostFolders.some((o) => o !== f && f.startsWith(`${o}/`))),
  };
}

/** `id:name` of every member, in id order: what an archive must match to be laid into this bundle's members. */
const membersOf = (ensemble: Ensemble) => ensemble.members.map((m) => `${m.id}:${m.name}`).join(' ');

/** What backup.sh and restore.sh see, of the whole ensemble or one machine's members. */
export interface BackupView {
  readonly image: string;
  readonly zookeeper: string;
  readonly members: string;
  readonly manifest: string;
  readonly format: string;
  readonly prefix: string;
  readonly marker: string;
  /** With chopper, logs are read by LogChopper rather than printed whole by a formatter. */
  readonly formatters: typeof FORMATTERS & { readonly chopper?: string };
  readonly zooKeeperClass: readonly string[];
  /** The uid restored folders are given to, or none when the image hands its folders to its user itself. */
  readonly owner?: number;
  readonly snapshotsUnder: string;
  readonly logsUnder: string;
  /** Per member of the machine, arrays indexed alike. */
  readonly local: ReadonlyArray<{ readonly id: number; readonly name: string; readonly snapshots: string; readonly logs: string; readonly folders: readonly string[] }>;
}

export function backupView(ensemble: Ensemble, machine?: string): BackupView {
  const dialect = DIALECTS[ensemble.dialect];
  const here = ensemble.members.filter((m) => machine === undefined || m.machine === machine);
  const [first] = ensemble.members;
  if (!first) throw new Error('zkgen bug: an ensemble without members');
  const layout = dataLayout(first, ensemble);
  const { major, minor } = ensemble.release.zookeeper;
  return {
    image: ensemble.image,
    zookeeper: `${ensemble.release.zookeeper.major}.${ensemble.release.zookeeper.minor}`,
    members: membersOf(ensemble),
    manifest: BACKUP_MANIFEST,
    format: BACKUP_FORMAT,
    prefix: BACKUP_PREFIX,
    marker: RESTORE_MARKER,
    formatters: { ...FORMATTERS, ...((major > 3 || minor >= 6) && { chopper: LOG_CHOPPER }) },
    zooKeeperClass: dialect.zooKeeperClass,
    ...(dialect.dataOwner !== undefined && { owner: dialect.dataOwner }),
    snapshotsUnder: layout.snapshotsUnder,
    logsUnder: layout.logsUnder,
    local: here.map((m) => {
      const l = dataLayout(m, ensemble);
      return { id: m.id, name: m.name, snapshots: l.snapshots, logs: l.logs, folders: l.folders };
    }),
  };
}
