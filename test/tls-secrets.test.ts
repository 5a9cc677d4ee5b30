// No password reaches a bundle, on every image that takes TLS: the stores' passwords are made on
// the host by tls.sh, and each member reads them from files in its own read-only key folder. So
// nothing zkgen writes may carry a setting or variable that takes a password as its value
// (zoo.cfg's ssl.*.password, bitnami's ZOO_TLS_*_PASSWORD, confluent's ZOOKEEPER_SSL_*_PASSWORD,
// or the same as -D system properties), and every store is opened through a password file.
import { describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { recordOfBundle } from './helpers.js';

const IMAGES = ['zookeeper:3.9.4', 'bitnami/zookeeper:3.9', 'bitnamilegacy/zookeeper:3.8', 'confluentinc/cp-zookeeper:7.9.0'];

// Every combination of the tls switches each image accepts (confluent has no portUnification;
// bitnami's 3.8 scripts cannot close the plaintext client port).
const SWITCHES = [
  { quorum: true, client: true },
  { quorum: true },
  { client: true },
  { client: true, plaintextClientPort: true },
  { client: true, plaintextClientPort: true, portUnification: true },
  { quorum: true, portUnification: true },
];

/** Names that take a store's password itself, followed by what assigns it a value in YAML, bash, zoo.cfg or a -D flag. */
const PASSWORD_VALUE = /(ssl\.[A-Za-z.]*password|_(KEYSTORE|TRUSTSTORE)_PASSWORD)\s*[:=]/;

describe.each(IMAGES)('%s with TLS', (image) => {
  const cases = SWITCHES.filter(
    (tls) => !(image.startsWith('confluentinc/') && 'portUnification' in tls) && !(image.endsWith(':3.8') && 'client' in tls && !('plaintextClientPort' in tls)),
  );

  it.each(cases)('%j: no setting in the bundle takes a password as its value; every store has its password file', (tls) => {
    const outcome = generate({ image, servers: 3, adminServer: true, tls });
    if (!outcome.ok) throw new Error(outcome.errors.map((e) => `${e.pointer}: ${e.message}`).join('\n'));
    expect(outcome.files.some((f) => f.path === 'tls.sh')).toBe(true);
    for (const file of outcome.files) {
      const line = file.content.split('\n').find((l) => PASSWORD_VALUE.test(l));
      expect(line, `${file.path} assigns a password`).toBeUndefined();
    }
    // Each store a member opens, it opens with the password file beside it in /tls.
    const text = outcome.files.map((f) => f.content).join('\n');
    const stores = [...text.matchAll(/(ssl\.(?:quorum\.)?(?:keyStore|trustStore))\.location=\/tls\//g)].map((m) => m[1]);
    expect(stores.length).toBeGreaterThan(0);
    for (const store of new Set(stores)) expect(text, store).toMatch(new RegExp(`${store!.replace(/\./g, '\\.')}\\.passwordPath=/tls/[a-z]+\\.pass`));
  });
});

describe('tls and auth that turn nothing on', () => {
  it.each([
    [{ tls: {} }, 'tls.sh', '/tls'],
    [{ tls: { quorum: false, client: false, portUnification: false, plaintextClientPort: true } }, 'tls.sh', '/tls'],
    [{ auth: {} }, 'auth.sh', '/auth'],
    [{ auth: { quorum: false, client: false } }, 'auth.sh', '/auth'],
  ])('%j: no script, no mount, nothing prepare.sh demands, and a warning', (security, script, pointer) => {
    const hosts = { image: 'zookeeper:3.9.4', servers: [{ host: 'a.example' }, { host: 'b.example' }, { host: 'c.example' }], ...security };
    const outcome = generate(hosts);
    if (!outcome.ok) throw new Error(outcome.errors.map((e) => `${e.pointer}: ${e.message}`).join('\n'));
    expect(outcome.files.map((f) => f.path)).not.toContain(script);
    const off = generate({ image: 'zookeeper:3.9.4', servers: [{ host: 'a.example' }, { host: 'b.example' }, { host: 'c.example' }] });
    if (!off.ok) throw new Error('the same ensemble without security is refused');
    // Every file but the manifest is byte for byte the bundle without tls or auth.
    const text = (files: typeof off.files) => files.filter((f) => f.path !== 'zkgen-manifest.txt').map((f) => `${f.path}\n${f.content}`);
    expect(text(outcome.files)).toEqual(text(off.files));
    expect(outcome.warnings.map((w) => w.pointer)).toContain(pointer);
  });
});

describe('a move with TLS', () => {
  it('checks that each joining member\'s keys are there before it starts one', () => {
    const value = { image: 'zookeeper:3.9.4', adminServer: true, tls: { quorum: true, client: true }, reconfig: true };
    const old = generate({ ...value, servers: 3 });
    if (!old.ok) throw new Error('the running ensemble must be valid');
    // What the CLI hands the core of the running bundle: its record.
    const moved = generate({ ...value, servers: 4 }, { running: recordOfBundle(old.files) });
    if (!moved.ok) throw new Error(moved.errors.map((e) => `${e.pointer}: ${e.message}`).join('\n'));
    const script = moved.files.find((f) => f.path === 'reconfigure.sh')?.content ?? '';
    const checked = /^\s*read_only=\((.*)\)$/m.exec(script);
    expect(checked?.[1]?.split(' ').filter(Boolean)).toEqual(['/data/tls/members/zk4', '/data/reconfig/server']);
    const check = script.indexOf('need_filled "${read_only[@]}"');
    expect(check).toBeGreaterThan(0);
    expect(check).toBeLessThan(script.indexOf('start_joining '));
    // start_joining (reconfigure-lib.sh) starts them: compose up, or create (lib.sh's docker run).
    const library = moved.files.find((f) => f.path === 'reconfigure-lib.sh')?.content ?? '';
    expect(library).toMatch(/^start_joining\(\) \{\n(?: .*\n|\n)*? +if ! compose .* up -d --no-deps "\$@"; then\n(?: .*\n)*? +elif ! create "\$name" /m);
  });
});
