// Templates place and quote, never compute: the precompiler refuses any helper but Handlebars'
// block helpers and the quoting helpers, and those are exactly the ones the runtime registers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without typings
import { QUOTING_HELPERS, precompileTemplate } from '../scripts/template-options.mjs';
import { QUOTING_HELPERS as registered } from '../src/render/templates.js';

// The build script's two exports as this test uses them (it has no typings to say so).
const precompile = precompileTemplate as (file: string, source: string) => unknown;
const buildHelpers = QUOTING_HELPERS as string[];

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

  it.each(readdirSync(templates).filter((f) => f.endsWith('.hbs')))('%s keeps to the rule', (file) => {
    expect(() => precompile(file, readFileSync(join(templates, file), 'utf8'))).not.toThrow();
  });
});
