// Bundles the CLI into dist/, the whole of what the published package runs (it declares no
// dependencies):
//
//   dist/cli.js          the bin: calls main() of src/cli.ts with the process's arguments and sets the exit status
//   dist/zkgen.js        the CLI and the core in one file, yargs included: one file to read instead of a few hundred
//   dist/templates.js    every template but docker-compose.yml's, loaded when one is first rendered
//   dist/yaml.js         yaml, loaded on first use: only YAML input needs it
//   dist/layout.js       what yargs lays help out with, loaded on first use: only --help and usage need it
//   dist/record-check.js the record's validator, loaded on first use: only reading a bundle back needs it
//
// What start-up costs is mostly Node compiling dist/zkgen.js (npm run bench): what the default
// command (zkgen FILE, printing docker-compose.yml) does not run is kept out of it, in a file loaded
// by a stand-in when first called. The sources import as usual; the stand-ins are made here.
// Everything is CommonJS (dist/package.json says so): Node starts a CommonJS main
// without its ES module loader, which takes a few milliseconds. Whitespace is left out (the
// installed package stays under 1 MB, npm run bench); names are kept, so a bug's message reads.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { TEMPLATE_NAMES } from '../src/generated/templates.js';
import { precompileTemplate } from './template-options.mjs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
  write: false,
  outdir: 'dist', // only names the output: nothing is written by esbuild itself
  // The sources are ES modules, which are strict: so is every bundle, whole.
  banner: { js: "'use strict';" },
};

// Modules loaded on first use, each from a file of its own in dist/: what imports them (by the
// name it imports them by) gets a stand-in that requires the file when first called. yaml: load.ts's
// whole use of it (the parser and the node type tests its checks walk with), for YAML input only.
// cliui and string-width: what yargs lays help and usage out with (wrapping, emoji and ANSI
// widths), for --help alone; loading them took a third of yargs' start-up. The record's validator
// (ajv's code and its schema, as big as the rest of the record's handling many times over): only
// reading a bundle back needs it. A validator's stand-in also carries the `errors` of its last call.
const LAZY = {
  yaml: { file: './yaml.js', names: ['parseAllDocuments', 'isAlias', 'isMap', 'isScalar', 'isSeq'] },
  cliui: { file: './layout.js', names: ['default'], as: 'cliui' },
  'string-width': { file: './layout.js', names: ['default'], as: 'stringWidth' },
  './generated/validate-record.js': { file: './record-check.js', names: ['validate'], validator: true },
};

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const lazy = {
  name: 'lazy',
  setup(b) {
    const specifiers = new RegExp(`^(${Object.keys(LAZY).map(escapeRegExp).join('|')})$`);
    b.onResolve({ filter: specifiers }, (args) => ({ path: args.path, namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const { file, names, as, validator } = LAZY[args.path];
      const load = `(m ??= require(${JSON.stringify(file)}))`;
      const stubs = names.map((name) => {
        if (name === 'default') return `export default function ${as}(...a) { return ${load}.${as}(...a); }`;
        if (validator) return `export function ${name}(...a) { const real = ${load}.${name}; const valid = real(...a); ${name}.errors = real.errors; return valid; }`;
        return `export function ${name}(...a) { return ${load}.${name}(...a); }`;
      });
      return { contents: `let m;\n${stubs.join('\n')}\n`, loader: 'js' };
    });
  },
};

// yargs checks its own invariants with node:assert, and loading node:assert makes Node set up
// process.stderr at once (its colour check asks stderr whether it is a terminal): with stderr a
// pipe, that is Node's stream and socket machinery, loaded before zkgen has anything to say and
// for nothing when it says nothing. yargs gets the two checks it uses as plain functions instead.
const yargsAssert = {
  name: 'yargs-assert',
  setup(b) {
    b.onResolve({ filter: /^assert$/ }, (args) => (/[\\/]node_modules[\\/]yargs[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'yargs-assert' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'yargs-assert' }, () => ({
      contents: `export function notStrictEqual(actual, expected, message) { if (actual === expected) throw new Error(message ?? \`\${actual} === \${expected}\`); }
export function strictEqual(actual, expected, message) { if (actual !== expected) throw new Error(message ?? \`\${actual} !== \${expected}\`); }
`,
      loader: 'js',
    }));
  },
};

// After running a named command's handler (connect-string, init), yargs renders the whole help text
// and keeps it, so that help shown after a failing command is that command's. zkgen never shows
// yargs' help after a command ran (a usage mistake is one line), and rendering it loaded
// dist/layout.js and cost a third of connect-string's and init's run. The call is left out; the
// build stops if yargs no longer makes it in the one place this expects.
const HELP_CACHE = 'yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();';
const yargsHelpCache = {
  name: 'yargs-help-cache',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]yargs[\\/]build[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const found = text.split(HELP_CACHE).length - 1;
      if (found !== 1) throw new Error(`yargs' command.js caches help ${found} times where zkgen expects once: see yargsHelpCache in scripts/bundle.mjs`);
      return { contents: text.replace(HELP_CACHE, ''), loader: 'js' };
    });
  },
};

// The templates (src/generated/templates.js, 240 kB: the largest part of the code): docker-compose.yml's stays in
// dist/zkgen.js, precompiled here as scripts/build-assets.mjs does, since printing it is the default
// command; every other is served from dist/templates.js, required the first time one is asked for.
const PRINTED = 'docker-compose.yml';
const templates = {
  name: 'templates',
  setup(b) {
    const generated = /[\\/]src[\\/]generated[\\/]templates\.js$/;
    // Its require('./templates.js') is dist/templates.js (render/index.ts's './templates.js' is another file).
    b.onResolve({ filter: /^\.\/templates\.js$/ }, (args) => (generated.test(args.importer) ? { path: args.path, external: true } : undefined));
    b.onLoad({ filter: generated }, () => {
      const spec = precompileTemplate(`templates/${PRINTED}.hbs`, readFileSync(`templates/${PRINTED}.hbs`, 'utf8'));
      const contents = `const printed = { ${JSON.stringify(PRINTED)}: ${spec} };
let others;
export const TEMPLATE_NAMES = ${JSON.stringify(TEMPLATE_NAMES)};
export function templateSpec(name) {
  return printed[name] ?? (others ??= require('./templates.js')).templateSpec(name);
}
`;
      return { contents, loader: 'js' };
    });
  },
};

const bin = `#!/usr/bin/env node
// Generated by scripts/bundle.mjs: zkgen's command line is main() in src/cli.ts.
require('./zkgen.js').main(process.argv.slice(2)).then((status) => (process.exitCode = status));
`;

// Each file is written whole under a temporary name and renamed into place, so that a zkgen run
// while a build is going (tests, another engineer's shell) sees the old file or the new, never half.
function put(file, text, mode = 0o644) {
  writeFileSync(`${file}.new`, text, { mode });
  renameSync(`${file}.new`, file);
}

const [zkgen, templateFile, yaml, layout, recordCheck] = await Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli.ts'],
    plugins: [lazy, yargsAssert, yargsHelpCache, templates],
    external: ['./yaml.js', './layout.js', './record-check.js'],
    // yargs is an ES module that finds itself through import.meta.url: its locales three folders
    // up, and the "main" folder (where it looks for a package.json to guess a version from, on every
    // start) before the last node_modules in its path, or else the working directory. Told it sits
    // where it would be installed beside zkgen's code, dist/node_modules/yargs/ (no such folder is
    // shipped), both stay inside zkgen's own folder: not the user's folders walked up to /, nor
    // another package's locales, whatever folder zkgen is run from.
    define: { 'import.meta.url': '__zkgenFileUrl' },
    banner: {
      js: "'use strict';\nconst __zkgenFileUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, 'node_modules/yargs/lib/platform-shims/esm.mjs')).href;",
    },
  }),
  build({ ...common, entryPoints: ['src/generated/templates.js'] }),
  build({ ...common, stdin: { contents: `export { ${LAZY.yaml.names.join(', ')} } from 'yaml';`, resolveDir: '.' } }),
  build({ ...common, stdin: { contents: "export { default as cliui } from 'cliui';\nexport { default as stringWidth } from 'string-width';", resolveDir: 'node_modules/yargs' } }),
  build({ ...common, entryPoints: ['src/generated/validate-record.js'] }),
]).then((bundles) => bundles.map((b) => b.outputFiles[0].text));

mkdirSync('dist', { recursive: true });
// What earlier builds wrote and this one no longer does.
for (const old of ['dist/zkgen.cache', 'dist/yargs.js']) rmSync(old, { force: true });
put('dist/package.json', '{ "type": "commonjs" }\n');
put('dist/templates.js', templateFile);
put('dist/yaml.js', yaml);
put('dist/layout.js', layout);
put('dist/record-check.js', recordCheck);
put('dist/zkgen.js', zkgen);
put('dist/cli.js', bin, 0o755);
