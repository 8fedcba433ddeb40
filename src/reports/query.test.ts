import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR } from '../core/time.js';
import { nextWidth, scan } from './query.js';
import { NOW, spFile } from './testing/builders.js';
import { fixtureStore } from './testing/store.js';

test('slice widths: halve after a slice that needed a second page, double after one under half a page, within a minute and 30 days', () => {
  assert.equal(nextWidth(HOUR, 500), HOUR / 2);
  assert.equal(nextWidth(HOUR, 200), HOUR / 2);
  assert.equal(nextWidth(HOUR, 10), 2 * HOUR);
  assert.equal(nextWidth(HOUR, 100), HOUR);
  assert.equal(nextWidth(HOUR, 199), HOUR);
  assert.equal(nextWidth(60_000, 5000), 60_000);
  assert.equal(nextWidth(30 * 86_400_000, 0), 30 * 86_400_000);
});

test('scan: the same records in the same order as one search, dense and sparse', async () => {
  const at = (t: number) => ({ CreationTime: new Date(t).toISOString().slice(0, 19) });
  const dense = Array.from({ length: 690 }, (_, i) =>
    spFile(i % 3 ? 'FileAccessed' : 'FileDownloaded', at(NOW - 3 * HOUR - Math.floor(i / 7) * 60_000)),
  );
  const sparse = Array.from({ length: 10 }, (_, i) => spFile('FileAccessed', at(NOW - (i + 1) * 5 * 86_400_000)));
  const records = [...dense, ...sparse];
  const store = await fixtureStore(records);
  const query = { range: { start: NOW - 60 * 86_400_000, end: NOW }, operations: ['FileAccessed', 'FileDownloaded'] };
  const direct: string[] = [];
  for await (const r of store.records.search(query)) direct.push(r.id);
  const sliced: string[] = [];
  for await (const r of scan({ store }, query)) sliced.push(r.id);
  assert.equal(direct.length, 700);
  assert.deepEqual(sliced, direct);
  await store.close();
});
