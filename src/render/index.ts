// render: one renderer per output, each from the same view. The list below is the bundle zkgen
// writes with --out, in the order of its paths.
import type { Ensemble, GeneratedFile } from '../model.js';
import { renderTemplate } from './templates.js';
import { buildView, type EnsembleView } from './view.js';

type Renderer = (view: EnsembleView) => GeneratedFile[];

const file = (path: string, content: string, executable = false): GeneratedFile => ({ path, content, executable });

export const renderCompose: Renderer = (view) => [file('docker-compose.yml', renderTemplate('docker-compose.yml', view))];
export const renderRun: Renderer = (view) => [file('run.sh', renderTemplate('run.sh', view), true)];
export const renderStatus: Renderer = (view) => [file('status.sh', renderTemplate('status.sh', view), true)];
export const renderSmokeTest: Renderer = (view) => [file('smoke-test.sh', renderTemplate('smoke-test.sh', view), true)];
export const renderRemove: Renderer = (view) => [file('remove.sh', renderTemplate('remove.sh', view), true)];
export const renderRollingRestart: Renderer = (view) => [file('rolling-restart.sh', renderTemplate('rolling-restart.sh', view), true)];
// What each member ends up running inside its container, because the tutorial names debugging as
// Docker's main drawback: one can read it without `docker exec`.
export const renderMemberConfig: Renderer = (view) =>
  view.members.flatMap((m) => [file(`conf/${m.name}/myid`, renderTemplate('myid', m)), file(`conf/${m.name}/zoo.cfg`, renderTemplate('zoo.cfg', m))]);

const RENDERERS: readonly Renderer[] = [renderCompose, renderRun, renderStatus, renderSmokeTest, renderRollingRestart, renderRemove, renderMemberConfig];

export function render(ensemble: Ensemble): GeneratedFile[] {
  const view = buildView(ensemble);
  return RENDERERS.flatMap((r) => r(view)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
