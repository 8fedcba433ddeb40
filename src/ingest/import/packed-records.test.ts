import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordKeys } from '../../store/columns.js';
import { record } from '../../store/testing/fixtures.js';
import { packRecords, unpackRecords } from './packed-records.js';

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
  ];
  const packed = packRecords(given);
  // Across a thread the buffer is transferred: a copy of it stands in for that here.
  const { records, keys } = unpackRecords({ ...packed, rawBytes: packed.rawBytes.slice(0) });
  assert.deepEqual(records, given);
  for (const [i, r] of given.entries()) {
    const { rawBytes, ...derived } = keys[i]!;
    assert.deepEqual(derived, recordKeys(r), `keys of record ${i}`);
    if (i === 3) assert.equal(rawBytes, undefined, 'the lone surrogate travels as text');
    else assert.deepEqual(Buffer.from(rawBytes!), Buffer.from(r.raw, 'utf8'), `raw's bytes of record ${i}`);
  }
});
