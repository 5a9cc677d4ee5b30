// How templates/*.hbs are precompiled (scripts/build-assets.mjs), in one place so a test can hold
// the templates to the same rules.
//
// noEscape: these are YAML, shell and zoo.cfg, not HTML — values are quoted by the helpers of
// src/quote.ts. strict: a missing field is a bug in a renderer and must throw, never print nothing.
// knownHelpersOnly: a template may call Handlebars' block helpers (each, if, unless, with) and the
// quoting helpers that src/render/templates.ts registers, nothing else, so "templates place and
// quote, never compute" is a build error to break rather than a convention.
import Handlebars from 'handlebars';

export const QUOTING_HELPERS = ['sh', 'yaml', 'cfg'];

// A fresh object each time: Handlebars writes into the options it is given.
const options = () => ({ noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers: Object.fromEntries(QUOTING_HELPERS.map((h) => [h, true])) });

/** The precompiled spec of one template, or an error naming the file and what it broke. */
export function precompileTemplate(file, source) {
  try {
    return Handlebars.precompile(source, options());
  } catch (error) {
    throw new Error(`${file}: ${error.message.split('\n')[0]}`);
  }
}
