import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { AuditRecord } from '../core/record.js';
import { readBlob } from './blob-reader.js';

const rec = (id: string, extra = ''): string =>
  `{"Id":"${id}","CreationTime":"2026-03-09T10:00:00","Operation":"FileAccessed","OrganizationId":"t","RecordType":6,"UserId":"a@b.c","Workload":"SharePoint"${extra}}`;

test('a blob is read element by element across chunk borders (multi-byte too), hashed and batched', async () => {
  const body = `[${rec('1', ',"Name":"résumé ✓"')},${rec('2')},${rec('3')}]`;
  const bytes = Buffer.from(body);
  const chunks = [bytes.subarray(0, 57), bytes.subarray(57, 58), bytes.subarray(58, 150), bytes.subarray(150)];
  const batches: AuditRecord[][] = [];
  const { result, rest } = await readBlob(
    Readable.from(chunks),
    { tenant: 't', contentType: 'Audit.SharePoint', batchSize: 2 },
    async (b) => void batches.push(b),
  );
  assert.equal(result.records, 3);
  assert.equal(result.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.deepEqual(
    batches.map((b) => b.map((r) => r.id)),
    [['1', '2']],
  );
  assert.deepEqual(
    rest.map((r) => r.id),
    ['3'],
  );
  assert.match(batches[0]![0]!.raw, /résumé ✓/);
  assert.equal(result.notUtf8, false, 'a character split across chunks is UTF-8');
});

test('a body with bytes that are not UTF-8 keeps its records (U+FFFD in their place) and says so', async () => {
  // Latin-1 é (0xE9) where UTF-8 was due, in a chunk of its own.
  const [before, after] = `[${rec('1', ',"Name":"caf#"')},${rec('2')}]`.split('#') as [string, string];
  const chunks = [Buffer.from(before), Buffer.from([0xe9]), Buffer.from(after)];
  const { result, rest } = await readBlob(
    Readable.from(chunks),
    { tenant: 't', contentType: 'Audit.SharePoint', batchSize: 10 },
    async () => {},
  );
  assert.equal(result.notUtf8, true);
  assert.deepEqual(
    rest.map((r) => r.id),
    ['1', '2'],
  );
  assert.match(rest[0]!.raw, /"Name":"caf\uFFFD"/);
  assert.equal(result.sha256, createHash('sha256').update(Buffer.concat(chunks)).digest('hex'));
});

test("a blob's needless \\u escapes are stored as their characters, while its sha256 stays the body's", async () => {
  const body = `[${rec('1', String.raw`,"Name":"r\u00e9sum\u00E9 R\u0026D \u0022q\u0022"`)}]`;
  const { result, rest } = await readBlob(
    Readable.from([Buffer.from(body)]),
    { tenant: 't', contentType: 'Audit.SharePoint', batchSize: 10 },
    async () => {},
  );
  assert.equal(result.sha256, createHash('sha256').update(body).digest('hex'), 'the evidence is the body received');
  assert.equal(rest[0]!.raw, rec('1', String.raw`,"Name":"résumé R&D \u0022q\u0022"`));
});

test('an element that cannot be normalized is counted with its reason, never silently dropped; empty body = no records', async () => {
  const { result, rest } = await readBlob(
    Readable.from([`[${rec('1')}, 42, {"no":"fields"}]`]),
    { tenant: 't', contentType: 'Audit.General', batchSize: 100 },
    async () => undefined,
  );
  assert.equal(rest.length, 1);
  assert.equal(result.rejected.count, 2);
  assert.equal(result.rejected.reasons.length, 2);
  const empty = await readBlob(
    Readable.from([]),
    { tenant: 't', contentType: 'Audit.General', batchSize: 100 },
    async () => undefined,
  );
  assert.equal(empty.result.records, 0);
});

test('a body cut inside a record is an error (fetched again), not a short blob', async () => {
  await assert.rejects(
    readBlob(
      Readable.from([`[${rec('1')},{"Id":"2","Crea`]),
      { tenant: 't', contentType: 'Audit.General', batchSize: 100 },
      async () => undefined,
    ),
    { code: 'NETWORK' },
  );
});
