import type { DialectName } from '../model.js';
import { bitnami } from './bitnami.js';
import { confluent } from './confluent.js';
import { garland } from './garland.js';
import { official } from './official.js';
import type { Dialect } from './types.js';

export type { Dialect } from './types.js';

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = { garland, official, bitnami, confluent };

/** The image an ensemble that names none runs: the official one, at a pinned version, never `latest`. */
export const DEFAULT_IMAGE = 'zookeeper:3.9.5';

/** The repository part of an image reference: no registry, tag or digest; Docker Hub's library/ dropped. */
export function repository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  let repo = colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
  // A first component with a dot or a port, or "localhost", is a registry.
  const [first, ...rest] = repo.split('/');
  if (rest.length > 0 && (/[.:]/.test(first!) || first === 'localhost')) repo = rest.join('/');
  return repo.replace(/^library\//, '');
}

/** Whether the reference names a tag or a digest, rather than leaving Docker to assume `latest`. */
export function hasTagOrDigest(image: string): boolean {
  if (image.includes('@')) return true;
  return image.slice(image.lastIndexOf('/') + 1).includes(':');
}

/** The dialect an image speaks, by its repository's name. */
export function dialectOfImage(image: string): DialectName | undefined {
  const repo = repository(image);
  return (Object.values(DIALECTS) as Dialect[]).find((d) => d.repository === repo)?.name;
}

export function knownImages(): string {
  return Object.values(DIALECTS)
    .map((d) => d.repository)
    .join(', ');
}
