import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/paths.js';
import { isSealed, loadSecretKey, openSecret, redact, resolveSecret, sealSecret } from './secrets.js';

test('the key file is created with 0600 rights and reused; secrets round-trip sealed, never in clear', () => {
  const tmp = tempDir();
  try {
    const file = join(tmp.dir, 'sub', 'secret.key');
    const key = loadSecretKey(file, {}, { create: true });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadSecretKey(file, {}), key);
    const sealed = sealSecret('s3cr3t~value', key);
    assert.ok(isSealed(sealed));
    assert.ok(!sealed.includes('s3cr3t'));
    assert.notEqual(sealSecret('s3cr3t~value', key), sealed, 'a fresh IV each time');
    assert.equal(openSecret(sealed, key), 's3cr3t~value');
    assert.equal(
      resolveSecret(sealed, () => key, {}),
      's3cr3t~value',
    );
  } finally {
    tmp.cleanup();
  }
});

test('a wrong key or a tampered value fails clearly, as does a missing key file', () => {
  const tmp = tempDir();
  try {
    const key = loadSecretKey(join(tmp.dir, 'a.key'), {}, { create: true });
    const other = loadSecretKey(join(tmp.dir, 'b.key'), {}, { create: true });
    const sealed = sealSecret('value', key);
    assert.throws(() => openSecret(sealed, other), { code: 'SECRET_KEY' });
    assert.throws(() => loadSecretKey(join(tmp.dir, 'none.key'), {}), { code: 'SECRET_KEY' });
  } finally {
    tmp.cleanup();
  }
});

test('TENANTWATCH_SECRET_KEY (base64 or hex) replaces the file; a bad one is refused', () => {
  const hex = 'ab'.repeat(32);
  assert.equal(loadSecretKey('/nonexistent', { TENANTWATCH_SECRET_KEY: hex }).toString('hex'), hex);
  assert.throws(() => loadSecretKey('/nonexistent', { TENANTWATCH_SECRET_KEY: 'short' }), { code: 'SECRET_KEY' });
});

test('references: env:NAME and file:PATH resolve at use, and say what is missing', () => {
  const tmp = tempDir();
  try {
    const f = join(tmp.dir, 's.txt');
    writeFileSync(f, 'from-file\n');
    assert.equal(
      resolveSecret(`file:${f}`, () => Buffer.alloc(0), {}),
      'from-file',
    );
    assert.equal(
      resolveSecret('env:TW_S', () => Buffer.alloc(0), { TW_S: 'from-env' }),
      'from-env',
    );
    assert.throws(() => resolveSecret('env:TW_NOPE', () => Buffer.alloc(0), {}), /TW_NOPE/);
    assert.throws(() => resolveSecret('emulator:demo', () => Buffer.alloc(0), {}), { code: 'SECRET_MISSING' });
    assert.equal(readFileSync(f, 'utf8'), 'from-file\n');
  } finally {
    tmp.cleanup();
  }
});

test('redact scrubs secrets and PEM key lines from any text', () => {
  const pem =
    '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC\n-----END PRIVATE KEY-----';
  const text = `failed with abcd~secret~1234 and MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC`;
  const out = redact(text, ['abcd~secret~1234', pem]);
  assert.ok(!out.includes('abcd~secret') && !out.includes('MIIEvQ'));
  assert.match(out, /\[redacted\]/);
});
