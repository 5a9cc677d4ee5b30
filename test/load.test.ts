// The loader's contract for every input, as the CLI shows it: a file that is not plain JSON data
// in UTF-8 is refused with exit 1 and one line per problem that says where — never a crash, a
// Node warning, a silently dropped value or a raw control character on the terminal.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '../src/index.js';
import { escaped, quoted, showPointer } from '../src/pointer.js';
import { runMain, tempDir } from './helpers.js';

const dir = tempDir('load');

function cli(name: string, content: string | Buffer) {
  writeFileSync(join(dir, name), content);
  return runMain([name], { cwd: dir });
}

// Three levels of ten aliases each: ten thousand values from a few lines.
const BOMB = 'servers: 3\na: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';

describe('YAML that is not plain JSON data', () => {
  it.each([
    ['an alias bomb', BOMB, /^e\.yaml:3:\d+: not valid YAML: aliases expand past 100 references: write the values out$/],
    ['an undefined alias', 'servers: *three\n', /^e\.yaml:1:10: not valid YAML: the alias "\*three" names no anchor set before it$/],
    ['!!omap', 'servers: 3\nconfig: !!omap\n  - clientPort: 1\n', /^e\.yaml:3:3: \/config: the tag "!!omap" makes a value JSON cannot hold/],
    ['!!pairs', 'servers: 3\nports: !!pairs\n  - client: 1\n', /^e\.yaml:3:3: \/ports: the tag "!!pairs"/],
    ['!!set', 'servers: 3\nfourLetterWords: !!set\n  ? mntr\n', /^e\.yaml:3:3: \/fourLetterWords: the tag "!!set"/],
    ['!!binary', 'servers: 3\nheap: !!binary aGk=\n', /^e\.yaml:2:\d+: \/heap: the tag "!!binary"/],
    ['!!timestamp', 'servers: 3\nimage: !!timestamp 2001-01-01\n', /^e\.yaml:2:\d+: \/image: the tag "!!timestamp"/],
    ['a custom tag', 'servers: !three 3\n', /^e\.yaml:1:\d+: \/servers: the tag "!three"/],
    ['a collection key', '? [a]\n: 1\nservers: 3\n', /^e\.yaml:1:3: a key must be a scalar, not a list, mapping or alias$/],
    ['an infinite number', 'servers: 3\ntickTime: .inf\n', /^e\.yaml:2:11: \/tickTime: "\.inf" is not a number JSON can hold$/],
    ['not a number', 'servers: 3\nconfig: { snapCount: .nan }\n', /^e\.yaml:2:22: \/config\/snapCount: "\.nan" is not a number JSON can hold$/],
    ['two documents', 'servers: 3\n---\nservers: 5\n', /^e\.yaml:2:1: not valid YAML: the file holds 2 documents; an ensemble file is one$/],
    ['a %YAML 1.1 directive', '%YAML 1.1\n---\nservers: 3\nadminServer: on\nx: 2001-01-01\n', /^e\.yaml:1:1: not valid YAML: zkgen reads YAML 1\.2, not 1\.1: remove the %YAML directive$/],
    ['deep nesting', `servers: 3\nx: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, /^e\.yaml(:\d+:\d+)?: (\(root\): )?not valid YAML: nested too deeply$/],
  ])('%s is refused at its place, exit 1, no warning', async (_, text, line) => {
    const result = await cli('e.yaml', text);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(line);
    expect(result.stderr).not.toMatch(/internal error|Warning|\n\s+at /);
  });

  it('keeps core tags and aliases within the bound', () => {
    const parsed = parse('servers: !!int 3\nimage: &i !!str zookeeper:3.9.4\nconfig: { a: *i }\n', 'yaml');
    expect(parsed).toEqual({ ok: true, value: { servers: 3, image: 'zookeeper:3.9.4', config: { a: 'zookeeper:3.9.4' } } });
  });
});

describe('JSON', () => {
  it('refuses a key given twice, at its pointer, line and column, in any object', async () => {
    const result = await cli('e.json', '{"servers": 3,\n "config": {"a": 1, "a": 2},\n "servers": [{"id": 1, "id": 2}]}');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'e.json:2:21: /config/a: key "a" is given twice: JSON readers differ on which one counts',
        'e.json:3:2: /servers: key "servers" is given twice: JSON readers differ on which one counts',
        'e.json:3:24: /servers/0/id: key "id" is given twice: JSON readers differ on which one counts',
        '',
      ].join('\n'),
    });
  });

  it('refuses deep nesting without a crash', async () => {
    const result = await cli('e.json', `{"servers": 3, "$schema": ${'['.repeat(200000)}${']'.repeat(200000)}}`);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'e.json: /$schema: must be a string\n' });
  });

  it('tells keys from string values, escapes included', () => {
    expect(parse('{"a": "\\"b\\":", "b": ["a", "a"], "c\\"": {"c\\"": 1}}', 'json').ok).toBe(true);
  });
});

describe('bytes', () => {
  it.each([
    ['e.json', '{"servers": 3}'],
    ['e.yaml', 'servers: 3\n'],
  ])('a UTF-8 byte order mark before %s is dropped', async (name, text) => {
    const result = await cli(name, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('a second byte order mark is not dropped: the JSON is invalid', async () => {
    const bom = [0xef, 0xbb, 0xbf];
    const result = await cli('e.json', Buffer.concat([Buffer.from([...bom, ...bom]), Buffer.from('{"servers": 3}')]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^e\.json: \(root\): not valid JSON: /);
  });

  it.each([
    ['a stray continuation byte', [0x80], 0],
    ['a byte no UTF-8 holds', [0xff], 0],
    ['a truncated sequence', [0xe2, 0x82], 0],
    ['an overlong form', [0xc0, 0xaf], 0],
    ['a surrogate', [0xed, 0xa0, 0x80], 0],
  ])('%s is refused with its byte offset, not read as U+FFFD', async (_, bad, at) => {
    const head = Buffer.from('{"servers": 3,\n "dataRoot": "/dé');
    const result = await cli('e.json', Buffer.concat([head, Buffer.from(bad), Buffer.from('"}')]));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const hex = bad[at]!.toString(16).toUpperCase().padStart(2, '0');
    expect(result.stderr).toBe(`e.json:2:18: not valid UTF-8: byte 0x${hex} at byte offset ${head.length + at} is not part of a UTF-8 character; save the file as UTF-8\n`);
  });
});

describe('text echoed in a message', () => {
  it('keeps a problem on one line with no control sequence reaching the terminal', async () => {
    const key = 'colour\u001b[31m\nred\u0085\u2028\u202e\u0000\u007f';
    const result = await cli('e.json', JSON.stringify({ servers: 3, [key]: 1, config: { [`a/${key}`]: 1 } }));
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toMatch(/[\p{Cc}\u2028\u2029\u202e]/u);
    expect(lines[0]).toBe(`e.json: /colour\\u001b[31m\\nred\\u0085\\u2028\\u202e\\u0000\\u007f: unknown key "colour\\u001b[31m\\nred\\u0085\\u2028\\u202e\\u0000\\u007f" (known: $schema, image, dialect, servers, ports, host, listen, tls, auth, reconfig, dataRoot, adminServer, metrics, healthcheck, fourLetterWords, tickTime, initLimit, syncLimit, maxClientCnxns, autopurge, heap, restart, config)`);
  });

  it.each([
    ['\n', '\\n'],
    ['\u0085', '\\u0085'],
    ['\u2029', '\\u2029'],
    ['\u200f', '\\u200f'],
    ['\ud800', '\\ud800'],
    ['é😀', 'é😀'],
  ])('escaped(%j) is %s', (raw, shown) => expect(escaped(raw)).toBe(shown));

  it('quotes as JSON and shows pointers the same way', () => {
    expect(quoted('a"b\u2028')).toBe('"a\\"b\\u2028"');
    expect(showPointer('/a\nb')).toBe('/a\\nb');
    expect(showPointer('')).toBe('(root)');
  });
});
