// resolve: a schema-valid ensemble file → one explicit, frozen Ensemble. Every default is applied
// here and nowhere else: ids, names, hosts, ports, data folders. Problems that leave no model to
// build (an image no dialect speaks) are returned instead; everything else a model can express,
// even a clash, is left for the named rules to judge.
import { dialectOfImage, knownImages } from './dialects/index.js';
import { PORT_KINDS, type Ensemble, type EnsembleFile, type Member, type MemberEntry, type Origin, type PortKind, type Ports, type Problem } from './model.js';
import { pointer } from './pointer.js';

export const DEFAULTS = Object.freeze({
  host: 'localhost',
  dataRoot: '/data',
  ports: Object.freeze({ client: 2181, peer: 2888, election: 3888 }) as Readonly<Ports>,
});

export type Resolved = { ensemble: Ensemble; problems?: undefined } | { ensemble?: undefined; problems: Problem[] };

interface Draft {
  entry: MemberEntry;
  id: number;
  at: string;
}

export function resolve(file: EnsembleFile): Resolved {
  if (file.image === undefined) {
    return { problems: [{ pointer: '', message: `must name an "image" (zkgen knows ${knownImages()})` }] };
  }
  const dialect = dialectOfImage(file.image);
  if (dialect === undefined) {
    return { problems: [{ pointer: '/image', message: `no image dialect for "${file.image}": zkgen knows ${knownImages()}` }] };
  }

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

  const dataRoot = (file.dataRoot ?? DEFAULTS.dataRoot).replace(/\/+$/, '');
  const members = drafts.map(({ entry, id, at }, position): Member => {
    const name = entry.name ?? `zk${id}`;
    const ports = {} as Ports;
    const portOrigins = {} as Record<PortKind, string>;
    for (const kind of PORT_KINDS) {
      const own = entry.ports?.[kind];
      if (own !== undefined) {
        ports[kind] = own;
        portOrigins[kind] = `${at}/ports/${kind}`;
      } else {
        // The ensemble's layout: the first member's port, + 1 for each member before this one.
        ports[kind] = (file.ports?.[kind] ?? DEFAULTS.ports[kind]) + position;
        portOrigins[kind] = listed || file.ports?.[kind] === undefined ? at : `/ports/${kind}`;
      }
    }
    const origin: Origin = {
      member: at,
      id: entry.id !== undefined ? `${at}/id` : at,
      name: entry.name !== undefined ? `${at}/name` : at,
      host: entry.host !== undefined ? `${at}/host` : file.host !== undefined ? '/host' : at,
      dataDir: entry.dataDir !== undefined ? `${at}/dataDir` : file.dataRoot !== undefined ? '/dataRoot' : at,
      ports: Object.freeze(portOrigins),
    };
    return Object.freeze({
      id,
      name,
      host: entry.host ?? file.host ?? DEFAULTS.host,
      ports: Object.freeze(ports),
      dataDir: entry.dataDir ?? `${dataRoot}/${name}`,
      origin: Object.freeze(origin),
    });
  });

  return {
    ensemble: Object.freeze({
      image: file.image,
      dialect,
      members: Object.freeze(members),
      imageOrigin: '/image',
    }),
  };
}
