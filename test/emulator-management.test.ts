import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestEmulator, type EmuResponse, type TestEmulator } from './support/emulator.js';

// Management Activity API, spec §6 behaviours 9–29, black-box over HTTPS.
const START = Date.UTC(2026, 2, 10, 12, 0, 0);
let t: TestEmulator;
let tid: string;
let token: string;
before(async () => {
  t = await startTestEmulator({ tenants: 2, users: 40, start: START, tuning: { contentPageSize: 20 } });
  tid = t.emu.tenants[0]!.tenantId;
  token = await t.client.token(tid, 'https://manage.office.com');
});
after(() => t.close());

const feed = (path: string) => `/api/v1.0/${tid}/activity/feed/${path}`;
const get = (path: string, headers: Record<string, string> = {}) =>
  t.client.request('GET', /^(https|\/)/.test(path) ? path : feed(path), {
    headers: { Authorization: `Bearer ${token}`, ...headers },
  });
const post = (path: string, body?: object) =>
  t.client.request('POST', feed(path), { headers: { Authorization: `bearer ${token}` }, ...(body ? { body } : {}) });
const code = (r: EmuResponse) => r.json<{ error: { code: string; message: string } }>().error.code;

test('9: missing or bad bearer → 401; a token without ActivityFeed.Read → 401 AF10001', async () => {
  assert.equal((await t.client.request('GET', feed('subscriptions/list'))).status, 401);
  assert.equal((await get('subscriptions/list', { Authorization: 'Bearer abc.def.ghi' })).status, 401);
  const other = t.emu.tenants[1]!.tenantId;
  t.emu.setRoles(other, ['User.Read.All']);
  const weak = await t.client.token(other, 'https://manage.office.com');
  const res = await t.client.request('GET', `/api/v1.0/${other}/activity/feed/subscriptions/list`, {
    headers: { Authorization: `Bearer ${weak}` },
  });
  assert.equal(res.status, 401);
  assert.equal(code(res), 'AF10001');
  t.emu.setRoles(other, ['ActivityFeed.Read', 'ActivityFeed.ReadDlp']);
});

test('10: non-GUID tenant → AF20013; URL tenant ≠ token tid → AF20010', async () => {
  const a = await get('/api/v1.0/contoso.onmicrosoft.com/activity/feed/subscriptions/list');
  assert.equal(code(a), 'AF20013');
  const b = await get(`/api/v1.0/${t.emu.tenants[1]!.tenantId}/activity/feed/subscriptions/list`);
  assert.equal(code(b), 'AF20010');
});

test('11: invalid content type → AF20020', async () => {
  const res = await post('subscriptions/start?contentType=Audit.Nothing');
  assert.equal(res.status, 400);
  assert.equal(code(res), 'AF20020');
});

test('12, 13, 14: list empty before start; content before start → AF20022; start → enabled; identical start → AF20024', async () => {
  assert.deepEqual((await get('subscriptions/list')).json(), []);
  const before = await get('subscriptions/content?contentType=Audit.Exchange');
  assert.equal(before.status, 400);
  assert.equal(code(before), 'AF20022');
  const start = await post('subscriptions/start?contentType=Audit.Exchange');
  assert.equal(start.status, 200);
  assert.deepEqual(start.json(), { contentType: 'Audit.Exchange', status: 'enabled', webhook: null });
  assert.deepEqual((await get('subscriptions/list')).json(), [
    { contentType: 'Audit.Exchange', status: 'enabled', webhook: null },
  ]);
  const again = await post('subscriptions/start?contentType=Audit.Exchange');
  assert.equal(again.status, 400);
  assert.equal(code(again), 'AF20024');
});

test('17, 15: stop → 200 empty, content → AF20023; a restart within 15 min → 429 with the wait', async () => {
  await post('subscriptions/start?contentType=Audit.General');
  const stop = await post('subscriptions/stop?contentType=Audit.General');
  assert.equal(stop.status, 200);
  assert.equal(stop.text, '');
  assert.equal(code(await get('subscriptions/content?contentType=Audit.General')), 'AF20023');
  const restart = await post('subscriptions/start?contentType=Audit.General');
  assert.equal(restart.status, 429);
  assert.match(
    restart.json<{ error: { message: string } }>().error.message,
    /^Too many frequent subscription start requests\. Please retry again after 1[45]m \d+s$/,
  );
  await t.emu.clock.advance(15 * 60_000);
  assert.equal((await post('subscriptions/start?contentType=Audit.General')).status, 200);
});

test('16: start on a tenant with UAL off → 400 with the DataServiceException body', async () => {
  t.emu.setFaults({ ualDisabled: [tid] });
  try {
    const res = await post('subscriptions/start?contentType=Audit.SharePoint');
    assert.equal(res.status, 400);
    const e = res.json<{ error: { code: string; message: string } }>().error;
    assert.match(
      e.code,
      /^StartSubscription \[CorrId=.+\]\[TenantId=.+,ContentType=Audit\.SharePoint,ApplicationId=.+\]\[AppId$/,
    );
    assert.match(e.message, new RegExp(`DataServiceException: Tenant ${tid} does not exist\\.`));
  } finally {
    t.emu.setFaults({ ualDisabled: [] });
  }
});

async function webhookServer(
  status: number,
): Promise<{ server: Server; url: string; calls: { headers: Record<string, unknown>; body: string }[] }> {
  const calls: { headers: Record<string, unknown>; body: string }[] = [];
  const server = createServer({ cert: t.emu.serverCertPem, key: t.emu.serverKeyPem }, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      calls.push({ headers: req.headers, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls };
}

test('18: webhook validation handshake; non-200 → AF20021; http:// → AF20021; notifications are delivered', async () => {
  const good = await webhookServer(200);
  const badHook = await webhookServer(500);
  try {
    const plain = await post('subscriptions/start?contentType=Audit.SharePoint', {
      webhook: { address: 'http://127.0.0.1/x', authId: 'a' },
    });
    assert.equal(code(plain), 'AF20021');
    assert.match(plain.text, /The address must begin with HTTPS/);
    const refused = await post('subscriptions/start?contentType=Audit.SharePoint', {
      webhook: { address: badHook.url, authId: 'a' },
    });
    assert.equal(code(refused), 'AF20021');
    const ok = await post('subscriptions/start?contentType=Audit.SharePoint', {
      webhook: { address: good.url, authId: 'secret-auth', expiration: '' },
    });
    assert.equal(ok.status, 200, ok.text);
    const v = good.calls[0]!;
    assert.equal(v.headers['webhook-authid'], 'secret-auth');
    assert.deepEqual(JSON.parse(v.body), { validationCode: v.headers['webhook-validationcode'] });
    await t.emu.clock.advance(30 * 60_000);
    const note = good.calls.slice(1).flatMap((c) => JSON.parse(c.body) as { tenantId: string; contentUri: string }[]);
    assert.ok(note.length > 0, 'notifications after time moved');
    assert.equal(note[0]!.tenantId, tid);
  } finally {
    good.server.close();
    badHook.server.close();
  }
});

test('19, 21, 23, 22: time formats; window on contentCreated [start, end); content items; NextPageUri paging', async () => {
  const now = t.emu.clock.now();
  const day = new Date(now - 86_400_000).toISOString().slice(0, 10);
  for (const [s, e] of [
    [day, new Date(now).toISOString().slice(0, 10)],
    [`${day}T13:00`, `${day}T14:00`],
    [`${day}T13:00:00`, `${day}T14:00:00`],
    [`${day}T13:00Z`, `${day}T14:00Z`],
    [`${day}T13:00:00.000Z`, `${day}T14:00:00Z`],
  ]) {
    const r = await get(`subscriptions/content?contentType=Audit.Exchange&startTime=${s}&endTime=${e}`);
    assert.equal(r.status, 200, `${s} ${r.text}`);
  }
  const startT = `${day}T13:00:00`;
  const r = await get(
    `subscriptions/content?contentType=Audit.Exchange&startTime=${startT}&endTime=${day}T23:00:00&PublisherIdentifier=${t.emu.tenants[0]!.publisherId}`,
  );
  const items: {
    contentId: string;
    contentCreated: string;
    contentExpiration: string;
    contentUri: string;
    contentType: string;
  }[] = r.json();
  assert.equal(items.length, 20);
  const next = r.headers.nextpageuri!;
  assert.match(next, /^https:\/\/127\.0\.0\.1:\d+\/api\/v1\/.+nextPage=/);
  let all = [...items];
  let url: string | undefined = next;
  while (url) {
    const page = await get(url);
    all = all.concat(page.json());
    url = page.headers.nextpageuri;
  }
  assert.ok(all.length > 20);
  assert.equal(new Set(all.map((i) => i.contentId)).size, all.length);
  for (const i of all) {
    assert.ok(i.contentId.includes('$'));
    assert.match(i.contentCreated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(Date.parse(i.contentExpiration) - Date.parse(i.contentCreated), 7 * 86_400_000);
    const c = Date.parse(i.contentCreated);
    assert.ok(c >= Date.parse(`${startT}Z`) && c < Date.parse(`${day}T23:00:00Z`));
  }
  // start inclusive, end exclusive on contentCreated
  const first = all[0]!;
  const exact = await get(
    `subscriptions/content?contentType=Audit.Exchange&startTime=${first.contentCreated}&endTime=${new Date(Date.parse(first.contentCreated) + 3_600_000).toISOString()}`,
  );
  assert.equal(exact.json<{ contentId: string }[]>()[0]!.contentId, first.contentId);
  const before = await get(
    `subscriptions/content?contentType=Audit.Exchange&startTime=${new Date(Date.parse(first.contentCreated) - 3_600_000).toISOString()}&endTime=${first.contentCreated}`,
  );
  assert.ok(!before.json<{ contentId: string }[]>().some((i) => i.contentId === first.contentId));
  const badPage = await get(next.replace(/nextPage=[^&]+/, 'nextPage=garbage'));
  assert.equal(code(badPage), 'AF20031');
});

test('20: one of start/end, over 24 h, start ≥ end, start over 7 days ago → AF20030/AF20055', async () => {
  const now = t.emu.clock.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  assert.equal(
    code(await get(`subscriptions/content?contentType=Audit.Exchange&startTime=${iso(now - 3_600_000)}`)),
    'AF20030',
  );
  assert.equal(
    code(
      await get(
        `subscriptions/content?contentType=Audit.Exchange&startTime=${iso(now - 30 * 3_600_000)}&endTime=${iso(now)}`,
      ),
    ),
    'AF20030',
  );
  assert.equal(
    code(
      await get(`subscriptions/content?contentType=Audit.Exchange&startTime=${iso(now)}&endTime=${iso(now - 60_000)}`),
    ),
    'AF20055',
  );
  assert.equal(
    code(
      await get(
        `subscriptions/content?contentType=Audit.Exchange&startTime=${iso(now - 8 * 86_400_000)}&endTime=${iso(now - 8 * 86_400_000 + 3_600_000)}`,
      ),
    ),
    'AF20030',
  );
});

test('24, 26: blobs are arrays of PascalCase records, CreationTime without Z; duplicates, empty blobs, out-of-order blobs exist', async () => {
  const now = t.emu.clock.now();
  let blobs: { contentUri: string; contentCreated: string }[] = [];
  for (let h = 24; h > 0; h -= 12) {
    let url: string | undefined =
      `subscriptions/content?contentType=Audit.Exchange&startTime=${new Date(now - h * 3_600_000).toISOString()}&endTime=${new Date(now - (h - 12) * 3_600_000).toISOString()}`;
    while (url) {
      const r = await get(url);
      blobs = blobs.concat(r.json());
      url = r.headers.nextpageuri;
    }
  }
  const ids: string[] = [];
  let empty = 0;
  let outOfOrder = false;
  let prevOldest = -Infinity;
  for (const b of blobs) {
    const r = await get(`${b.contentUri}?PublisherIdentifier=${t.emu.tenants[0]!.publisherId}`);
    assert.equal(r.status, 200);
    const records = r.json<
      {
        Id: string;
        CreationTime: string;
        RecordType: number;
        Operation: string;
        OrganizationId: string;
        UserId: string;
        Workload: string;
      }[]
    >();
    if (!records.length) empty++;
    for (const rec of records) {
      assert.match(rec.CreationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.equal(rec.OrganizationId, tid);
      assert.equal(typeof rec.RecordType, 'number');
      ids.push(rec.Id);
    }
    const oldest = Math.min(...records.map((x) => Date.parse(`${x.CreationTime}Z`)));
    if (records.length && oldest < prevOldest) outOfOrder = true;
    if (records.length) prevOldest = Math.max(prevOldest, oldest);
  }
  assert.ok(ids.length > new Set(ids).size, 'some records repeat');
  assert.ok(empty > 0, 'some blobs are empty');
  assert.ok(outOfOrder, 'a later blob holds older events');
});

test('25: expired blob → AF20051; unknown → 404 AF20050; malformed id → AF20052', async () => {
  const now = t.emu.clock.now();
  const r = await get(
    `subscriptions/content?contentType=Audit.Exchange&startTime=${new Date(now - 7 * 86_400_000 + 3_600_000).toISOString()}&endTime=${new Date(now - 6 * 86_400_000).toISOString()}`,
  );
  const old = r.json<{ contentUri: string; contentId: string }[]>()[0]!;
  const unknown = await get(old.contentUri.replace(/\$(\d{2})$/, '$99'));
  assert.equal(unknown.status, 404);
  assert.equal(code(unknown), 'AF20050');
  assert.equal(code(await get('audit/not-a-content-id')), 'AF20052');
  await t.emu.clock.advance(2 * 86_400_000);
  token = await t.client.token(tid, 'https://manage.office.com');
  const expired = await get(old.contentUri);
  assert.equal(code(expired), 'AF20051');
});

test('27, 28, 29: AF429 over the budget with status 403 or 429 and the zero PublisherId; AF50000 on demand; Date everywhere', async () => {
  t.emu.setFaults({ throttleBudgetPerMinute: 1, throttleStatus: 403 });
  try {
    await t.emu.clock.advance(60_000);
    assert.equal((await get('subscriptions/list')).status, 200);
    const r = await get('subscriptions/list');
    assert.equal(r.status, 403);
    assert.deepEqual(r.json(), {
      error: {
        code: 'AF429',
        message: 'Too many requests. Method=ListSubscriptions, PublisherId=00000000-0000-0000-0000-000000000000',
      },
    });
    t.emu.setFaults({ throttleStatus: 429 });
    assert.equal((await get('subscriptions/list')).status, 429);
  } finally {
    t.emu.setFaults({ throttleBudgetPerMinute: null });
  }
  t.emu.setFaults({ serverErrorRate: 1 });
  const e = await get('subscriptions/list');
  t.emu.setFaults({ serverErrorRate: 0 });
  assert.equal(e.status, 500);
  assert.equal(code(e), 'AF50000');
  for (const res of [
    e,
    await get('subscriptions/list'),
    await t.client.request('GET', '/nowhere'),
    await t.client.request('GET', '/_emulator/tenants'),
  ]) {
    assert.ok(res.headers.date && !Number.isNaN(Date.parse(res.headers.date)));
  }
});

test('26: a configurable first-data delay after subscribing hides content', async () => {
  const t2 = await startTestEmulator({ tenants: 1, users: 5, tuning: { firstDataDelayMs: 3_600_000 } });
  try {
    const id = t2.emu.tenants[0]!.tenantId;
    const tok = await t2.client.token(id, 'https://manage.office.com');
    const H = { Authorization: `Bearer ${tok}` };
    await t2.client.request('POST', `/api/v1.0/${id}/activity/feed/subscriptions/start?contentType=Audit.Exchange`, {
      headers: H,
    });
    const list = () =>
      t2.client.request('GET', `/api/v1.0/${id}/activity/feed/subscriptions/content?contentType=Audit.Exchange`, {
        headers: H,
      });
    assert.deepEqual((await list()).json(), []);
    await t2.emu.clock.advance(3_600_000);
    H.Authorization = `Bearer ${await t2.client.token(id, 'https://manage.office.com')}`;
    assert.ok((await list()).json<unknown[]>().length > 0);
  } finally {
    await t2.close();
  }
});
