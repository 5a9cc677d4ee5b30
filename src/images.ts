// What an image reference says about the image: its repository, the dialect that speaks it, the
// ZooKeeper version inside (from the tag), whether such a tag was ever published, and whether the
// image still gets updates. The one table of known images and versions is here; nothing else in
// zkgen reads a tag.
//
// Assumptions, for references the table cannot settle:
// - A registry in front of a known repository (a mirror, `mirror.example.com/library/zookeeper`)
//   is taken to hold the same tags as Docker Hub.
// - No tag, or `latest`: the repository's newest line. A digest alone says nothing zkgen can read:
//   the newest line too (the digest still pins what runs). A tag beside a digest decides.
// - An unknown repository (a derived image) with `dialect` given: its tag is not read, and the
//   dialect's own repository's newest line is assumed.
// - Older patch releases within a known line are not checked one by one: only versions past the
//   newest one published are refused.
import type { DialectName } from './model.js';

/** A ZooKeeper release line, e.g. 3.9. */
export interface ZooKeeperLine {
  readonly major: number;
  readonly minor: number;
}

interface Repository {
  readonly dialect: DialectName;
  /** The ZooKeeper line a tag's version runs, or a reason the version was never built. */
  zookeeper(version: TagVersion): ZooKeeperLine | { unpublished: string };
  /** The line `latest`, an untagged or a digest-only reference runs. */
  readonly newest: ZooKeeperLine;
  /** Why this image gets no more updates, if it does not. */
  frozen?(version: TagVersion | undefined): string | undefined;
  /** Whether every tag is the one image (the tutorial's), so tags are not read at all. */
  readonly anyTag?: true;
}

/** The leading version numbers of a tag: `3.9.4-jre-17` → [3, 9, 4]. */
type TagVersion = readonly number[];

const line = (major: number, minor: number): ZooKeeperLine => ({ major, minor });
const show = (v: TagVersion) => v.join('.');

// The official library's lines and the newest patch each was published at (images.md: 3.9.4 and
// 3.8.6 are the newest of the lines still built; 3.4 to 3.7 ended at 3.4.14, 3.5.10, 3.6.4, 3.7.2).
const OFFICIAL_NEWEST_PATCH: ReadonlyMap<string, number> = new Map([
  ['3.4', 14],
  ['3.5', 10],
  ['3.6', 4],
  ['3.7', 2],
  ['3.8', 6],
  ['3.9', 4],
]);
const OFFICIAL_BUILT = ['3.8', '3.9'];

// Confluent Platform's lines: each major's last minor (3.3, 4.1, 5.5, 6.2, 7.9; 8.0 has no
// cp-zookeeper). Patch releases come monthly and are not checked one by one.
const CONFLUENT_LAST_MINOR: ReadonlyMap<number, number> = new Map([
  [3, 3],
  [4, 1],
  [5, 5],
  [6, 2],
  [7, 9],
]);

// Confluent Platform version → the ZooKeeper line its Kafka ships (Kafka's own dependency
// history, not the images' notes): 5.3 and before 3.4, 5.4 to 6.2 3.5, 7.0 to 7.5 3.6, 7.6 on 3.8.
const CONFLUENT_ZOOKEEPER: ReadonlyArray<readonly [number, number, ZooKeeperLine]> = [
  [7, 6, line(3, 8)],
  [7, 0, line(3, 6)],
  [5, 4, line(3, 5)],
  [3, 0, line(3, 4)],
];

const BITNAMI_LINES = ['3.8', '3.9'];
const bitnami = (name: string, moved: string): Repository => ({
  dialect: 'bitnami',
  newest: line(3, 9),
  zookeeper(v) {
    const at = `${v[0]}.${v[1] ?? 9}`;
    if (v[0] === 3 && BITNAMI_LINES.includes(at)) return line(3, v[1] ?? 9);
    return { unpublished: `zkgen speaks the scripts of ${name} ${BITNAMI_LINES.join(' and ')}, and ${show(v)} is neither` };
  },
  frozen: () => moved,
});

const REPOSITORIES: Readonly<Record<string, Repository>> = {
  // The tutorial's image: one image, ZooKeeper 3.4.6, whatever the tag.
  'garland/zookeeper': { dialect: 'garland', newest: line(3, 4), zookeeper: () => line(3, 4), anyTag: true },
  zookeeper: {
    dialect: 'official',
    newest: line(3, 9),
    zookeeper(v) {
      const [major, minor, patch] = v;
      if (v.length === 1 && major === 3) return line(3, 9);
      const at = `${major}.${minor}`;
      const newestPatch = major === undefined || minor === undefined ? undefined : OFFICIAL_NEWEST_PATCH.get(at);
      if (major === undefined || minor === undefined || newestPatch === undefined) {
        return { unpublished: `the official zookeeper image has lines ${[...OFFICIAL_NEWEST_PATCH.keys()].join(', ')}, and ${show(v)} is none of them` };
      }
      if (patch !== undefined && patch > newestPatch) {
        return { unpublished: `the official library never published zookeeper:${show(v)}: the newest ${at} is ${at}.${newestPatch}` };
      }
      return line(major, minor);
    },
    frozen: (v) =>
      v && v.length > 1 && !OFFICIAL_BUILT.includes(`${v[0]}.${v[1]}`)
        ? `the official library no longer builds ZooKeeper ${v[0]}.${v[1]}: it gets no more updates (${OFFICIAL_BUILT.join(' and ')} do)`
        : undefined,
  },
  'bitnami/zookeeper': bitnami(
    'bitnami/zookeeper',
    'bitnami/zookeeper is frozen since 2025-08-28 and gets no more updates; Bitnami publishes its versioned images as bitnamilegacy/zookeeper',
  ),
  'bitnamilegacy/zookeeper': bitnami('bitnamilegacy/zookeeper', 'bitnamilegacy/zookeeper holds Bitnami\'s images as of 2025-08-28 and gets no more updates'),
  'confluentinc/cp-zookeeper': {
    dialect: 'confluent',
    newest: line(3, 8),
    zookeeper(v) {
      const [major = 0, minor = 9] = v;
      if (major >= 8) {
        return { unpublished: `cp-zookeeper was never built for Confluent Platform ${major}: ZooKeeper left Kafka with 8.0, so 7.x is its last line` };
      }
      const lastMinor = CONFLUENT_LAST_MINOR.get(major);
      const found = CONFLUENT_ZOOKEEPER.find(([ma, mi]) => major > ma || (major === ma && minor >= mi));
      if (!found || lastMinor === undefined) return { unpublished: `cp-zookeeper starts with Confluent Platform 3.0, and ${show(v)} is older` };
      if (minor > lastMinor) return { unpublished: `cp-zookeeper:${show(v)} was never published: Confluent Platform ${major}'s last line is ${major}.${lastMinor}` };
      return found[2];
    },
    frozen: () => 'confluentinc/cp-zookeeper ends with Confluent Platform 7.x and gets no more new lines: Kafka 4 (Confluent 8) runs without ZooKeeper',
  },
};

/** The repository part of an image reference: no registry, tag or digest; Docker Hub's library/ dropped. */
function repository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  let repo = colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
  // A first component with a dot or a port, or "localhost", is a registry.
  const slash = repo.indexOf('/');
  const first = repo.slice(0, slash);
  if (slash !== -1 && (/[.:]/.test(first) || first === 'localhost')) repo = repo.slice(slash + 1);
  return repo.replace(/^library\//, '');
}

/** The tag of an image reference, or undefined when it names none. */
function tag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? image;
  const name = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = name.indexOf(':');
  return colon === -1 ? undefined : name.slice(colon + 1);
}

/** Whether the reference names a tag or a digest, rather than leaving Docker to assume `latest`. */
export function hasTagOrDigest(image: string): boolean {
  return image.includes('@') || tag(image) !== undefined;
}

/** The dialect an image speaks, by its repository's name. */
export function dialectOfImage(image: string): DialectName | undefined {
  return REPOSITORIES[repository(image)]?.dialect;
}

/** The repositories zkgen knows, for messages. */
export const knownRepositories = (): string => Object.keys(REPOSITORIES).join(', ');

/** What zkgen reads from an image reference, once, into the model. */
export interface Release {
  /** The ZooKeeper line the image runs. */
  readonly zookeeper: ZooKeeperLine;
  /** Why the tag names an image that was never built, when it does. */
  readonly unpublished?: string;
  /** Why the image gets no more updates, when it does not. */
  readonly frozen?: string;
}

/**
 * The home repository of each dialect (its first in REPOSITORIES): the one messages name it by,
 * and whose newest line an unknown image of that dialect is assumed to run.
 */
function home(dialect: DialectName): [string, Repository] {
  const found = Object.entries(REPOSITORIES).find(([, r]) => r.dialect === dialect);
  if (!found) throw new Error(`zkgen bug: no repository speaks the ${dialect} dialect`);
  return found;
}

export const homeRepository = (dialect: DialectName): string => home(dialect)[0];
const homeOf = (dialect: DialectName): Repository => home(dialect)[1];

export function releaseOf(image: string, dialect: DialectName): Release {
  const repo = REPOSITORIES[repository(image)] ?? homeOf(dialect);
  const known = REPOSITORIES[repository(image)] !== undefined;
  const t = known && !repo.anyTag ? tag(image) : undefined;
  const numbers = t === undefined ? null : /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:$|[-_.+])/.exec(t);
  if (!numbers) {
    const frozen = known ? repo.frozen?.(undefined) : undefined;
    const unreadable = t !== undefined && t !== 'latest' ? `${repository(image)} publishes version tags and latest, and "${t}" is neither: zkgen cannot tell which ZooKeeper it runs` : undefined;
    return { zookeeper: repo.newest, ...(unreadable && { unpublished: unreadable }), ...(frozen && { frozen }) };
  }
  // The minor and patch groups are optional: a tag such as "3" leaves them undefined.
  const version = [numbers[1], numbers[2], numbers[3]].filter((n): n is string => n !== undefined).map(Number);
  const found = repo.zookeeper(version);
  const frozen = repo.frozen?.(version);
  if ('unpublished' in found) return { zookeeper: repo.newest, unpublished: found.unpublished, ...(frozen && { frozen }) };
  return { zookeeper: found, ...(frozen && { frozen }) };
}

/** Whether the ensemble's ZooKeeper is at least major.minor. */
export const atLeast = (zk: ZooKeeperLine, major: number, minor: number): boolean => zk.major > major || (zk.major === major && zk.minor >= minor);
