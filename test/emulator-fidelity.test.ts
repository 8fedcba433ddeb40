import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { after, before, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';

// Where the emulator used to differ from what was observed of Microsoft (issue 17, items 10–15); each
// deviation is now fixed or a documented setting (emulator/README.md "Defaults where the spec is uncertain").
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
let t: TestEmulator;
let tid: string;
let H: Record<string, string>;
before(async () => {
  // Content at once after a start; item 11 below tests the documented 12 h default.
  t = await startTestEmulator({ tenants: 1, users: 20, days: 8, tuning: { firstDataDelayMs: 0 } });
  tid = t.emu.tenants[0]!.tenantId;
  H = { Authorization: `Bearer ${await t.client.token(tid, 'https://manage.office.com')}` };
  for (const ct of ['Audit.Exchange', 'Audit.SharePoint', 'Audit.AzureActiveDirectory', 'Audit.General']) {
    const r = await t.client.request('POST', url(`subscriptions/start?contentType=${ct}`), { headers: H });
    assert.equal(r.status, 200, r.text);
  }
});
after(() => t.close());
const feed = '/api/v1.0/TENANT/activity/feed';
const url = (path: string) => `${feed.replace('TENANT', tid)}/${path}`;
const list = (ct: string, start: number, end: number) =>
  t.client.request('GET', url(`subscriptions/content?contentType=${ct}&startTime=${iso(start)}&endTime=${iso(end)}`), {
    headers: H,
  });

test('10: startTime up to about an hour past 7 days is accepted (beats), and lists only unexpired blobs', async () => {
  const now = t.emu.clock.now();
  const within = await list('Audit.Exchange', now - 7 * DAY - 59 * 60_000, now - 6 * DAY - 2 * HOUR);
  assert.equal(within.status, 200, within.text);
  for (const b of within.json<{ contentCreated: string }[]>()) assert.ok(Date.parse(b.contentCreated) > now - 7 * DAY);
  const beyond = await list('Audit.Exchange', now - 7 * DAY - 61 * 60_000, now - 6 * DAY - 2 * HOUR);
  assert.equal(beyond.status, 400);
  assert.match(beyond.json<{ error: { code: string } }>().error.code, /^AF200(30|55)$/);
});

test('10: windowStartToleranceMs 0 is the documented rule to the millisecond', async () => {
  const strict = await startTestEmulator({ tenants: 1, users: 15, days: 1, tuning: { windowStartToleranceMs: 0 } });
  try {
    const id = strict.emu.tenants[0]!.tenantId;
    const auth = { Authorization: `Bearer ${await strict.client.token(id, 'https://manage.office.com')}` };
    const base = `/api/v1.0/${id}/activity/feed/subscriptions`;
    await strict.client.request('POST', `${base}/start?contentType=Audit.General`, { headers: auth });
    const now = strict.emu.clock.now();
    const at = (s: number) =>
      strict.client.request(
        'GET',
        `${base}/content?contentType=Audit.General&startTime=${iso(s)}&endTime=${iso(s + HOUR)}`,
        {
          headers: auth,
        },
      );
    assert.equal((await at(now - 7 * DAY)).status, 200);
    assert.equal((await at(now - 7 * DAY - 1)).status, 400);
  } finally {
    await strict.close();
  }
});

test('13: about 5% of listed blobs are empty, measured over a day of four content types', async () => {
  const now = t.emu.clock.now();
  let blobs = 0;
  let empty = 0;
  for (const ct of ['Audit.Exchange', 'Audit.SharePoint', 'Audit.AzureActiveDirectory', 'Audit.General']) {
    for (let s = now - DAY; s < now; s += 12 * HOUR) {
      const page = await list(ct, s, s + 12 * HOUR);
      assert.equal(page.status, 200, page.text);
      let next: string | undefined = page.headers['nextpageuri'];
      const items = page.json<{ contentUri: string }[]>();
      while (next) {
        const more = await t.client.request('GET', next, { headers: H });
        items.push(...more.json<{ contentUri: string }[]>());
        next = more.headers['nextpageuri'];
      }
      for (const item of items) {
        const blob = await t.client.request('GET', item.contentUri, { headers: H });
        assert.equal(blob.status, 200, blob.text);
        blobs++;
        if (blob.json<unknown[]>().length === 0) empty++;
      }
    }
  }
  assert.ok(blobs > 200, `enough blobs to measure (${blobs})`);
  const share = empty / blobs;
  assert.ok(share >= 0.01 && share <= 0.09, `empty blobs ${empty}/${blobs} = ${(share * 100).toFixed(1)}%, design ~5%`);
});

test('14: a bad or missing bearer gets ASP.NET Web API 401 body, not a Graph or AF envelope', async () => {
  for (const auth of [undefined, 'Bearer abc.def.ghi']) {
    const res = await t.client.request('GET', url('subscriptions/list'), {
      headers: auth ? { Authorization: auth } : {},
    });
    assert.equal(res.status, 401);
    // As captured from manage.office.com (microsoft/powerapps-tools#300).
    assert.deepEqual(res.json(), { Message: 'Authorization has been denied for this request.' });
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
  }
});

test('15: idle kept-alive connections live 120 s, and the server says so to pooled clients', async () => {
  // No real pause: Node's server announces its idle timeout in every kept-alive response (Keep-Alive:
  // timeout=N), and clients that pool connections (undici, urllib3 with the header) retire sockets by it.
  // Node's default said timeout=5, so a client idle for 5 s met "socket hang up" on its next request.
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: t.emu.caPem });
  const get = () =>
    new Promise<{ status: number; reused: boolean; keepAlive: string }>((resolve, reject) => {
      const req = request(`${t.emu.url}/_emulator/clock`, { agent }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            reused: req.reusedSocket,
            keepAlive: String(res.headers['keep-alive'] ?? ''),
          }),
        );
      });
      req.on('error', reject);
      req.end();
    });
  try {
    const first = await get();
    assert.equal(first.status, 200);
    assert.equal(first.keepAlive, 'timeout=120', "a production-like idle timeout, not Node's 5 s");
    const second = await get();
    assert.equal(second.reused, true, 'the connection is kept for the next request');
    assert.equal(second.keepAlive, 'timeout=120');
  } finally {
    agent.destroy();
  }
});

test('11, 12: by default a new subscription lists nothing for 12 h (documented) and the throttle is 2,000/min', async () => {
  const d = await startTestEmulator({ tenants: 1, users: 15, days: 2 });
  try {
    const faults = await d.client.request('GET', '/_emulator/faults');
    assert.equal(faults.json<{ throttleBudgetPerMinute: number }>().throttleBudgetPerMinute, 2_000);
    const id = d.emu.tenants[0]!.tenantId;
    const auth = { Authorization: `Bearer ${await d.client.token(id, 'https://manage.office.com')}` };
    const base = `/api/v1.0/${id}/activity/feed/subscriptions`;
    assert.equal(
      (await d.client.request('POST', `${base}/start?contentType=Audit.General`, { headers: auth })).status,
      200,
    );
    const listed = async () => {
      const now = d.emu.clock.now();
      const q = `contentType=Audit.General&startTime=${iso(now - DAY)}&endTime=${iso(now)}`;
      const fresh = { Authorization: `Bearer ${await d.client.token(id, 'https://manage.office.com')}` };
      const r = await d.client.request('GET', `${base}/content?${q}`, { headers: fresh });
      assert.equal(r.status, 200, r.text);
      return r.json<unknown[]>().length;
    };
    const truth = async () => (await d.client.request('GET', `/_emulator/records?tenantId=${id}&available=true`)).text;
    assert.equal(await listed(), 0);
    assert.equal((await truth()).trim(), '', 'ground truth agrees: nothing available yet');
    await d.emu.clock.advance(12 * HOUR - 60_000);
    assert.equal(await listed(), 0);
    await d.emu.clock.advance(60_000);
    assert.ok((await listed()) > 0, 'content after 12 h');
    assert.notEqual((await truth()).trim(), '');
  } finally {
    await d.close();
  }
});
