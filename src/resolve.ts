// resolve: a schema-valid ensemble file → one explicit, frozen Ensemble. Every default is applied
// here and nowhere else: image and dialect, ids, names, roles, hosts, ports, data folders,
// settings. Problems that leave no model to build (an image no dialect speaks) are returned
// instead; everything else a model can express, even a clash, is left to the named rules.
import { DEFAULT_IMAGE, DIALECTS, dialectOfImage, knownImages } from './dialects/index.js';
import { atLeast, releaseOf } from './images.js';
import { PORT_KINDS, type Ensemble, type EnsembleFile, type Member, type MemberEntry, type Origin, type PortKind, type Ports, type Problem } from './model.js';
import { machineOfHost } from './machine.js';
import { pointer, quoted } from './pointer.js';

const DEFAULTS = Object.freeze({
  host: 'localhost',
  dataRoot: '/data',
  ports: Object.freeze({ client: 2181, peer: 2888, election: 3888, admin: 8080, metrics: 7000, secureClient: 2281 } satisfies Ports),
});

/**
 * A host folder as one spelling: no repeated '/', no '.' segment, no trailing '/'. The schema
 * refuses '..' segments, which would depend on symbolic links to mean anything.
 */
const normalFolder = (path: string) => `/${path.split('/').filter((s) => s !== '' && s !== '.').join('/')}`;

export type Resolved = { ensemble: Ensemble; problems?: undefined } | { ensemble?: undefined; problems: Problem[] };

interface Draft {
  entry: MemberEntry;
  id: number;
  at: string;
}

export function resolve(file: EnsembleFile): Resolved {
  const image = file.image ?? DEFAULT_IMAGE;
  const dialectName = file.dialect ?? dialectOfImage(image);
  if (dialectName === undefined) {
    return {
      problems: [
        {
          pointer: '/image',
          message: `no dialect known for ${quoted(image)}: zkgen knows ${knownImages()}; for a mirror or a derived image, say which with "dialect"`,
        },
      ],
    };
  }
  const dialect = DIALECTS[dialectName];
  const release = releaseOf(image, dialectName);
  const adminServer = file.adminServer ?? (atLeast(release.zookeeper, 3, 5) && dialect.adminServerByDefault);
  const metrics = file.metrics ?? false;

  const listed = Array.isArray(file.servers);
  const entries: MemberEntry[] = listed ? (file.servers as MemberEntry[]) : Array.from({ length: file.servers as number }, () => ({}));

  // An id not given is one more than the previous member's: ids given are never renumbered.
  let previous = 0;
  const drafts: Draft[] = entries.map((entry, index) => {
    const id = entry.id ?? previous + 1;
    previous = id;
    return { entry, id, at: listed ? pointer('servers', index) : '/servers' };
  });
  // Members in id order (stable: repeated ids keep file order, and a rule reports them).
  drafts.sort((a, b) => a.id - b.id);

  const inUse: Record<PortKind, boolean> = { client: true, peer: true, election: true, admin: adminServer, metrics, secureClient: file.tls?.client ?? false };
  const dataRoot = file.dataRoot ?? DEFAULTS.dataRoot;
  const hostOf = (entry: MemberEntry) => entry.host ?? file.host ?? DEFAULTS.host;
  const machineOf = (entry: MemberEntry) => (entry.machine !== undefined ? entry.machine.toLowerCase() : machineOfHost(hostOf(entry)));
  const onMachine = new Map<string, number>();
  for (const { entry } of drafts) onMachine.set(machineOf(entry), (onMachine.get(machineOf(entry)) ?? 0) + 1);

  const members = drafts.map(({ entry, id, at }): Member => {
    const name = entry.name ?? `zk${id}`;
    const machine = machineOf(entry);
    // The port layout depends on the member's own id and on whether its machine is shared, never
    // on the other members' ids or count: a member alone on its machine gets the base ports,
    // members sharing one get base + (id - 1). So adding or removing members leaves every other
    // member's ports where they were, except when a machine goes from one member to several (or
    // back): its member then moves unless its id is 1.
    const offset = (onMachine.get(machine) ?? 0) > 1 ? id - 1 : 0;
    const ports: Partial<Ports> = {};
    const portOrigins = {} as Record<PortKind, string>;
    for (const kind of PORT_KINDS) {
      const own = entry.ports?.[kind];
      const base = file.ports?.[kind];
      // A port given for a server that is off is kept, so that a rule can say so.
      if (!inUse[kind] && own === undefined && base === undefined) {
        portOrigins[kind] = at;
        continue;
      }
      if (own !== undefined) {
        ports[kind] = own;
        portOrigins[kind] = `${at}/ports/${kind}`;
        continue;
      }
      ports[kind] = (base ?? DEFAULTS.ports[kind]) + offset;
      portOrigins[kind] = base === undefined ? at : `/ports/${kind}`;
    }
    const origin: Origin = {
      member: at,
      id: entry.id !== undefined ? `${at}/id` : at,
      name: entry.name !== undefined ? `${at}/name` : at,
      host: entry.host !== undefined ? `${at}/host` : file.host !== undefined ? '/host' : at,
      machine: entry.machine !== undefined ? `${at}/machine` : entry.host !== undefined ? `${at}/host` : file.host !== undefined ? '/host' : at,
      dataDir: entry.dataDir !== undefined ? `${at}/dataDir` : file.dataRoot !== undefined ? '/dataRoot' : at,
      group: entry.group !== undefined ? `${at}/group` : at,
      weight: entry.weight !== undefined ? `${at}/weight` : at,
      ports: Object.freeze(portOrigins),
    };
    return Object.freeze({
      id,
      name,
      host: hostOf(entry),
      machine,
      ports: Object.freeze(ports) as Member['ports'],
      dataDir: normalFolder(entry.dataDir ?? `${dataRoot}/${name}`),
      role: entry.role ?? 'participant',
      ...(entry.group !== undefined && { group: entry.group }),
      ...(entry.weight !== undefined && { weight: entry.weight }),
      origin: Object.freeze(origin),
    });
  });

  const words = new Set(['srvr', ...(file.fourLetterWords ?? [])]);
  return {
    ensemble: Object.freeze({
      image,
      dialect: dialectName,
      release: Object.freeze(release),
      members: Object.freeze(members),
      machines: Object.freeze([...new Set(members.map((m) => m.machine))]),
      adminServer,
      metrics,
      healthcheck: file.healthcheck ?? dialect.healthcheckByDefault,
      listen: file.listen ?? 'own',
      // A tls or auth that turns nothing on is none: no script, no mount, nothing prepare.sh
      // demands (a rule warns that the file says nothing is on).
      ...(file.tls !== undefined &&
        [file.tls.quorum, file.tls.client, file.tls.portUnification].includes(true) && {
        tls: Object.freeze({
          quorum: file.tls.quorum ?? false,
          client: file.tls.client ?? false,
          plaintextClientPort: file.tls.plaintextClientPort ?? false,
          portUnification: file.tls.portUnification ?? false,
          keys: normalFolder(file.tls.keys ?? `${dataRoot}/tls`),
        }),
      }),
      ...(file.auth !== undefined &&
        [file.auth.quorum, file.auth.client].includes(true) && {
        auth: Object.freeze({
          quorum: file.auth.quorum ?? false,
          client: file.auth.client ?? false,
          secrets: normalFolder(file.auth.secrets ?? `${dataRoot}/auth`),
        }),
      }),
      ...(file.reconfig !== undefined &&
        file.reconfig !== false && {
          reconfig: Object.freeze({ secrets: normalFolder((file.reconfig === true ? undefined : file.reconfig.secrets) ?? `${dataRoot}/reconfig`) }),
        }),
      ...(file.restart !== undefined && { restart: file.restart }),
      settings: Object.freeze({
        tickTime: file.tickTime,
        initLimit: file.initLimit,
        syncLimit: file.syncLimit,
        maxClientCnxns: file.maxClientCnxns,
        autopurgeSnapRetainCount: file.autopurge?.snapRetainCount,
        autopurgePurgeInterval: file.autopurge?.purgeInterval,
        heap: file.heap,
        fourLetterWords: Object.freeze([...words].sort()),
        config: Object.freeze(Object.entries(file.config ?? {}).map(([k, v]) => Object.freeze([k, String(v)] as const))),
      }),
      origin: Object.freeze({
        image: file.image !== undefined ? '/image' : '',
        dialect: file.dialect !== undefined ? '/dialect' : file.image !== undefined ? '/image' : '',
        servers: '/servers',
        adminServer: file.adminServer !== undefined ? '/adminServer' : '',
        metrics: file.metrics !== undefined ? '/metrics' : '',
        listen: file.listen !== undefined ? '/listen' : '',
        tls: file.tls !== undefined ? '/tls' : '',
        auth: file.auth !== undefined ? '/auth' : '',
        reconfig: file.reconfig !== undefined ? '/reconfig' : '',
        config: '/config',
      }),
    }),
  };
}
