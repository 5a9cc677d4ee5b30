import type { DialectName } from '../model.js';
import type { Dialect } from './types.js';
import { garland } from './garland.js';

export type { Dialect } from './types.js';

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = { garland };

// Which dialect an image speaks follows from its repository, whatever the registry, tag or digest.
const REPOSITORIES: ReadonlyArray<readonly [RegExp, DialectName]> = [[/^(?:docker\.io\/)?garland\/zookeeper$/, 'garland']];

/** The repository part of an image reference: no tag, no digest. */
export function repository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

export function dialectOfImage(image: string): DialectName | undefined {
  const repo = repository(image);
  return REPOSITORIES.find(([pattern]) => pattern.test(repo))?.[1];
}

export function knownImages(): string {
  return 'garland/zookeeper';
}
