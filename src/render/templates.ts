// The precompiled templates (scripts/build-assets.mjs) bound to a private Handlebars runtime whose
// only helpers are the quoting helpers: a template can quote a value, never compute one.
import HandlebarsRuntime from 'handlebars/runtime.js';
import { TEMPLATE_NAMES, templateSpec, type TemplateName } from '../generated/templates.js';
import { QUOTING_HELPERS } from '../quote.js';

// The runtime alone (no compiler) is all that precompiled templates need; its typings are the
// full package's, which it is a subset of.
const runtime = (HandlebarsRuntime as unknown as typeof import('handlebars')).create();
// The only helpers templates may call (scripts/template-options.mjs makes any other a build error).
runtime.registerHelper(QUOTING_HELPERS);

// Templates named with a leading `_` are partials: pieces two templates place alike (a member's
// `docker run`, in run.sh and reconfigure.sh), said once. They are registered before the first
// template that places one is rendered, not before: docker-compose.yml places none, and printing
// it asks the bundle for no other template (scripts/bundle.mjs keeps the others in a file of their own).
let partialsRegistered = false;
function registerPartials(): void {
  for (const name of TEMPLATE_NAMES) {
    if (name.startsWith('_')) runtime.registerPartial(name, runtime.template(templateSpec(name)));
  }
  partialsRegistered = true;
}

const compiled = new Map<TemplateName, (view: object) => string>();

export function renderTemplate(name: TemplateName, view: object): string {
  let template = compiled.get(name);
  if (template === undefined) {
    const spec = templateSpec(name);
    if ((spec as { usePartial?: boolean }).usePartial && !partialsRegistered) registerPartials();
    template = runtime.template(spec);
    compiled.set(name, template);
  }
  return template(view);
}
