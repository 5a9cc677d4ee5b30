// What a running member runs with, compared with the generated conf/<member>/: Java properties
// parsed as ZooKeeper reads them, and where each image keeps its zoo.cfg and myid.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from './bundle.js';
import { docker } from './engine.js';

/**
 * Parses Java properties text as java.util.Properties.load does, so the result is what ZooKeeper
 * reads: blank lines and lines starting with # or ! are ignored, a line ending in an odd number of
 * backslashes continues on the next, the key ends at the first unescaped =, : or whitespace, and
 * the last occurrence of a key wins.
 */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const physical = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < physical.length; i++) {
    let line = (physical[i] ?? '').replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(?:^|[^\\])(?:\\\\)*\\$/.test(line) && i + 1 < physical.length) {
      line = line.slice(0, -1) + (physical[++i] ?? '').replace(/^[ \t\f]+/, '');
    }
    let keyEnd = 0;
    while (keyEnd < line.length) {
      const c = line[keyEnd];
      if (c === '\\') keyEnd += 2;
      else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      else keyEnd += 1;
    }
    let valueStart = keyEnd;
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart] ?? '')) valueStart++;
    if (line[valueStart] === '=' || line[valueStart] === ':') valueStart++;
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart] ?? '')) valueStart++;
    result.set(unescapeProperty(line.slice(0, keyEnd)), unescapeProperty(line.slice(valueStart)));
  }
  return result;
}

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escape: string) => {
    if (escape.length === 5) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[escape] ?? escape;
  });
}

/**
 * Where an image keeps what a member runs with. Written here from the images, not taken from
 * zkgen's dialects, so that the check does not share a misreading with the code it checks.
 */
export interface ImageLayout {
  /** zoo.cfg inside the container, as the image writes it. */
  zooCfgPath: string;
  /** myid inside the container (in the image's data folder). */
  myidPath: string;
}

/** By repository (no registry, tag or digest). Add an image here when a suite starts running it. */
export const IMAGE_LAYOUTS: Record<string, ImageLayout> = {
  'garland/zookeeper': { zooCfgPath: '/opt/zookeeper/conf/zoo.cfg', myidPath: '/tmp/zookeeper/myid' },
  zookeeper: { zooCfgPath: '/conf/zoo.cfg', myidPath: '/data/myid' },
  'bitnami/zookeeper': { zooCfgPath: '/opt/bitnami/zookeeper/conf/zoo.cfg', myidPath: '/bitnami/zookeeper/data/myid' },
  'bitnamilegacy/zookeeper': { zooCfgPath: '/opt/bitnami/zookeeper/conf/zoo.cfg', myidPath: '/bitnami/zookeeper/data/myid' },
  'confluentinc/cp-zookeeper': { zooCfgPath: '/etc/kafka/zookeeper.properties', myidPath: '/var/lib/zookeeper/data/myid' },
};

export function imageLayout(image: string): ImageLayout {
  const name = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const layout = IMAGE_LAYOUTS[name];
  if (!layout) throw new Error(`no ImageLayout for ${image} in test/e2e/config.ts`);
  return layout;
}

/**
 * What differs between what a running member runs with (its zoo.cfg and myid inside the
 * container, through docker exec) and the bundle's conf/<member>/zoo.cfg and myid. Empty when
 * they agree key for key — every generated setting present with the same value, and nothing
 * else, the image's own defaults included: there are no per-image allowances — and myid is the
 * same.
 */
export async function configProblems(bundle: Bundle, member: string, layout: ImageLayout): Promise<string[]> {
  const problems: string[] = [];
  const generated = parseProperties(readFileSync(join(bundle.dir, 'conf', member, 'zoo.cfg'), 'utf8'));
  const inside = await docker(['exec', member, 'cat', layout.zooCfgPath]);
  if (inside.code !== 0) return [`${member}: cannot read ${layout.zooCfgPath}: ${inside.stderr.trim()}`];
  const running = parseProperties(inside.stdout);
  for (const [key, value] of generated) {
    if (!running.has(key)) problems.push(`${member}: ${key} is not in the container's ${layout.zooCfgPath} (generated: ${value})`);
    else if (running.get(key) !== value) {
      problems.push(`${member}: ${key} is ${running.get(key)} in the container, ${value} in conf/${member}/zoo.cfg`);
    }
  }
  for (const [key, value] of running) {
    if (!generated.has(key)) {
      problems.push(`${member}: the container has ${key}=${value}, which conf/${member}/zoo.cfg does not list`);
    }
  }
  const generatedId = readFileSync(join(bundle.dir, 'conf', member, 'myid'), 'utf8').trim();
  const myid = await docker(['exec', member, 'cat', layout.myidPath]);
  if (myid.code !== 0) problems.push(`${member}: cannot read ${layout.myidPath}: ${myid.stderr.trim()}`);
  else if (myid.stdout.trim() !== generatedId) {
    problems.push(`${member}: myid is ${myid.stdout.trim()} in the container, ${generatedId} in conf/${member}/myid`);
  }
  return problems;
}
