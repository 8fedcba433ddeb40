import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../core/record.js';
import { recordKeys } from '../../store/columns.js';
import { record } from '../../store/testing/fixtures.js';
import { RecordPacker, RecordUnpacker, type PackedRecords } from './packed-records.js';

/** Across a thread the buffers are transferred: copies of them stand in for that here. */
const crossed = (p: PackedRecords): PackedRecords => ({ ...p, rawBytes: p.rawBytes.slice(0), codes: p.codes.slice(0) });

/** A record whose every field holds a value of its own, so that two fields swapped on the way show. */
function distinct(i: number): AuditRecord {
  return {
    tenant: `tenant-${i}`,
    id: `id-${i}`,
    creationTime: 1_700_000_000_000 + i,
    recordType: 6 + i,
    operation: `Operation${i}`,
    workload: `Workload${i}`,
    userId: `User${i}@Contoso.com`,
    userKey: `user${i}@contoso.com`,
    userType: i,
    clientIp: `203.0.113.${i}`,
    clientPort: 4000 + i,
    objectId: `https://contoso.sharepoint.com/${i}`,
    resultStatus: `Status${i}`,
    outcome: i % 2 ? 'success' : 'failure',
    organizationId: `org-${i}`,
    source: i % 2 ? 'import' : 'graph',
    contentType: i % 2 ? 'Audit.SharePoint' : null,
    userAgent: `Agent/${i}`,
    appId: `app-${i}`,
    logonType: i,
    raw: `{"Operation":"Operation${i}"}`,
  };
}

test('a packed batch unpacks to the same records, with raw as UTF-8 bytes wherever UTF-8 can carry it', () => {
  const withRaw = (raw: string, over = {}) => record({ ...over, raw });
  const given = [
    withRaw('{"Operation":"FileAccessed"}'),
    withRaw('{"UserId":"Zoë@contoso.com","Note":"日本語 😀"}', { userId: 'Zoë@contoso.com' }),
    withRaw('{"Operation":"FileAccessed"}'.repeat(50)),
    // A lone surrogate (a Graph record's auditData string can decode to one): UTF-8 would change it.
    withRaw('{"X":"\ud800"}'),
    withRaw(''),
    withRaw('{"Y":"ascii after all that"}'),
    distinct(1),
    distinct(2),
    // A GUID the source wrote in upper case: the key it was spelled with crosses too (ADR 0039).
    { ...distinct(3), receivedKey: { tenant: 'TENANT-3', id: 'ID-3' } },
  ];
  const { records, keys } = new RecordUnpacker().unpack(crossed(new RecordPacker().pack(given)));
  assert.deepEqual(records, given);
  for (const [i, r] of given.entries()) {
    const { rawBytes, ...derived } = keys[i]!;
    assert.deepEqual(derived, recordKeys(r), `keys of record ${i}`);
    if (i === 3) assert.equal(rawBytes, undefined, 'the lone surrogate travels as text');
    else assert.deepEqual(Buffer.from(rawBytes!), Buffer.from(r.raw, 'utf8'), `raw's bytes of record ${i}`);
  }
});

test('a repeated value crosses once per file; past the dictionary’s size new values cross as they are', () => {
  const max = 40;
  const packer = new RecordPacker(max);
  const unpacker = new RecordUnpacker();
  const batches = [
    [distinct(1), distinct(1), distinct(2)],
    [distinct(2), distinct(3), distinct(1)],
    [distinct(4), distinct(5), distinct(3)],
  ];
  const words: number[] = [];
  const inline: number[] = [];
  for (const batch of batches) {
    const packed = packer.pack(batch);
    words.push(packed.words.length);
    inline.push(packed.inline.length);
    assert.deepEqual(unpacker.unpack(crossed(packed)).records, batch, 'every batch unpacks exactly');
  }
  // Records 1 and 2 bring about 15 values each, record 3 as many again: the dictionary fills up in the second
  // batch, and the third's new values (records 4 and 5, and record 3's that did not fit) travel inline.
  assert.equal(inline[0], 0, 'the first batch fits');
  assert.equal(words[0]! + words[1]! + words[2]!, max, `words per batch: ${words.join(', ')}`);
  assert.equal(words[2], 0);
  assert.ok(inline[2]! > 0, 'new values past the limit travel inline');
  // Record 1's values are known: they cross as numbers only.
  const again = packer.pack([distinct(1), distinct(1)]);
  assert.deepEqual([again.words.length, again.inline.length], [0, 0]);
  assert.deepEqual(unpacker.unpack(crossed(again)).records, [distinct(1), distinct(1)]);
});
