// render: one renderer per output, each from the same view. The table below is the bundle zkgen
// writes with --out, and the manifest lists it; a caller that needs one output asks for it alone,
// and the others cost nothing.
import type { Ensemble, GeneratedFile } from '../model.js';
import { foldLongLines } from './fold.js';
import { renderTemplate } from './templates.js';
import { authView, buildView, memberConfigViews, tlsView, type EnsembleView } from './view.js';

type Renderer = (view: EnsembleView, ensemble: Ensemble) => GeneratedFile[];

const file = (path: string, content: string, executable = false): GeneratedFile => ({ path, content, executable });
const script = (name: 'run.sh' | 'status.sh' | 'smoke-test.sh' | 'rolling-restart.sh' | 'remove.sh'): Renderer => (view) => [file(name, renderTemplate(name, view), true)];

export const RENDERERS = {
  'docker-compose.yml': (view) => [file('docker-compose.yml', foldLongLines(renderTemplate('docker-compose.yml', view)))],
  'run.sh': script('run.sh'),
  'status.sh': script('status.sh'),
  'smoke-test.sh': script('smoke-test.sh'),
  'rolling-restart.sh': script('rolling-restart.sh'),
  'remove.sh': script('remove.sh'),
  // Only with TLS: the script that makes the keys, which never go into the bundle.
  // Only with auth: the script that makes the secrets, which never go into the bundle.
  'auth.sh': (_, ensemble) => (ensemble.auth ? [file('auth.sh', renderTemplate('auth.sh', authView(ensemble)), true)] : []),
  'tls.sh': (_, ensemble) => (ensemble.tls ? [file('tls.sh', renderTemplate('tls.sh', tlsView(ensemble)), true)] : []),
  // What each member ends up running inside its container, because the tutorial names debugging
  // as Docker's main drawback: one can read it without `docker exec`.
  conf: (_, ensemble) =>
    memberConfigViews(ensemble).flatMap((m) => [file(`conf/${m.name}/myid`, renderTemplate('myid', m)), file(`conf/${m.name}/zoo.cfg`, renderTemplate('zoo.cfg', m))]),
} satisfies Record<string, Renderer>;

/**
 * The bundle's list of its own files. `--out` replaces a folder only while every file in it is
 * listed in the folder's own manifest, so what a user adds to the folder is never taken for
 * zkgen's (src/write.ts). A path a line, sorted, after a comment header; the manifest lists itself.
 */
export const MANIFEST = 'zkgen-manifest.txt';

const MANIFEST_HEADER = [
  `# ${MANIFEST}: the files zkgen wrote in this folder, one path a line.`,
  '# zkgen FILE --out replaces this folder only while it holds nothing but these files.',
];

function manifest(paths: readonly string[]): GeneratedFile {
  const listed = [...paths, MANIFEST].sort(byPath);
  return file(MANIFEST, `${[...MANIFEST_HEADER, ...listed].join('\n')}\n`);
}

export type Output = keyof typeof RENDERERS | typeof MANIFEST;

const OUTPUTS: readonly Output[] = [...(Object.keys(RENDERERS) as (keyof typeof RENDERERS)[]), MANIFEST];

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function render(ensemble: Ensemble, only: readonly Output[] = OUTPUTS): GeneratedFile[] {
  const view = buildView(ensemble);
  const rendered = new Map<Output, GeneratedFile[]>();
  const filesOf = (name: Output): GeneratedFile[] => {
    let files = rendered.get(name);
    if (files === undefined) {
      // The manifest lists the whole bundle, whatever else was asked for.
      files = name === MANIFEST ? [manifest(Object.keys(RENDERERS).flatMap((n) => filesOf(n as Output)).map((f) => f.path))] : RENDERERS[name](view, ensemble);
      rendered.set(name, files);
    }
    return files;
  };
  return only.flatMap(filesOf).sort((a, b) => byPath(a.path, b.path));
}
