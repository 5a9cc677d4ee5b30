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
// Placing: every {{value}} goes through the quoting helper of its template's language, where that
// helper's output means what the value means (placements below); anything else is a build error.
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

/**
 * A template's language, from its file name: NAME.sh.hbs is shell, NAME.yml.hbs (or .yaml) YAML,
 * NAME.cfg.hbs a Java properties file as ZooKeeper reads zoo.cfg, and so is myid (one number ZooKeeper
 * reads). A partial says its language the same way (_x.sh.hbs, placed as {{> _x.sh}}), so that it
 * is held to its language's rules on its own and may be placed only into a template of that language.
 * The quoting helper of each language has the language's name.
 */
export function languageOf(file) {
  const name = file.split('/').pop().replace(/\.hbs$/, '');
  if (/\.sh$/.test(name)) return 'sh';
  if (/\.ya?ml$/.test(name)) return 'yaml';
  if (/\.cfg$/.test(name) || name === 'myid') return 'cfg';
  return undefined;
}

/** Every value a template places, each as `line: text`, that does not go through one quoting helper. */
function unquotedPlacements(source) {
  const found = [];
  const visitor = new Handlebars.Visitor();
  visitor.MustacheStatement = function (node) {
    const helper = node.path.type === 'PathExpression' ? node.path.original : undefined;
    const quoted = QUOTING_HELPERS.includes(helper) && node.params.length === 1 && node.params[0].type !== 'SubExpression' && !node.hash && node.escaped;
    if (!quoted) found.push(`line ${node.loc.start.line}: ${excerpt(source, node)}`);
    return Handlebars.Visitor.prototype.MustacheStatement.call(this, node);
  };
  visitor.accept(Handlebars.parse(source));
  return found;
}

function excerpt(source, node) {
  return source.split('\n')[node.loc.start.line - 1].slice(node.loc.start.column, node.loc.end.column);
}

// A placement stands for one character (PLACED) in the text a template writes around its values.
const PLACED = '\0';

/**
 * The text a template writes, block tags dropped and every branch kept, with each placement as
 * PLACED at `at`, and the each-loops around it: a value at the start (end) of a loop's body also
 * follows (precedes) the body's end (start) when the loop repeats. Partials are checked on their own.
 */
function layout(source) {
  let text = '';
  const placements = [];
  const partials = [];
  const loops = [];
  const walk = (program) => {
    for (const node of program.body) {
      if (node.type === 'ContentStatement') text += node.value;
      else if (node.type === 'MustacheStatement') {
        placements.push({ node, at: text.length, loops: [...loops] });
        text += PLACED;
      } else if (node.type === 'PartialStatement') partials.push(node);
      else if (node.type === 'PartialBlockStatement') {
        partials.push(node);
        walk(node.program);
      } else if (node.type === 'BlockStatement') {
        const loop = node.path.original === 'each' ? { start: text.length, end: text.length } : undefined;
        if (loop) loops.push(loop);
        walk(node.program);
        if (loop) {
          loop.end = text.length;
          loops.pop();
        }
        if (node.inverse) walk(node.inverse);
      }
    }
  };
  walk(Handlebars.parse(source));
  return { text, placements, partials };
}

/** The characters that may come just before (`before`) and just after (`after`) a placement. */
function neighbours(text, { at, loops }) {
  const before = [text[at - 1]];
  const after = [text[at + 1]];
  for (const loop of loops) {
    if (at === loop.start) before.push(text[loop.end - 1]);
    if (at + 1 === loop.end) after.push(text[loop.start]);
  }
  return { before, after };
}

// --- shell ---------------------------------------------------------------------------------------
// Where each placement falls in a bash script: 'code' (a word, where sh's quoting is what bash
// removes), or inside something whose own rules would read sh's quotes literally or otherwise:
// 'single-quoted' and 'double-quoted' strings, $'…', `…`, $((…)), a here-document's body, or a
// 'comment' (read by people: sh's quoting is what they would type).
function shContexts(text) {
  const found = new Map();
  const stack = [{ kind: 'code', depth: 0 }];
  const pending = []; // here-documents whose bodies start at the next line
  const wordStart = (j) => j === 0 || /[\s;&|()<>]/.test(text[j - 1]);
  let i = 0;
  while (i < text.length) {
    const top = stack[stack.length - 1];
    const c = text[i];
    if (c === PLACED || (c === '\\' && text[i + 1] === PLACED)) {
      // A '\' before a value escapes its first character where bash reads escapes as code does.
      const escaped = c === '\\' && (top.kind === 'code' || top.kind === '`…`');
      i += c === PLACED ? 0 : 1;
      found.set(i, escaped ? 'escaped' : top.kind);
      i += 1;
      continue;
    }
    const ahead = text.slice(i, i + 3);
    switch (top.kind) {
      case 'comment':
        if (c === '\n') stack.pop();
        else i += 1;
        break;
      case 'single-quoted':
        if (c === "'") stack.pop();
        i += 1;
        break;
      case "$'…'":
        if (c === '\\') i += 1;
        else if (c === "'") stack.pop();
        i += 1;
        break;
      case 'double-quoted':
        if (c === '\\') i += 2;
        else if (c === '"') {
          stack.pop();
          i += 1;
        } else if (ahead === '$((') {
          stack.push({ kind: '$((…))', depth: 0 });
          i += 3;
        } else if (ahead.startsWith('$(')) {
          stack.push({ kind: 'code', depth: 0, substitution: true });
          i += 2;
        } else if (c === '`') {
          stack.push({ kind: '`…`', depth: 0 });
          i += 1;
        } else i += 1;
        break;
      case '$((…))':
        if (c === '(') top.depth += 1;
        else if (c === ')' && top.depth > 0) top.depth -= 1;
        else if (c === ')') {
          stack.pop();
          i += 1;
        }
        i += 1;
        break;
      default: {
        // code, and `…` read as code
        const heredoc = /^<<(-?)[ \t]*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(text.slice(i, i + 80));
        if (c === '\\') i += 2;
        else if (c === '\n' && pending.length > 0) {
          i += 1;
          // Each pending here-document's body, line by line, up to its delimiter line.
          for (const { strip, word } of pending.splice(0)) {
            while (i < text.length) {
              const end = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
              const line = text.slice(i, end);
              for (let j = i; j < end; j += 1) if (text[j] === PLACED) found.set(j, 'here-document');
              i = end + 1;
              if ((strip ? line.replace(/^\t+/, '') : line) === word) break;
            }
          }
        } else if (text.startsWith('<<<', i)) i += 3;
        else if (heredoc) {
          pending.push({ strip: heredoc[1] === '-', word: heredoc[3] });
          i += heredoc[0].length;
        } else if (c === "'") {
          stack.push({ kind: 'single-quoted' });
          i += 1;
        } else if (ahead.startsWith("$'")) {
          stack.push({ kind: "$'…'" });
          i += 2;
        } else if (c === '"') {
          stack.push({ kind: 'double-quoted' });
          i += 1;
        } else if (c === '#' && wordStart(i)) stack.push({ kind: 'comment' });
        else if (ahead === '$((') {
          stack.push({ kind: '$((…))', depth: 0 });
          i += 3;
        } else if (ahead.startsWith('$(')) {
          stack.push({ kind: 'code', depth: 0, substitution: true });
          i += 2;
        } else if (c === '`') {
          if (top.kind === '`…`') stack.pop();
          else stack.push({ kind: '`…`', depth: 0 });
          i += 1;
        } else {
          if (c === '(') top.depth += 1;
          // A ')' with no '(' open ends a $(…), or is a case pattern's.
          else if (c === ')' && top.depth > 0) top.depth -= 1;
          else if (c === ')' && top.substitution) stack.pop();
          i += 1;
        }
      }
    }
  }
  return found;
}

// sh's output is one shell word, bare or single-quoted: joined to other text of the same word it
// keeps its meaning (--name=VALUE, VALUE/data, two values as one word), except after '$' (which
// would make $'…' or $NAME of it). Repeated by a loop, it must be parted from the next item by a
// space, an operator or a separator the script splits on (':' or ','), not run into it.
function shPlacement(text, placement, context) {
  const inside = { 'single-quoted': 'single-quoted string', 'double-quoted': 'double-quoted string', "$'…'": "$'…' string", '`…`': '`…` command substitution', '$((…))': '$((…)) arithmetic' };
  if (context === 'escaped') return "after a '\\' escape";
  if (context !== 'code') return `inside a ${inside[context] ?? context}`;
  const { before, after } = neighbours(text, placement);
  if (before[0] === '$') return "after '$'";
  const parted = (c) => c === undefined || /[\s;&|()<>:,]/.test(c);
  if (!before.slice(1).every(parted) || !after.slice(1).every(parted)) return 'run into the next item of its loop';
  return undefined;
}

// --- YAML ----------------------------------------------------------------------------------------
// Where each placement falls in a YAML file: 'code', a 'double-quoted' or 'single-quoted' scalar,
// a 'block scalar' (| or >, whose lines are taken as they are), or a 'comment'.
function yamlContexts(text) {
  const found = new Map();
  let kind = 'code';
  let block; // the indentation a block scalar's lines are deeper than
  let i = 0;
  const startsToken = (j) => j === 0 || /[\s[{,]/.test(text[j - 1]);
  while (i < text.length) {
    const c = text[i];
    const lineStart = i === 0 || text[i - 1] === '\n';
    if (lineStart && block !== undefined) {
      const indent = /^ */.exec(text.slice(i))[0].length;
      const blank = /^ *(\n|$)/.test(text.slice(i));
      if (!blank && indent <= block) block = undefined;
    }
    if (c === PLACED) found.set(i, block !== undefined ? 'block scalar' : kind);
    else if (block !== undefined) {
      // a block scalar's line: nothing in it is YAML syntax
    } else if (kind === 'comment') {
      if (c === '\n') kind = 'code';
    } else if (kind === 'double-quoted') {
      if (c === '\\') i += 1;
      else if (c === '"') kind = 'code';
    } else if (kind === 'single-quoted') {
      if (c === "'" && text[i + 1] === "'") i += 1;
      else if (c === "'") kind = 'code';
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) kind = 'comment';
    else if (c === '"' && startsToken(i)) kind = 'double-quoted';
    else if (c === "'" && startsToken(i)) kind = 'single-quoted';
    else if (c === '\n') {
      const line = text.slice(text.lastIndexOf('\n', i - 1) + 1, i);
      if (/(?:^|[\s:-])[|>][-+1-9]*\s*(?:#.*)?$/.test(line)) block = /^ */.exec(line)[0].length;
    }
    i += 1;
  }
  return found;
}

// yaml's output is one whole scalar, plain or double-quoted: it must stand where a scalar starts —
// a line's start, after 'key: ', '- ', '? ', or in a flow collection after '[', '{' or ',' — and
// end where one ends — the line's end, ': ' (a key), ',', ']', '}' or a ' #' comment. Glued to
// other text it would be part of a longer plain scalar (prefix-VALUE, a:VALUE) or broken by it.
function yamlPlacement(text, placement, context) {
  if (context !== 'code') return `inside a ${context === 'block scalar' ? context : `${context} scalar`}`;
  const { before, after } = neighbours(text, placement);
  const starts = (j, c) => {
    if (c === undefined || c === '\n' || c === '[' || c === '{' || c === ',') return true;
    if (c !== ' ' && c !== '\t') return false;
    let k = j;
    while (k > 0 && (text[k - 1] === ' ' || text[k - 1] === '\t')) k -= 1;
    const p = text[k - 1];
    if (p === undefined || p === '\n' || p === ':' || p === ',' || p === '[' || p === '{') return true;
    return (p === '-' || p === '?') && (k < 2 || /\s/.test(text[k - 2]));
  };
  const ends = (j, c) => {
    if (c === undefined || c === '\n' || c === ',' || c === ']' || c === '}') return true;
    if (c === ':') return text[j + 1] === undefined || /\s/.test(text[j + 1]);
    if (c !== ' ' && c !== '\t') return false;
    const rest = /^[ \t]*(.?)/.exec(text.slice(j))[1];
    return rest === '' || rest === '#' || rest === ',' || rest === ']' || rest === '}' || rest === ':';
  };
  if (!before.every((c, n) => (n === 0 ? starts(placement.at, c) : c === undefined || /[\s,[{]/.test(c)))) return 'joined to the text before it';
  if (!after.every((c, n) => (n === 0 ? ends(placement.at + 1, c) : c === undefined || /[\s,\]}]/.test(c)))) return 'joined to the text after it';
  return undefined;
}

// --- zoo.cfg (Java properties) -------------------------------------------------------------------
// cfg's output is the value as it is (it refuses a line break or '\'), so it may stand anywhere in
// a line — key=VALUE, server.ID=HOST:PORT:PORT — but not after a '\', which would escape it.
function cfgContexts(text) {
  const found = new Map();
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== PLACED) continue;
    const line = text.slice(text.lastIndexOf('\n', i - 1) + 1, i);
    found.set(i, /^\s*[#!]/.test(line) ? 'comment' : 'code');
  }
  return found;
}

function cfgPlacement(text, placement, context) {
  if (context !== 'code') return `inside a ${context}`;
  if (text[placement.at - 1] === '\\') return "after '\\'";
  return undefined;
}

const LANGUAGES = {
  sh: { contexts: shContexts, placement: shPlacement },
  yaml: { contexts: yamlContexts, placement: yamlPlacement },
  cfg: { contexts: cfgContexts, placement: cfgPlacement },
};

/**
 * Every placement of a template in `language` whose helper or position would not keep the value's
 * meaning, each as `line: text (why)`. In code a value goes through its language's helper, placed as
 * that language's rules above allow. In a comment, read by people, it goes through its language's
 * helper or sh (a command shown to an operator to run); it stays on the comment's line because no
 * value has a line break (the schema refuses control characters in every string it takes).
 */
function misplacedValues(source, language) {
  const found = [];
  const { text, placements, partials } = layout(source);
  const contexts = LANGUAGES[language].contexts(text);
  for (const placement of placements) {
    const helper = placement.node.path.original;
    const context = contexts.get(placement.at);
    let why;
    if (context === 'comment') why = helper === language || helper === 'sh' ? undefined : `${helper} in a comment of ${language}`;
    else if (helper !== language) why = `${helper} in ${language}, whose helper is ${language}`;
    else why = LANGUAGES[language].placement(text, placement, context);
    if (why) found.push(`line ${placement.node.loc.start.line}: ${excerpt(source, placement.node)} (${why})`);
  }
  for (const partial of partials) {
    const name = partial.name.original;
    if (languageOf(name) !== language) found.push(`line ${partial.loc.start.line}: {{> ${name}}} (a partial of ${languageOf(name) ?? 'no language'} in ${language})`);
  }
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
  const language = languageOf(file);
  if (language === undefined) throw new Error(`${file}: no language in its name (NAME.sh.hbs, NAME.yml.hbs, NAME.cfg.hbs), so its values cannot be held to one`);
  const misplaced = misplacedValues(source, language);
  if (misplaced.length > 0) throw new Error(`${file}: a value placed where its quoting does not keep its meaning: ${misplaced.join('; ')}`);
  return spec;
}
