import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoUtc } from '../core/time.js';
import { commonIso, parseCreationTime } from './creation-time.js';

test('the fast reading of CreationTime agrees with parseIsoUtc wherever it answers', () => {
  const samples = [
    '2024-05-23T15:10:01',
    '2024-05-23T15:10:01Z',
    '2024-05-23T15:10:01z',
    '2024-05-23T15:10:01.5',
    '2024-05-23T15:10:01.123Z',
    '2024-05-23T15:10:01.1234567Z',
    '2024-05-23T15:10:01.12',
    '2024-02-29T00:00:00',
    '2023-02-29T00:00:00',
    '2024-04-31T00:00:00',
    '2024-12-31T23:59:59.999',
    '2024-13-01T00:00:00',
    '2024-00-10T00:00:00',
    '2024-05-23T24:00:00',
    '2024-05-23T15:60:00',
    '2024-05-23T15:10:60',
    '2024-05-23T15:10:01+02:00',
    '2024-05-23 15:10:01',
    '2024-05-23T15:10:01.',
    '2024-05-23T15:10:01,5',
    ' 2024-05-23T15:10:01',
    '2024-05-23T15:10',
    '1900-02-29T00:00:00',
    '2000-02-29T00:00:00',
    '2024-05-2xT15:10:01',
    '0099-01-01T00:00:00',
  ];
  let fast = 0;
  for (const s of samples) {
    const quick = commonIso(s);
    if (quick !== null) {
      fast++;
      assert.equal(quick, parseIsoUtc(s), s);
      assert.equal(parseCreationTime(s), quick, s);
    }
  }
  assert.ok(fast >= 10, 'the common shapes take the fast path');
  for (let t = Date.UTC(2023, 0, 1); t < Date.UTC(2025, 0, 1); t += 86_400_000 * 0.37 + 1234) {
    const iso = new Date(t).toISOString();
    assert.equal(commonIso(iso), t, iso);
    assert.equal(commonIso(iso.slice(0, 19)), parseIsoUtc(iso.slice(0, 19)), iso);
  }
});

test('seconds past 59 roll over; offsets and other shapes still parse', () => {
  assert.equal(parseCreationTime('2023-10-10T17:08:65'), Date.UTC(2023, 9, 10, 17, 9, 5));
  assert.equal(parseCreationTime('2024-05-23T15:10:01+02:00'), Date.UTC(2024, 4, 23, 13, 10, 1));
  assert.equal(parseCreationTime('2024-02-30T00:00:00'), null);
  assert.equal(parseCreationTime('yesterday'), null);
});
