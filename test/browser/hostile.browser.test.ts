import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../src/core/clock.js';
import { normalizeRecord } from '../../src/ingest/normalize.js';
import { listReports, runReport } from '../../src/reports/registry.js';
import { START, artifacts, searchSettled, startWorld, type World } from './harness.js';

/**
 * The console as a hostile tester uses it: links made by hand, searches the server refuses, and record
 * values written to mislead (bidi overrides, markup). Screenshots in test-artifacts/.
 */
let w: World;
const HOUR = 3_600_000;
const start = new Date(START - 2 * HOUR).toISOString().slice(0, 19) + 'Z';
const SPOOF = 'https://contoso.sharepoint.com/Shared Documents/invoice\u202Efdp.exe';
const COMMA = 'https://contoso.sharepoint.com/Shared Documents/budget, final.xlsx';

before(async () => {
  w = await startWorld(async (store) => ({
    list: () => listReports(),
    run: (id, params) => runReport(id, params, { store, clock: { ...systemClock, now: () => START } }),
  }));
  const tenant = w.emu.tenants[0]!;
  const raw = {
    CreationTime: new Date(START - HOUR).toISOString().slice(0, 19),
    Id: '7e1d0a3a-0000-4000-8000-00000000b1d1',
    OrganizationId: tenant.tenantId,
    RecordType: 6,
    Operation: 'FileDownloaded',
    Workload: 'SharePoint',
    UserId: 'mallory@contoso.onmicrosoft.com',
    UserType: 0,
    ClientIP: '198.51.100.9',
    ObjectId: SPOOF,
    SourceFileName: '<img src=x onerror="document.title=1">',
  };
  // A second file whose name holds a comma (object values are never split on commas).
  const second = { ...raw, Id: '7e1d0a3a-0000-4000-8000-00000000b1d2', ObjectId: COMMA };
  const records = [raw, second].map((x) => {
    const r = normalizeRecord(JSON.stringify(x), { source: 'management-api', tenant: tenant.tenantId });
    assert.ok(r.ok);
    return r.record;
  });
  await w.store.records.insert(records);
});
after(async () => {
  await w?.close();
});

describe('the console against odd links and odd records', () => {
  test('a hand-made link without an end searches up to now, as the form says', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search?start=${start}&user=mallory@contoso.onmicrosoft.com`);
    await searchSettled(page);
    const error = await page.$('.search-page .error');
    assert.equal(error, null, error ? ((await error.textContent()) ?? '') : '');
    assert.equal(await page.inputValue('input[name=end]'), 'now');
    assert.match((await page.textContent('.result-bar .count')) ?? '', /^2 matches/);
  });

  test('two objects of a link stay two on the next Search (one is "budget, final")', async () => {
    const page = w.page;
    const q = new URLSearchParams({ start, end: 'now', object: 'invoice' });
    q.append('object', 'budget, final');
    await page.goto(`${w.url}#/search?${q.toString()}`);
    await searchSettled(page);
    assert.match((await page.textContent('.result-bar .count')) ?? '', /^2 matches/);
    const boxes = page.locator('input[name=object]');
    assert.deepEqual(await boxes.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), [
      'invoice',
      'budget, final',
    ]);
    // A new period, searched with the same filters: they were sent as the one object "invoice, budget, final".
    await page.click('button:has-text("24h")');
    await page.click('.search-form button[type=submit]');
    await page.waitForFunction(() => location.hash.includes('start=24h'));
    await searchSettled(page);
    assert.deepEqual(new URLSearchParams(new URL(page.url()).hash.split('?')[1]).getAll('object'), [
      'invoice',
      'budget, final',
    ]);
    assert.match((await page.textContent('.result-bar .count')) ?? '', /^2 matches/);
  });

  test('a search the server refuses shows its error, not placeholder rows that never load', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search?start=yesterday-ish&end=now`);
    await searchSettled(page);
    assert.ok(await page.$('.search-page .error'), 'the error is shown');
    assert.equal(await page.$('.results .placeholder'), null, 'no row placeholders under an error');
    assert.equal(await page.$('.timeline-slot'), null, 'no empty timeline box under an error');
    assert.doesNotMatch((await page.textContent('.result-bar .count')) ?? '', /…/);
    await page.screenshot({ path: join(artifacts, 'search-refused.png') });
  });

  test("an override in a refused filter is shown escaped in the server's error, not obeyed", async () => {
    const page = w.page;
    const q = new URLSearchParams({ start, end: 'now', recordType: 'Share\u202EPoint' });
    await page.goto(`${w.url}#/search?${q.toString()}`);
    await searchSettled(page);
    const error = (await page.textContent('.search-page .error')) ?? '';
    assert.ok(!error.includes('\u202E'), 'no override reaches the page');
    assert.match(error, /"Share\\u202EPoint"/);
  });

  test('a bidi override in a file name is shown where it is, in the grid and the detail', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search?start=${start}&end=now&user=mallory@contoso.onmicrosoft.com`);
    await searchSettled(page);
    const cell = page.locator('.results [role=gridcell]', { hasText: 'invoice' }).first();
    assert.equal(await cell.textContent(), 'https://contoso.sharepoint.com/Shared Documents/invoice⟨U+202E⟩fdp.exe');
    await cell.click();
    await page.waitForSelector('.detail .detail-body');
    const detail = (await page.textContent('.detail')) ?? '';
    assert.ok(!detail.includes('\u202E'), 'no override reaches the page');
    assert.match(detail, /invoice⟨U\+202E⟩fdp\.exe/);
    assert.match(detail, /<img src=x onerror=/, 'markup in a value is text');
    assert.notEqual(await page.title(), '1');
    await page.screenshot({ path: join(artifacts, 'search-bidi.png') });
  });
  test('a link to a report that does not exist says so', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/reports?id=admin-activty`);
    await page.waitForSelector('.report-main .empty-state');
    assert.match((await page.textContent('.report-main')) ?? '', /No report is named "admin-activty"/);
  });

  test("a request that gets no answer, or not tenantwatch's, says so in a sentence, not the browser's words", async () => {
    const page = w.page;
    const error = async (): Promise<string> => {
      await page.goto(`${w.url}#/tenants`);
      await page.goto(`${w.url}#/sinks`);
      return (await page.waitForSelector('.sinks-page .error')).textContent().then((t) => t ?? '');
    };
    try {
      // No answer at all (the server stopped): it was "Failed to fetch".
      await page.route(/\/api\/sinks$/, (r) => r.abort('connectionrefused'));
      const unreachable = await error();
      assert.match(unreachable, /^The console cannot reach the tenantwatch server.*still running/);
      assert.doesNotMatch(unreachable, /fetch/i);
      await page.screenshot({ path: join(artifacts, 'hostile-unreachable.png') });
      // A proxy's page for an error: what to do, not the bare status alone.
      await page.unroute(/\/api\/sinks$/);
      await page.route(/\/api\/sinks$/, (r) =>
        r.fulfill({ status: 502, contentType: 'text/html', body: '<html><body>Bad gateway</body></html>' }),
      );
      assert.match(await error(), /^The server answered 502.*Try again in a moment/);
      // A page where JSON was due: it was the parser's "Unexpected token '<'".
      await page.unroute(/\/api\/sinks$/);
      await page.route(/\/api\/sinks$/, (r) =>
        r.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>Sign in to the proxy</p>' }),
      );
      const unreadable = await error();
      assert.match(unreadable, /^The server’s answer could not be read/);
      assert.doesNotMatch(unreadable, /Unexpected token|JSON/);
    } finally {
      await page.unroute(/\/api\/sinks$/);
    }
  });

  test('a record whose user is empty says so ("—", "(empty)"), not a blank that looks unloaded', async () => {
    const page = w.page;
    const tenant = w.emu.tenants[0]!;
    const raw = {
      CreationTime: new Date(START - HOUR).toISOString().slice(0, 19),
      Id: '7e1d0a3a-0000-4000-8000-00000000b1d3',
      OrganizationId: tenant.tenantId,
      RecordType: 6,
      Operation: 'FileAccessed',
      Workload: 'SharePoint',
      UserId: '',
      UserType: 0,
      ClientIP: '198.51.100.10',
      ObjectId: 'https://contoso.sharepoint.com/Shared Documents/nobody.docx',
    };
    const r = normalizeRecord(JSON.stringify(raw), { source: 'management-api', tenant: tenant.tenantId });
    assert.ok(r.ok);
    await w.store.records.insert([r.record]);
    await page.goto(`${w.url}#/search?${new URLSearchParams({ start, object: 'nobody.docx' }).toString()}`);
    await searchSettled(page);
    await page.click('.tr >> nth=0');
    await page.waitForSelector('.detail .kv.summary');
    // The summary has no user (a dash, as elsewhere), AuditData an empty one.
    assert.equal(await page.textContent('.detail .kv.summary tr:has(td.key:text-is("userId")) td.mono'), '—');
    const auditData = await page.textContent('.detail .detail-body > :last-child');
    assert.match(auditData ?? '', /UserId\(empty\)/);
    await page.screenshot({ path: join(artifacts, 'hostile-empty-user.png') });
    await page.keyboard.press('Escape');
  });
});
