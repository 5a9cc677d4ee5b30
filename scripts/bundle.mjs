// Bundles the CLI into one file: one module to load instead of a few hundred keeps start-up close
// to Node's own (see npm run bench).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // yargs and handlebars are CommonJS inside: give the ES module bundle a require() for them.
  banner: { js: "import { createRequire as __zkgenCreateRequire } from 'node:module';\nconst require = __zkgenCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
