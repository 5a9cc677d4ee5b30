// render: one renderer per output, each from the same view. The table below is the bundle zkgen
// writes with --out; a caller that needs one output asks for it alone, and the others cost nothing.
import type { Ensemble, GeneratedFile } from '../model.js';
import { foldLongLines } from './fold.js';
import { renderTemplate } from './templates.js';
import { buildView, memberConfigViews, type EnsembleView } from './view.js';

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
  // What each member ends up running inside its container, because the tutorial names debugging
  // as Docker's main drawback: one can read it without `docker exec`.
  conf: (_, ensemble) =>
    memberConfigViews(ensemble).flatMap((m) => [file(`conf/${m.name}/myid`, renderTemplate('myid', m)), file(`conf/${m.name}/zoo.cfg`, renderTemplate('zoo.cfg', m))]),
} satisfies Record<string, Renderer>;

export type Output = keyof typeof RENDERERS;

export function render(ensemble: Ensemble, only?: readonly Output[]): GeneratedFile[] {
  const view = buildView(ensemble);
  const outputs = only ?? (Object.keys(RENDERERS) as Output[]);
  return outputs.flatMap((name) => RENDERERS[name](view, ensemble)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
