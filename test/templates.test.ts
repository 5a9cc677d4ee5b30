// Templates place and quote, never compute: the precompiler refuses any helper but Handlebars'
// block helpers and the quoting helpers, and those are exactly the ones the runtime registers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Handlebars from 'handlebars';
// @ts-expect-error: a build script in plain JavaScript, without typings
import { QUOTING_HELPERS, options, precompileTemplate } from '../scripts/template-options.mjs';
import { QUOTING_HELPERS as registered } from '../src/quote.js';

// The build script's two exports as this test uses them (it has no typings to say so).
const precompile = precompileTemplate as (file: string, source: string) => unknown;
const buildHelpers = QUOTING_HELPERS as string[];
const buildOptions = options as () => CompileOptions;
type CompileOptions = Parameters<typeof Handlebars.compile>[1];

const templates = join(import.meta.dirname, '..', 'templates');

describe('templates', () => {
  it('the precompiler knows exactly the helpers the runtime registers', () => {
    expect([...buildHelpers].sort()).toEqual(Object.keys(registered).sort());
  });

  it.each(['{{upper name}}', '{{concat a b}}', '{{#repeat 3}}x{{/repeat}}', '{{#each xs}}{{join this ", "}}{{/each}}'])(
    'a template calling a helper of its own is a build error: %s',
    (source) => {
      expect(() => precompile('templates/t.hbs', source)).toThrow(/^templates\/t\.hbs: .*(helper|known)/i);
    },
  );

  it('block helpers and quoting helpers are allowed', () => {
    expect(() => precompile('t', '{{#each xs}}{{#if y}}{{sh this}}{{/if}}{{#unless @last}}{{yaml z}}{{/unless}}{{cfg w}}{{/each}}')).not.toThrow();
  });

  it.each(['{{name}}', 'x={{files.keyStore}}', '{{#each xs}}{{this}}{{/each}}', '{{{name}}}', '{{@index}}', '{{sh (sh name)}}', '{{sh a b}}'])(
    'a value placed without a quoting helper is a build error: %s',
    (source) => {
      expect(() => precompile('templates/t.hbs', `# line one\n${source}\n`)).toThrow(/^templates\/t\.hbs: a value placed without a quoting helper .*line 2: /);
    },
  );

  it('a partial sees only the parameters it is given, never the variables of the template that includes it', () => {
    const runtime = Handlebars.create();
    runtime.registerHelper('sh', (v: string) => v);
    runtime.registerPartial('_p', runtime.compile('{{sh name}}', buildOptions()));
    const view = { members: [{ name: 'zk1' }] };
    expect(runtime.compile('{{#each members}}{{> _p name=name}}{{/each}}', buildOptions())(view)).toBe('zk1');
    expect(() => runtime.compile('{{#each members}}{{> _p}}{{/each}}', buildOptions())(view)).toThrow();
  });

  it.each(readdirSync(templates).filter((f) => f.endsWith('.hbs')))('%s keeps to the rule', (file) => {
    expect(() => precompile(file, readFileSync(join(templates, file), 'utf8'))).not.toThrow();
  });
});
