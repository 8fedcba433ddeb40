import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CONTENT_TYPES } from '../src/core/record.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';

// GET /_emulator/records?available=true is exactly what a client subscribed to every content type can list
// and fetch now (emulator/README.md, control API): a collector's end-to-end test compares its stored
// ids with it, so none may be missing and none extra, across expiry, stops and UAL being off.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let t: TestEmulator;
let tid: string;
before(async () => {
  // 8 days of history, so the oldest blobs have already expired; 6-hour slots keep the crawl to a few hundred blobs.
  t = await startTestEmulator({
    tenants: 2,
    users: 20,
    days: 8,
    recordsPerUserPerDay: 6,
    tuning: { slotMs: 6 * HOUR },
  });
  tid = t.emu.tenants.find((x) => x.ualEnabled)!.tenantId;
});
after(() => t.close());

async function groundTruth(available: boolean): Promise<Set<string>> {
  const res = await t.client.request('GET', `/_emulator/records?tenantId=${tid}${available ? '&available=true' : ''}`);
  assert.equal(res.status, 200);
  const ids = res.text
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { Id: string }).Id);
  assert.equal(new Set(ids).size, ids.length, 'each record once');
  return new Set(ids);
}

/** What a client gets by subscribing to every content type, listing the last 7 days and fetching every blob. */
async function crawl(): Promise<Set<string>> {
  const H = { Authorization: `Bearer ${await t.client.token(tid, 'https://manage.office.com')}` };
  const feed = `/api/v1.0/${tid}/activity/feed`;
  const ids = new Set<string>();
  for (const ct of CONTENT_TYPES) {
    const started = await t.client.request('POST', `${feed}/subscriptions/start?contentType=${ct}`, { headers: H });
    assert.ok(
      started.status === 200 || started.json<{ error: { code: string } }>().error.code === 'AF20024',
      started.text,
    );
    const now = t.emu.clock.now();
    for (let s = now - 7 * DAY; s <= now; s += DAY) {
      const iso = (ms: number) => new Date(ms).toISOString();
      let url: string | undefined =
        `${feed}/subscriptions/content?contentType=${ct}&startTime=${iso(s)}&endTime=${iso(Math.min(s + DAY, now + 1000))}`;
      while (url) {
        const page = await t.client.request('GET', url, { headers: H });
        assert.equal(page.status, 200, page.text);
        for (const item of page.json<{ contentUri: string }[]>()) {
          const blob = await t.client.request('GET', item.contentUri, { headers: H });
          assert.equal(blob.status, 200, blob.text);
          for (const r of blob.json<{ Id: string }[]>()) ids.add(r.Id);
        }
        url = page.headers.nextpageuri;
      }
    }
  }
  return ids;
}

const missingAndExtra = (got: Set<string>, want: Set<string>) => ({
  missing: [...want].filter((i) => !got.has(i)).length,
  extra: [...got].filter((i) => !want.has(i)).length,
});

test('with UAL off and no subscription nothing is available, though records exist', async () => {
  t.emu.setFaults({ ualDisabled: [tid] });
  try {
    assert.equal((await groundTruth(true)).size, 0);
    assert.ok((await groundTruth(false)).size > 0);
  } finally {
    t.emu.setFaults({ ualDisabled: [] });
  }
});

test('available = what a subscribe-to-everything crawl fetches; a strict subset of every record (expired and undelivered excluded)', async () => {
  const before = await groundTruth(true);
  const got = await crawl();
  assert.deepEqual(missingAndExtra(got, before), { missing: 0, extra: 0 });
  const all = await groundTruth(false);
  assert.ok(before.size > 100);
  assert.ok([...before].every((id) => all.has(id)));
  assert.ok(all.size > before.size, 'records in expired or not yet created blobs are not available');
});

test('after a stop the blobs made meanwhile are lost to the restarted subscription, and to available', async () => {
  const token = await t.client.token(tid, 'https://manage.office.com');
  await t.client.request('POST', `/api/v1.0/${tid}/activity/feed/subscriptions/stop?contentType=Audit.Exchange`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  await t.emu.clock.advance(12 * HOUR);
  const whileStopped = await groundTruth(true);
  const got = await crawl();
  assert.deepEqual(missingAndExtra(got, whileStopped), { missing: 0, extra: 0 });
  assert.deepEqual(
    missingAndExtra(await groundTruth(true), whileStopped),
    { missing: 0, extra: 0 },
    'restarting changed nothing',
  );
});

test('a day later expired blobs drop out and new ones come in, still equal to the crawl', async () => {
  const earlier = await groundTruth(true);
  await t.emu.clock.advance(DAY);
  const now = await groundTruth(true);
  const got = await crawl();
  assert.deepEqual(missingAndExtra(got, now), { missing: 0, extra: 0 });
  const change = missingAndExtra(now, earlier);
  assert.ok(change.missing > 0 && change.extra > 0, `expired ${change.missing}, new ${change.extra}`);
});
