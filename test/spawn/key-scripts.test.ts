// tls.sh, super-user.sh, auth.sh and prepare.sh run for real on this machine, as an operator runs
// them (as root), in a temporary folder: they refuse to make new keys or passwords beside what
// running members still trust, refuse a folder the members would not mount, report certificate
// expiry, and a JAAS file copied as auth.sh prints is readable by the image's user, which
// prepare.sh checks as that user. Needs root, openssl, keytool and setpriv.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCommand, tempDir, writeBundle } from '../helpers.js';

const runnable = process.getuid?.() === 0 && ['openssl', 'keytool', 'setpriv'].every(hasCommand);

function run(script: string, args: string[] = [], env: Record<string, string> = {}) {
  const result = spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.runIf(runnable)('tls.sh', () => {
  it('reports each certificate\'s end, warns (exit 1 with --expiry) within 30 days, and makes no new CA once it is lost', () => {
    const dir = tempDir('tls-expiry');
    const out = writeBundle({ image: 'zookeeper:3.9.4', servers: 2, dataRoot: dir, tls: { quorum: true } }, dir);
    const made = run(join(out, 'tls.sh'));
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^zk1's certificate ends .* GMT$/m);
    expect(made.stdout).toMatch(/^the CA's certificate ends /m);
    const fresh = run(join(out, 'tls.sh'), ['--expiry']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/^zk2's certificate ends /m);
    // zk2's key store replaced by one whose certificate (from the same CA) ends in 10 days.
    const zk2 = join(dir, 'tls', 'members', 'zk2');
    const ca = join(dir, 'tls', 'ca');
    const sh = (command: string) => expect(spawnSync('bash', ['-c', command], { cwd: zk2, encoding: 'utf8' }).status).toBe(0);
    sh('openssl req -newkey rsa:2048 -nodes -subj /CN=zk2 -keyout k.pem -out c.csr 2>/dev/null');
    sh(`openssl x509 -req -days 10 -in c.csr -CA ${ca}/ca.crt -CAkey ${ca}/ca.key -set_serial 7 -out c.pem 2>/dev/null`);
    sh('openssl pkcs12 -export -in c.pem -inkey k.pem -out keystore.p12 -passout file:keystore.pass && rm k.pem c.csr c.pem');
    const soon = run(join(out, 'tls.sh'), ['--expiry']);
    expect(soon.code).toBe(1);
    expect(soon.stderr).toMatch(/^WARN: zk2's certificate ends .*, within 30 days: move .*zk2 away, run tls.sh again and restart zk2$/m);
    expect(soon.stdout).toMatch(/^zk1's certificate ends /m);
    // A plain run still makes and keeps, and says so too, without failing.
    const kept = run(join(out, 'tls.sh'));
    expect(kept.code).toBe(0);
    expect(kept.stderr).toMatch(/WARN: zk2's certificate/);

    // The CA lost: no new one beside the members' keys it signed, and how to recover.
    rmSync(ca, { recursive: true });
    const again = run(join(out, 'tls.sh'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ca is gone, but .*members holds keys it signed.*back from a backup.*start over/);
    expect(() => statSync(join(ca, 'ca.key'))).toThrow();
  });

  it('on one machine, refuses a keys folder the members would not mount', () => {
    const dir = tempDir('tls-folder');
    const out = writeBundle({ image: 'zookeeper:3.9.4', servers: 1, dataRoot: dir, tls: { quorum: true } }, dir);
    const other = run(join(out, 'tls.sh'), [join(dir, 'elsewhere')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^FAIL: the members mount their keys from .*\/tls \(tls.keys in the ensemble file\)/);
    expect(run(join(out, 'tls.sh'), [join(dir, 'tls')]).code).toBe(0);
  });
});

describe.runIf(runnable)('super-user.sh', () => {
  it('refuses to make a new password beside the digest of a lost one, and says how to recover', () => {
    const dir = tempDir('super-user');
    const out = writeBundle({ image: 'zookeeper:3.9.4', servers: 3, dataRoot: dir, reconfig: true }, dir);
    expect(run(join(out, 'super-user.sh')).code).toBe(0);
    const digest = readFileSync(join(dir, 'reconfig', 'server', 'jvm.args'), 'utf8');
    rmSync(join(dir, 'reconfig', 'super.password'));
    const again = run(join(out, 'super-user.sh'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/super.password is gone, but .*jvm.args holds the digest .*back from a backup.*restart every member/);
    expect(readFileSync(join(dir, 'reconfig', 'server', 'jvm.args'), 'utf8')).toBe(digest);
  });

  it.each([1, 3])('refuses a folder reconfigure.sh would not read (%i machines)', (machines) => {
    const dir = tempDir('super-user-folder');
    const servers = machines === 1 ? 3 : [{ host: 'a.example' }, { host: 'b.example' }, { host: 'c.example' }];
    const out = writeBundle({ image: 'zookeeper:3.9.4', servers, dataRoot: dir, reconfig: true }, dir);
    const other = run(join(out, 'super-user.sh'), [join(dir, 'elsewhere')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^FAIL: reconfigure.sh and the members read the super user from /);
  });
});

describe.runIf(runnable)('auth.sh and prepare.sh on several machines', () => {
  const hosts = [{ host: 'a.example' }, { host: 'b.example' }, { host: 'c.example' }];

  it('the printed copy leaves the JAAS file readable by the image\'s user, and prepare.sh checks that as that user', () => {
    const dir = tempDir('auth');
    const out = writeBundle({ image: 'zookeeper:3.9.4', servers: hosts, dataRoot: join(dir, 'there'), auth: { quorum: true } }, dir);
    // Made in a folder of its own, then copied as printed, with ssh standing for the machine.
    const made = run(join(out, 'auth.sh'), [join(dir, 'made')]);
    expect(made.code).toBe(0);
    const copy = made.stdout.split('\n').find((l) => l.includes('ssh root@a.example'));
    expect(copy).toBeDefined();
    const copied = spawnSync('bash', ['-c', `set -euo pipefail; ssh() { shift; bash -c "$1"; }; ${copy!.trim()}`], { encoding: 'utf8' });
    expect(copied.stderr).toBe('');
    expect(copied.status).toBe(0);
    const prepare = join(out, 'hosts', 'a.example', 'prepare.sh');
    const ok = run(prepare);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    // The folder as the copy used to leave it: root's, 0700. Root reads it; the image's user cannot.
    const secrets = join(dir, 'there', 'auth');
    chownSync(secrets, 0, 0);
    chmodSync(secrets, 0o700);
    const refused = run(prepare);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^FAIL: uid 1000, whom zk1 runs as, cannot read .*\/there\/auth or a file in it: as root, chown -R 1000 it/);
  });

  it('prepare.sh keeps an existing data folder\'s mode', () => {
    const dir = tempDir('prepare');
    const out = writeBundle({ image: 'zookeeper:3.9.4', servers: hosts, dataRoot: dir }, dir);
    mkdirSync(join(dir, 'zk1'), { mode: 0o700 });
    chmodSync(join(dir, 'zk1'), 0o700);
    const result = run(join(out, 'hosts', 'a.example', 'prepare.sh'));
    expect(result.code).toBe(0);
    expect(statSync(join(dir, 'zk1')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'zk1', 'datalog')).isDirectory()).toBe(true);
  });
});

describe.runIf(runnable)('auth.sh on one machine', () => {
  it('refuses a secrets folder the members would not mount', () => {
    const dir = tempDir('auth-folder');
    const out = writeBundle({ image: 'zookeeper:3.9.4', servers: 3, dataRoot: dir, auth: { quorum: true } }, dir);
    const other = run(join(out, 'auth.sh'), [join(dir, 'elsewhere')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^FAIL: the members mount their secrets from /);
    expect(run(join(out, 'auth.sh')).code).toBe(0);
  });
});
