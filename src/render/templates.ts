// The precompiled templates (scripts/build-assets.mjs) bound to a private Handlebars runtime whose
// only helpers are the quoting helpers: a template can quote a value, never compute one.
import HandlebarsRuntime from 'handlebars/runtime.js';
import { templateSpecs } from '../generated/templates.js';
import { cfg, sh, yaml } from '../quote.js';

type TemplateName = keyof typeof templateSpecs;

// The runtime alone (no compiler) is all that precompiled templates need; its typings are the
// full package's, which it is a subset of.
const runtime = (HandlebarsRuntime as unknown as typeof import('handlebars')).create();
/** The only helpers templates may call (scripts/template-options.mjs makes any other a build error). */
export const QUOTING_HELPERS = { sh, yaml, cfg };
runtime.registerHelper(QUOTING_HELPERS);

// Templates named with a leading `_` are partials: pieces two templates place alike (a member's
// `docker run`, in run.sh and reconfigure.sh), said once.
for (const name of Object.keys(templateSpecs) as TemplateName[]) {
  if (name.startsWith('_')) runtime.registerPartial(name, runtime.template(templateSpecs[name]));
}

const compiled = new Map<TemplateName, (view: object) => string>();

export function renderTemplate(name: TemplateName, view: object): string {
  let template = compiled.get(name);
  if (template === undefined) {
    template = runtime.template(templateSpecs[name]);
    compiled.set(name, template);
  }
  return template(view);
}
