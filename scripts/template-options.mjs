// How templates/*.hbs are precompiled (scripts/build-assets.mjs), in one place so a test can hold
// the templates to the same rules.
//
// noEscape: these are YAML, shell and zoo.cfg, not HTML — values are quoted by the helpers of
// src/quote.ts. strict: a missing field is a bug in a renderer and must throw, never print nothing.
// knownHelpersOnly: a template may call Handlebars' block helpers (each, if, unless, with) and the
// quoting helpers that src/render/templates.ts registers, nothing else, so "templates place and
// quote, never compute" is a build error to break rather than a convention.
// explicitPartialContext: a partial sees only the parameters it is given ({{> _x a=b}}), never the
// variables of the template that includes it.
// Placing: every {{value}} goes through a quoting helper ({{sh x}}, {{yaml x}}, {{cfg x}}); a bare
// one, a triple-stash or a helper's result placed unquoted is a build error (placements below).
import Handlebars from 'handlebars';

export const QUOTING_HELPERS = ['sh', 'yaml', 'cfg'];

// A fresh object each time: Handlebars writes into the options it is given.
export const options = () => ({
  noEscape: true,
  strict: true,
  knownHelpersOnly: true,
  explicitPartialContext: true,
  knownHelpers: Object.fromEntries(QUOTING_HELPERS.map((h) => [h, true])),
});

/** Every value a template places, each as `line: text`, that does not go through one quoting helper. */
function unquotedPlacements(source) {
  const found = [];
  const visitor = new Handlebars.Visitor();
  visitor.MustacheStatement = function (node) {
    const helper = node.path.type === 'PathExpression' ? node.path.original : undefined;
    const quoted = QUOTING_HELPERS.includes(helper) && node.params.length === 1 && node.params[0].type !== 'SubExpression' && !node.hash && node.escaped;
    if (!quoted) found.push(`line ${node.loc.start.line}: ${source.split('\n')[node.loc.start.line - 1].slice(node.loc.start.column, node.loc.end.column)}`);
    return Handlebars.Visitor.prototype.MustacheStatement.call(this, node);
  };
  visitor.accept(Handlebars.parse(source));
  return found;
}

/** The precompiled spec of one template, or an error naming the file and what it broke. */
export function precompileTemplate(file, source) {
  let spec;
  try {
    spec = Handlebars.precompile(source, options());
  } catch (error) {
    throw new Error(`${file}: ${error.message.split('\n')[0]}`);
  }
  const bare = unquotedPlacements(source);
  if (bare.length > 0) throw new Error(`${file}: a value placed without a quoting helper (${QUOTING_HELPERS.join(', ')}): ${bare.join('; ')}`);
  return spec;
}
