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
      expect(() => precompile('templates/t.sh.hbs', source)).toThrow(/^templates\/t\.sh\.hbs: .*(helper|known)/i);
    },
  );

  // Handlebars' strict mode does not reach a helper's argument: a field the view lacks would be
  // written as "undefined". The helpers refuse it, so rendering fails instead.
  it.each(['sh', 'yaml', 'cfg'])('{{%s missing}} of a field the view lacks fails the render', (helper) => {
    const runtime = Handlebars.create();
    runtime.registerHelper(registered);
    const template = runtime.compile(`x: {{${helper} missing}}\n`, buildOptions());
    expect(() => template({ present: 'a' })).toThrow(`zkgen bug: a template placed {{${helper}}} of a field its view does not have`);
    expect(runtime.compile(`x: {{${helper} present}}\n`, buildOptions())({ present: 'a' })).toBe('x: a\n');
  });

  it('block helpers and quoting helpers are allowed', () => {
    expect(() => precompile('t.sh', 'x=({{#each xs}}{{#if y}}{{sh this}}{{/if}}{{#unless @last}} {{sh z}}{{/unless}} {{/each}})')).not.toThrow();
  });

  it.each(['{{name}}', 'x={{files.keyStore}}', '{{#each xs}}{{this}}{{/each}}', '{{{name}}}', '{{@index}}', '{{sh (sh name)}}', '{{sh a b}}'])(
    'a value placed without a quoting helper is a build error: %s',
    (source) => {
      expect(() => precompile('templates/t.sh.hbs', `# line one\n${source}\n`)).toThrow(/^templates\/t\.sh\.hbs: a value placed without a quoting helper .*line 2: /);
    },
  );

  // Each template's language is in its name (NAME.sh.hbs, NAME.yml.hbs, NAME.cfg.hbs; a partial
  // _x.sh.hbs is placed as {{> _x.sh}}); a value goes through that language's helper, where the
  // helper's output keeps the value's meaning.
  it.each([
    ['t.sh', 'echo "hello {{sh name}}"', /inside a double-quoted string/],
    ['t.sh', "bash -c 'echo {{sh name}}'", /single-quoted/],
    ['t.sh', 'echo $\'a\\n{{sh name}}\'', /\$'…'/],
    ['t.sh', 'echo "$(id -u) {{sh name}}"', /double-quoted/],
    ['t.sh', 'echo `id {{sh name}}`', /`…`/],
    ['t.sh', 'echo $(( {{sh n}} + 1 ))', /\$\(\(…\)\)/],
    ['t.sh', 'cat <<EOF\nname: {{sh name}}\nEOF', /here-document/],
    ['t.sh', 'echo ${{sh name}}', /after '\$'/],
    ['t.sh', 'echo \\\\{{sh name}}', /after a '\\' escape/],
    ['t.sh', 'docker run {{#each volumes}}-v {{sh this}}{{/each}} x', /run into the next item/],
    ['t.sh', 'x=({{#each xs}}{{sh this}}{{/each}})', /run into the next item/],
    ['t.sh', 'name={{cfg name}}', /cfg in sh/],
    ['t.sh', 'name={{yaml name}}', /yaml in sh/],
    ['t.sh', '# the ensemble {{cfg name}}', /cfg in a comment of sh/],
    ['t.sh', '{{> _p.yml}}', /a partial of yaml in sh/],
    ['t.sh', '{{> _p}}', /a partial of no language in sh/],
    ['t.sh', '{{#> _p.sh}}echo "{{sh name}}"{{/_p.sh}}', /double-quoted/],
    ['t.yml', 'key: prefix-{{yaml name}}', /joined to the text before/],
    ['t.yml', 'key: [{{yaml a}}:{{yaml b}}]', /line 1: \{\{yaml a\}\} \(joined to the text after.*\{\{yaml b\}\} \(joined to the text before/],
    ['t.yml', 'key: {{yaml name}}-suffix', /joined to the text after/],
    ['t.yml', 'key:{{yaml name}}', /joined to the text before/],
    ['t.yml', 'key: hello {{yaml name}}', /joined to the text before/],
    ['t.yml', 'key: {{yaml name}} world', /joined to the text after/],
    ['t.yml', 'key: "hello {{yaml name}}"', /inside a double-quoted scalar/],
    ['t.yml', "key: 'hello {{yaml name}}'", /single-quoted/],
    ['t.yml', 'command: |\n  echo {{yaml name}}\nnext: 1', /block scalar/],
    ['t.yml', 'key: [{{#each xs}}{{yaml this}}{{/each}}]', /joined to the text/],
    ['t.yml', 'key: {{sh name}}', /sh in yaml/],
    ['t.yml', '# uid {{cfg owner}}', /cfg in a comment of yaml/],
    ['zoo.cfg', 'dataDir={{sh dir}}', /sh in cfg/],
    ['zoo.cfg', 'key=a\\\\{{cfg x}}', /after '\\'/],
    ['myid', '{{yaml id}}', /yaml in cfg/],
    ['t', '{{sh name}}', /no language in its name/],
  ])('refused: %s with %j', (name, source, why) => {
    expect(() => precompile(`templates/${name}.hbs`, `# line one\n${source}\n`)).toThrow(
      new RegExp(`^templates/${name.replace('.', '\\.')}\\.hbs: (a value placed where its quoting does not keep its meaning|no language)`),
    );
    expect(() => precompile(`templates/${name}.hbs`, source)).toThrow(why);
  });

  it.each([
    ['t.sh', 'docker run -d --name={{sh name}} -v {{sh folder}}/data:/data {{sh image}} >/dev/null'],
    ['t.sh', 'names=({{#each members}}{{#unless @first}} {{/unless}}{{sh name}}{{/each}})'],
    ['t.sh', 'folders=({{#each xs}}{{#unless @first}}:{{/unless}}{{sh this}}{{/each}})'],
    ['t.sh', '{{#each volumes}} -v {{sh this}}{{/each}}'],
    ['t.sh', 'case "$1" in\n  {{sh name}}) own=(--name={{sh name}}) ;;\nesac'],
    ['t.sh', 'uid="$(id -u {{sh user}})"'],
    ['t.sh', "echo 'it'\\''s' {{sh name}} \"$x\"{{sh name}}'.'"],
    ['t.sh', "cat <<'EOF'\nliteral $x\nEOF\necho {{sh name}}"],
    ['t.sh', 'echo ${#jobs[@]} {{sh name}} # {{sh name}}, who'],
    ['t.sh', 'in_image {{sh command}}" $(printf %x $(($2 - 1)))"'],
    ['t.sh', 'printf %s\\\\\\{{sh name}}'], // the template writes \\ (an escaped backslash), then the value
    ['t.yml', 'key: {{yaml name}}'],
    ['t.yml', 'list:\n  - {{yaml name}}\n  - {{yaml other}} # why'],
    ['t.yml', 'flow: [{{yaml a}}, {{yaml b}}]\nmap: {a: {{yaml b}} }\ntest: [CMD, bash, -c, {{yaml probe}}]'],
    ['t.yaml', '{{#each environment}}\n  {{yaml key}}: {{yaml value}}\n{{/each}}'],
    ['t.yml', 'x: [{{#each xs}}{{yaml this}}{{#unless @last}}, {{/unless}}{{/each}}]'],
    ['t.yml', '# data folders to uid {{yaml owner}} first\n#   docker node update --label-add {{sh label}} NODE'],
    ['zoo.cfg', '# written to {{cfg path}}\n{{#each zooCfg}}\n{{cfg key}}={{cfg value}}\n{{/each}}\nserver.{{cfg id}}={{cfg host}}:{{cfg port}}:3888'],
    ['myid', '{{cfg id}}'],
    ['_p.sh', 'echo {{sh name}}'],
  ])('accepted: %s with %j', (name, source) => {
    expect(() => precompile(`templates/${name}.hbs`, source)).not.toThrow();
  });

  it('a partial says its language in its name and is placed only into a template of that language', () => {
    expect(() => precompile('templates/t.sh.hbs', '{{> _p.sh a=b}}\n')).not.toThrow();
    expect(() => precompile('templates/t.yml.hbs', '{{> _p.sh a=b}}\n')).toThrow(/a partial of sh in yaml/);
  });

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
