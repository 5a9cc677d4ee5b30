import type { DialectName } from '../model.js';
import { bitnami } from './bitnami.js';
import { confluent } from './confluent.js';
import { garland } from './garland.js';
import { official } from './official.js';
import type { Dialect } from './types.js';

export type { Dialect } from './types.js';

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = { garland, official, bitnami, confluent };

/** The image an ensemble that names none runs: the official one, at a published, pinned version, never `latest`. */
export const DEFAULT_IMAGE = 'zookeeper:3.9.4';

export { dialectOfImage, knownRepositories as knownImages } from '../images.js';
