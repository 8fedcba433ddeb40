import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Response } from 'playwright-core';
import { writeResult } from '../../src/cli/commands/report.js';
import { withTenantNames } from '../../src/reports/export.js';
import type { StreamCoverage } from '../../src/server/api-types.js';
import { runCli } from '../support/cli.js';
import { START, artifacts, openSavedSearches, searchSettled, startWorld, type World } from './harness.js';

/**
 * The console end to end in a real browser (Debian's Chromium, playwright-core): the acceptance
 * items of issue 7 — a user's SharePoint week equals the ground truth, a record opens, the CSV export
 * equals the CLI's, the admin-activity report runs (its CSV export the CLI's writer's), a tenant with auditing off is flagged — with a
 * screenshot of every page in test-artifacts/.
 */
let w: World;
const DAY = 86_400_000;
const start = new Date(START - 7 * DAY).toISOString().slice(0, 19) + 'Z';
const end = new Date(START).toISOString().slice(0, 19) + 'Z';
let user = '';
let expected: string[] = [];

async function loadReports(store: World['store']) {
  try {
    const registry = await import('../../src/reports/registry.js');
    const { systemClock } = await import('../../src/core/clock.js');
    return {
      list: () => registry.listReports(),
      run: (id: string, params: Record<string, unknown>) =>
        registry.runReport(id, params, { store, clock: { ...systemClock, now: () => START } }),
    };
  } catch {
    return undefined;
  }
}

before(async () => {
  w = await startWorld(loadReports);
  // The ground truth's SharePoint records of the busiest SharePoint user of the first tenant, that week.
  const tenant = w.emu.tenants[0]!;
  const inWeek = (r: Record<string, unknown>): boolean => {
    const t = Date.parse(String(r.CreationTime) + (String(r.CreationTime).endsWith('Z') ? '' : 'Z'));
    return t >= START - 7 * DAY && t < START;
  };
  const sp = w.truth
    .get(tenant.tenantId)!
    .filter((r) => String(r.Workload).toLowerCase() === 'sharepoint' && inWeek(r));
  const byUser = new Map<string, number>();
  for (const r of sp) byUser.set(String(r.UserId).toLowerCase(), (byUser.get(String(r.UserId).toLowerCase()) ?? 0) + 1);
  user = [...byUser.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  expected = sp
    .filter((r) => String(r.UserId).toLowerCase() === user)
    .map((r) => String(r.Id))
    .sort();
});
after(async () => {
  await w?.close();
});

/** Polls a condition of the server's side (the audit trail is written after each response). */
async function waitFor(done: () => Promise<boolean>, timeout = 10_000): Promise<void> {
  for (const until = Date.now() + timeout; !(await done());) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The field names of the open record (summary and AuditData) that the browser drew on more than one line: a name has
 * no space, so it was broken inside a word.
 */
async function keysBrokenMidWord(page: World['page']): Promise<string[]> {
  return page.$$eval('.detail :is(td.key, div.key)', (keys) =>
    keys.flatMap((key) => {
      const walker = document.createTreeWalker(key, NodeFilter.SHOW_TEXT);
      const broken: string[] = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(`${key.textContent} (at "${node.textContent}")`);
      }
      return broken;
    }),
  );
}

/** The most lines a finding of the tenants table takes. */
async function findingLines(page: World['page']): Promise<number> {
  return page.$$eval('table.tenants td.finding', (tds) =>
    Math.max(
      ...tds.map((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      }),
    ),
  );
}

/** Opens a report in the console, runs it with its defaults, and waits for a result (failing on an error). */
async function runReport(id: string): Promise<World['page']> {
  const page = w.page;
  await page.goto(`${w.url}#/reports?id=${id}`);
  await page.waitForSelector('.report-form button[type=submit]');
  await page.click('.report-form button[type=submit]');
  await page.waitForSelector('.report-main .result-bar, .report-main .error', { timeout: 30_000 });
  const error = await page.$('.report-main .error');
  assert.equal(error, null, error ? ((await error.textContent()) ?? '') : '');
  return page;
}

describe('console in a browser', () => {
  test("a user's SharePoint week: exactly the ground truth's rows, a record opens, exports match the CLI", async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search`);
    await page.fill('input[name=start]', start);
    await page.fill('input[name=end]', end);
    await page.fill('input[name=user]', user.toUpperCase());
    await page.fill('input[name=workload]', 'SharePoint');
    await page.press('input[name=workload]', 'Enter');
    await page.waitForFunction(
      (n) => document.querySelector('.count strong')?.textContent === n.toLocaleString('en-US'),
      expected.length,
      { timeout: 15_000 },
    );
    assert.ok(expected.length > 0, 'the chosen user has SharePoint activity');
    assert.match(page.url(), /#\/search\?.*user=/, 'the URL holds the query');
    await searchSettled(page);
    await page.screenshot({ path: join(artifacts, 'search.png') });

    // Issue 18 item 1: the search covers a tenant with auditing off, so the result says so, and so does the
    // download dialog (a CSV file cannot carry the note itself).
    const notices = await page.textContent('.result-notices');
    assert.match(notices ?? '', /records nothing/);
    await page.click('text=Export JSON');
    await page.waitForSelector('.export-dialog');
    assert.match((await page.textContent('.export-dialog')) ?? '', /records nothing/);
    await page.screenshot({ path: join(artifacts, 'search-export-dialog.png') });
    const jsonDownload = await Promise.all([
      page.waitForEvent('download'),
      page.click('.export-dialog >> text=Download JSON'),
    ]).then(([d]) => d);
    const exported = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8')) as {
      count: number;
      notices: string[];
      records: { id: string; creationTime: string; tenantName: string }[];
    };
    assert.match(exported.notices.join('\n'), /records nothing/, 'the JSON envelope carries the note');
    assert.equal(exported.records[0]!.tenantName, w.emu.tenants[0]!.name, 'exports name the tenant');
    assert.deepEqual(exported.records.map((r) => r.id).sort(), expected, 'the export is exactly the ground truth');
    assert.equal(exported.count, expected.length);

    await page.click('.tr >> nth=0');
    await page.waitForSelector('.detail .kv.summary');
    const detailText = await page.textContent('.detail');
    assert.ok(detailText?.includes(exported.records[0]!.id), 'the newest row opens in the detail pane');
    assert.ok(detailText?.includes('AuditData'));
    await page.screenshot({ path: join(artifacts, 'search-detail.png') });
    // Keyboard: the arrow key moves to the next result and the detail pane follows. While the next record's
    // answer is held back, the pane shows neither record (not the previous one's fields and pivots).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const next = new RegExp(`/api/records/[^/]+/${exported.records[1]!.id}$`);
    await page.route(next, async (route) => {
      await held;
      await route.continue().catch(() => undefined);
    });
    await page.focus('.results');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('.detail >> text=Loading…');
    assert.ok(!(await page.textContent('.detail'))?.includes(exported.records[0]!.id), 'the previous record is gone');
    release();
    await page.waitForFunction(
      (id) => document.querySelector('.detail')?.textContent?.includes(id),
      exported.records[1]!.id,
      { timeout: 10_000 },
    );
    await page.unroute(next);
    await page.keyboard.press('Escape');
    await page.waitForSelector('.detail', { state: 'detached' });

    await page.click('text=Export CSV');
    const csvDownload = await Promise.all([
      page.waitForEvent('download'),
      page.click('.export-dialog >> text=Download CSV'),
    ]).then(([d]) => d);
    const csv = readFileSync(await csvDownload.path(), 'utf8');
    const cli = await runCli(
      [
        'search',
        '--start',
        start,
        '--end',
        end,
        '--user',
        user.toUpperCase(),
        '--workload',
        'SharePoint',
        '--format',
        'csv',
      ],
      { dataDir: w.dataDir, env: { TENANTWATCH_DB: w.dbUrl } },
    );
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(csv, cli.stdout, "the console's CSV is byte for byte the CLI's");
  });

  test('the admin-activity report runs and shows its result', async () => {
    const page = await runReport('admin-activity');
    // The description (the CLI's --help text too) names the form's fields, and its first sentence once.
    const description = (await page.textContent('.report-main .description'))!;
    const first = (await page.textContent('.report-main .description summary'))!;
    assert.match(description, /\(and, with “Roles”, other privileged roles/);
    assert.doesNotMatch(description, /--[a-z]/);
    assert.equal(description.split(first).length, 2, `the first sentence once: ${description}`);
    const rows = Number((await page.textContent('.report-main .result-bar strong'))?.replace(/,/g, ''));
    assert.ok(rows > 0, 'the simulated admins did something this week');
    await page.screenshot({ path: join(artifacts, 'reports.png'), fullPage: true });
    // Labels, not parameter identifiers; rows in time order (oldest first).
    const labels = await page.$$eval('.report-form .label', (ls) => ls.map((l) => l.textContent ?? ''));
    assert.ok(labels.length > 0 && labels.every((l) => !/[a-z][A-Z]/.test(l)), labels.join(' | '));
    const tiles = await page.$$eval('.report-main .totals .sub', (ts) => ts.map((t) => t.textContent ?? ''));
    assert.ok(tiles.length > 0 && tiles.every((t) => !/[a-z][A-Z]/.test(t)), `totals in words: ${tiles.join(' | ')}`);
    const times = await page.$$eval('.report-rows table', (ts) => {
      const t = ts[0]!;
      const i = [...t.querySelectorAll('th')].findIndex((th) => th.textContent === 'time (UTC)');
      return [...t.querySelectorAll('tbody tr')].map((tr) => tr.children[i]?.textContent ?? '');
    });
    assert.ok(times.length > 1 && times.every((t) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(t)), times.join());
    assert.deepEqual(times, [...times].sort(), 'report rows are in time order, the zone in the heading');

    // The export is the server's file, written by the CLI's writer for the same run (no CSV in the browser).
    const download = await Promise.all([page.waitForEvent('download'), page.click('text=Export CSV')]).then(([d]) => d);
    assert.match(download.suggestedFilename(), /^tenantwatch-admin-activity-\d{8}T\d{6}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const reports = (await loadReports(w.store))!;
    const out = new PassThrough();
    let cli = '';
    out.on('data', (d: Buffer) => (cli += d.toString('utf8')));
    const names = new Map((await w.store.tenants.list()).map((t) => [t.tenantId, t.name]));
    await writeResult({ out }, withTenantNames(await reports.run('admin-activity', {}), names), 'csv');
    assert.equal(csv, cli, "the console's report CSV is byte for byte the CLI's");
    assert.match(csv.split('\r\n')[0]!, /^\uFEFFtenant,tenantName,/, 'the export names each tenant');
    assert.ok(csv.includes(`,${w.emu.tenants[0]!.name},`), csv.split('\r\n')[1]);
  });

  test('a report run that answers late does not replace a later run of another report', async () => {
    const page = w.page;
    let release = (): void => undefined;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/reports/admin-activity/run', async (route) => {
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
    });
    try {
      await page.goto(`${w.url}#/reports?id=admin-activity`);
      await page.waitForSelector('.report-form button[type=submit]');
      await page.click('.report-form button[type=submit]');
      await runReport('sign-ins');
      const before = await page.textContent('.report-main .result-bar');
      const finished = page.waitForEvent('requestfinished', (r) => r.url().includes('/api/reports/admin-activity/run'));
      release();
      await finished;
      // Two frames: the page's handler of that answer has run and React has drawn what it set.
      await page.evaluate(
        () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
      );
      assert.equal(await page.textContent('.report-main .result-bar'), before, "sign-ins' result stays");
    } finally {
      release();
      await page.unroute('**/api/reports/admin-activity/run');
    }
  });

  test("a report's notes are shown with the result's notices, not as a figure", async () => {
    const page = await runReport('sign-ins');
    // Eight days of records cannot say an address went unused for the 30-day look-back.
    const notices = await page.$$eval('.result-notices li', (ls) => ls.map((l) => l.textContent ?? ''));
    assert.ok(
      notices.some((n) =>
        /records begin \d{4}-\d\d-\d\d, after the 30d look-back before the period starts \(\d{4}-\d\d-\d\d\), so no address is called new/.test(
          n,
        ),
      ),
      notices.join(' | '),
    );
    const tiles = await page.$$eval('.report-main .totals .sub', (ts) => ts.map((t) => t.textContent ?? ''));
    assert.ok(tiles.includes('new ips') && !tiles.some((t) => /notes/.test(t)), tiles.join(' | '));
  });

  test('a report row with no record behind it offers nothing to open: no focus, no pointer', async () => {
    // The sign-ins report's rows are per user and address: no record id. Each row took the focus (Tab stopped on
    // every one) and showed a pointer, and Enter or a click did nothing.
    let page = await runReport('sign-ins');
    const rows = await page.$$eval('.report-rows tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('tabindex'), tr.classList.contains('clickable')]),
    );
    assert.ok(rows.length > 0);
    assert.deepEqual(new Set(rows.map(String)), new Set([String([null, false])]), 'no row offers to open');
    // Rows of records still open one.
    page = await runReport('admin-activity');
    const first = page.locator('.report-rows tbody tr').first();
    assert.deepEqual([await first.getAttribute('tabindex'), await first.getAttribute('class')], ['0', 'clickable']);
    // And a string-or-list parameter says it takes several, comma-separated.
    assert.equal(await page.getAttribute('.report-form input[name=tenant]', 'placeholder'), 'comma-separated');
  });

  test('the coverage page says it is loading until the ledger comes', async () => {
    const page = w.page;
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/coverage*', async (route) => {
      await held;
      await route.continue().catch(() => undefined); // unrouted meanwhile (a failed wait)
    });
    try {
      await page.goto(`${w.url}#/coverage`);
      // It showed its heading and nothing else, as a ledger with no stream would look.
      await page.waitForSelector('.page p.muted:text-is("Loading…")');
      release();
      // This world's records were stored without collection: each tenant is said to have no content type collected.
      await page.waitForSelector('.page .error[data-tenant]');
      assert.equal(await page.$('.page p.muted:text-is("Loading…")'), null);
    } finally {
      release();
      await page.unroute('**/api/coverage*');
    }
  });

  test('the coverage page counts the records stored, and the copies Microsoft delivered again apart', async () => {
    const page = w.page;
    const tenant = w.emu.tenants[0]!;
    const stream = (over: Partial<StreamCoverage>): StreamCoverage => ({
      tenant: tenant.tenantId,
      name: tenant.name,
      stream: 'Audit.Exchange',
      kind: 'live',
      from: START - 2 * DAY,
      to: START,
      windows: 2,
      planned: 0,
      listed: 0,
      fetched: 2,
      failed: 0,
      expired: 0,
      blobs: 40,
      blobIssues: 0,
      records: 0,
      newRecords: 0,
      checkpoint: START,
      gaps: [],
      filled: [],
      ...over,
    });
    // This world's ledger is empty (its records were stored without collection): the page is given two streams.
    await page.route('**/api/coverage*', async (route) => {
      const body = (await (await route.fetch()).json()) as { streams: StreamCoverage[] };
      body.streams = [
        stream({ records: 1250, newRecords: 1000 }),
        stream({ stream: 'Audit.SharePoint', records: 700, newRecords: 700 }),
      ];
      await route.fulfill({ json: body });
    });
    try {
      await page.goto(`${w.url}#/tenants`); // the page asks for the ledger when it opens
      await page.goto(`${w.url}#/coverage`);
      await page.waitForSelector('table.coverage tbody tr');
      const cells = await page.$$eval('table.coverage td.stored', (tds) => tds.map((td) => td.textContent));
      // It showed 1,250: records Microsoft delivered, the same record counted once for every copy of it.
      assert.deepEqual(cells, ['1,000+ 250 duplicates', '700']);
      const head = page.locator('table.coverage th.stored');
      assert.equal(await head.textContent(), 'Records stored');
      assert.match((await head.getAttribute('title'))!, /more than once/);
      assert.match(
        (await page.getAttribute('table.coverage td.stored .sub', 'title'))!,
        /1,250 records delivered; 250 were copies of records already stored/,
      );
      await page.screenshot({ path: join(artifacts, 'coverage-records.png') });
      await page.setViewportSize({ width: 390, height: 800 });
      await page.screenshot({ path: join(artifacts, 'narrow-coverage.png') });
      const content = await page.$eval('main.content', (m) => m.scrollWidth - m.clientWidth);
      assert.ok(content <= 1, `the coverage page scrolls sideways as a whole by ${content} px`);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.unroute('**/api/coverage*');
    }
  });

  test('a tenant with auditing off is flagged on the tenants page', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/tenants`);
    await page.waitForSelector('table.tenants tbody tr');
    const off = w.emu.tenants
      .filter((t) => !t.ualEnabled)
      .map((t) => t.name)
      .sort();
    assert.ok(off.length > 0, 'the simulation has a tenant with auditing off');
    const flagged = (
      await page.$$eval('tr.flagged', (rows) => rows.map((r) => r.getAttribute('data-tenant') ?? ''))
    ).sort();
    assert.deepEqual(flagged, off);
    const badge = await page.textContent(`tr[data-tenant="${off[0]}"] .badge`);
    assert.equal(badge, 'AUDITING OFF');
    // The note's time reads as every other time on the page, not as a raw ISO instant.
    const finding = (await page.textContent(`tr[data-tenant="${off[0]}"] .finding`))!;
    assert.match(finding, /audit-config check of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/);
    assert.doesNotMatch(finding, /\d{4}-\d\d-\d\dT\d\d:/);
    await page.screenshot({ path: join(artifacts, 'tenants.png') });
    // Turning it on was asked for: the badge says by when, and in which zone (it said a bare "BY 12:40").
    const tenants = /\/api\/tenants$/;
    await page.route(tenants, async (route) => {
      const body = (await (await route.fetch()).json()) as {
        tenants: { name: string; posture: { requested: unknown } | null }[];
      };
      const asked = { at: START - 20 * 60_000, by: 'alice', appliesBy: START + 40 * 60_000 };
      body.tenants.find((t) => t.name === off[0])!.posture!.requested = {
        ...asked,
        overdue: false,
        unconfirmed: false,
      };
      await route.fulfill({ json: body });
    });
    try {
      await page.goto(`${w.url}#/coverage`);
      await page.goto(`${w.url}#/tenants`);
      const badge = page.locator(`tr[data-tenant="${off[0]}"] .badge`);
      await page.waitForSelector(`tr[data-tenant="${off[0]}"] .badge:has-text("TURNING ON")`);
      assert.equal(await badge.textContent(), 'TURNING ON BY 12:40 UTC');
      assert.match(
        (await page.getAttribute(`tr[data-tenant="${off[0]}"] .badge`, 'title'))!,
        /at 2026-11-20 11:40:00 UTC by alice/,
      );
    } finally {
      await page.unroute(tenants);
    }
    await page.goto(`${w.url}#/coverage`);
    await page.waitForSelector('h1');
    await page.screenshot({ path: join(artifacts, 'coverage.png') });
  });

  test('empty states: no search yet, 0 results say so and exports are disabled', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search`);
    await page.waitForSelector('.empty-state');
    assert.match((await page.textContent('.empty-state')) ?? '', /No search yet/);
    assert.equal(await page.$('.results .placeholder'), null, 'an empty form does not look like loading');
    await page.screenshot({ path: join(artifacts, 'search-empty-form.png') });
    const q = new URLSearchParams({ start, end, operation: 'FileAccesed' }).toString();
    await page.goto(`${w.url}#/search?${q}`);
    await page.waitForSelector('.empty-state >> text=No records match');
    await page.waitForSelector('.result-notices >> text=/FileAccessed/');
    assert.equal(await page.$eval('button:has-text("Export CSV")', (b) => (b as HTMLButtonElement).disabled), true);
    await page.screenshot({ path: join(artifacts, 'search-no-results.png') });
    // While the next search runs (its answer held back), the tenant chooser keeps every tenant to choose from.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/api\/search\?/, async (route) => {
      await held;
      await route.continue().catch(() => undefined);
    });
    try {
      const again = new URLSearchParams({ start, end, operation: 'FileAccessed' }).toString();
      await page.goto(`${w.url}#/search?${again}`);
      await page.waitForSelector('.results .placeholder');
      assert.equal(await page.locator('.tenant-chooser input[name=tenant]').count(), w.emu.tenants.length);
    } finally {
      release();
      await page.unroute(/\/api\/search\?/);
    }
  });

  test('opening the Search page records no search (its user suggestions under their own name, once a period); the one run is', async () => {
    const page = w.page;
    const trail = async () => (await w.store.consoleAudit.list({ limit: 100_000 })).filter((e) => e.seq > seq);
    const seq = (await w.store.consoleAudit.list({ limit: 100_000 })).at(-1)?.seq ?? 0;
    const asked: string[] = [];
    const listen = (response: Response): void => {
      const url = new URL(response.url());
      if (url.pathname === '/api/search/user-suggestions')
        asked.push(`${url.searchParams.get('start')} ${url.searchParams.get('end')}`);
    };
    page.on('response', listen);
    try {
      await page.goto(`${w.url}#/tenants`);
      await page.waitForSelector('table.tenants');
      await page.goto(`${w.url}#/search`);
      // The Users field's suggestions are in: the page's own lookups are done.
      await page.waitForFunction(() => document.querySelectorAll('#tw-users-seen option').length > 0);
      await page.fill('input[name=start]', start);
      await page.fill('input[name=end]', end);
      await page.fill('input[name=user]', user);
      const before = asked.length;
      await page.click('.search-form button[type=submit]');
      await searchSettled(page);
      // Asked again once the search is done, over the period searched.
      await waitFor(async () => asked.slice(before).includes(`${start} ${end}`));
    } finally {
      page.off('response', listen);
    }
    // This test's own entries: the previous test's held search may be recorded after this one took its starting point.
    const ours = async () =>
      (await trail()).filter((e) => (e.details.query as Record<string, unknown> | undefined)?.user === user);
    await waitFor(async () => (await ours()).some((e) => e.action === 'search'));
    assert.ok(asked.includes('7d now') && asked.length >= 2, `asked for: ${asked.join(', ')}`);
    // The Users field's suggestions name who was active (ADR 0019, decision 9): recorded, as what they are, once per
    // period in half an hour, however often the page asks. This file's clock stands still, so that is once in the
    // whole file: the earlier tests' visits and searches asked for the same two periods.
    const suggestions = await w.store.consoleAudit.list({ action: 'search.user-suggestions', limit: 100_000 });
    assert.deepEqual(
      suggestions.map((e) => e.details.query),
      [
        { start: '7d', end: 'now' },
        { start, end },
      ],
    );
    const entries = (await ours()).filter((e) => e.action !== 'search.user-suggestions');
    assert.deepEqual(
      entries.map((e) => e.action),
      ['search'],
      'the search run, and neither its own count and timeline nor the suggestions as a search',
    );
    assert.equal((entries[0]!.details.query as Record<string, unknown>).user, user);
  });

  test('typing a date into the period asks for user suggestions once it reads as a date, not once per key', async () => {
    const page = w.page;
    // A fresh Search page (from another page), its first suggestions (the last 7 days) in.
    await page.goto(`${w.url}#/tenants`);
    await page.waitForSelector('table.tenants');
    await page.goto(`${w.url}#/search`);
    await page.waitForFunction(() => document.querySelectorAll('#tw-users-seen option').length > 0);
    const asked: { start: string | null; status: number }[] = [];
    const listen = (response: Response): void => {
      const url = new URL(response.url());
      if (url.pathname === '/api/search/user-suggestions') {
        asked.push({ start: url.searchParams.get('start'), status: response.status() });
      }
    };
    page.on('response', listen);
    try {
      const typed = start.slice(0, 10);
      await page.fill('input[name=start]', '');
      await page.locator('input[name=start]').pressSequentially(typed);
      await waitFor(async () => asked.some((a) => a.start === typed));
      assert.deepEqual(asked, [{ start: typed, status: 200 }], 'one lookup, for the whole date');
    } finally {
      page.off('response', listen);
    }
  });

  test('the activity picker: grouped categories scroll vertically; search finds an activity', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search`);
    await page.click('text=Choose activities…');
    await page.waitForSelector('.picker-groups .picker-group');
    const box = await page.$eval('.picker-groups', (el) => ({
      groups: el.querySelectorAll('.picker-group').length,
      scrollWidth: el.scrollWidth,
      clientWidth: el.clientWidth,
      scrollHeight: el.scrollHeight,
      clientHeight: el.clientHeight,
    }));
    assert.ok(box.groups > 30, `every category is listed (${box.groups})`);
    assert.ok(box.scrollWidth <= box.clientWidth + 1, 'nothing sits off to the right');
    assert.ok(box.scrollHeight > box.clientHeight, 'the list scrolls vertically');
    // Every category header is reachable by the wheel.
    await page.hover('.picker-groups');
    await page.screenshot({ path: join(artifacts, 'picker.png') });
    await page.mouse.wheel(0, 100_000);
    await page.waitForFunction(() => (document.querySelector('.picker-groups')?.scrollTop ?? 0) > 0, undefined, {
      timeout: 5_000,
    });
    await page.screenshot({ path: join(artifacts, 'picker-scrolled.png') });
    await page.fill('.picker-panel > input', 'mailbox');
    await page.waitForSelector('.picker-items label');
    // Each activity shown matches by its name, its operation (the hover title) or its category.
    const shown = await page.$$eval('.picker-items label', (ls) =>
      ls.map(
        (l) =>
          `${l.textContent} | ${l.getAttribute('title')} | ${l.closest('.picker-group')?.querySelector('.picker-group-head')?.textContent}`,
      ),
    );
    assert.ok(shown.length > 0, 'the search finds mailbox activities');
    for (const l of shown) assert.match(l, /mailbox/i);
    await page.screenshot({ path: join(artifacts, 'picker-search.png') });
    await page.keyboard.press('Escape');
  });

  test('the detail pane shows ModifiedProperties as readable name / old / new rows', async () => {
    const page = w.page;
    const q = new URLSearchParams({ start, end, freeText: 'ModifiedProperties' }).toString();
    await page.goto(`${w.url}#/search?${q}`);
    await searchSettled(page);
    await page.click('.tr >> nth=0');
    await page.waitForSelector('.detail .nv-item');
    await page.$eval('.detail .nv', (el) => el.scrollIntoView());
    await page.screenshot({ path: join(artifacts, 'detail-modified-properties.png') });
    const widths = await page.$$eval('.detail .nv-row', (rows) => rows.map((r) => r.getBoundingClientRect().width));
    assert.ok(
      widths.length > 0 && Math.min(...widths) > 200,
      `values get the pane's width (${Math.min(...widths)} px)`,
    );
    const pane = await page.$eval('.detail', (el) => ({ sw: el.scrollWidth, cw: el.clientWidth }));
    assert.ok(pane.sw <= pane.cw + 1, 'long values wrap inside the pane');
    // Pivots: one click searches the same user in the same period and tenant.
    const userId = await page.textContent('.detail .kv.summary tr:has(td.key:text-is("userId")) td.mono');
    await page.click('.pivots >> text=Same user');
    await page.waitForFunction(() => /[?&]user=/.test(location.hash));
    assert.ok(
      decodeURIComponent(page.url().replace(/\+/g, ' ')).toLowerCase().includes(`user=${userId!.toLowerCase()}`),
    );
    await page.waitForSelector('.count strong');
    await page.screenshot({ path: join(artifacts, 'pivot-same-user.png') });
    // The search just run is on top of the recent searches; the users seen feed the Users field.
    await openSavedSearches(page);
    assert.match((await page.textContent('.saved-searches'))!, /user: /);
    const seen = await page.$$eval('#tw-users-seen option', (os) => os.length);
    assert.ok(seen > 0, 'the user picker offers the users seen');
    await page.screenshot({ path: join(artifacts, 'recent-searches.png') });
    await page.$eval('.detail .nv', (el) => el.scrollIntoView());
    await page.screenshot({ path: join(artifacts, 'detail-modified-properties.png') });
  });

  test('friendly activity names with the operation on hover; a timeline bar zooms in', async () => {
    const page = w.page;
    const q = new URLSearchParams({ start, end, workload: 'SharePoint' }).toString();
    await page.goto(`${w.url}#/search?${q}`);
    await searchSettled(page);
    // The friendly names arrive with the activity catalogue, after the first rows.
    await page.waitForFunction(
      () => document.querySelector('.td[title="Operation: FileAccessed"]')?.textContent === 'Accessed file',
      undefined,
      { timeout: 10_000 },
    );
    await page.waitForSelector('.timeline .zoomable .bar-hit');
    await page.click('.timeline .zoomable .bar-hit >> nth=0');
    await page.waitForFunction((e) => !location.hash.includes(`end=${encodeURIComponent(e)}`), end);
    const zoomed = new URLSearchParams(page.url().split('?')[1]);
    const span = Date.parse(zoomed.get('end')!) - Date.parse(zoomed.get('start')!);
    assert.ok(span <= DAY, `one bar's period (${span} ms)`);
    await page.waitForSelector('.timeline-axis >> text=per hour');
    await page.screenshot({ path: join(artifacts, 'timeline-zoomed.png') });
  });

  test('times in a chosen zone: the grid, the detail, the timeline and the export note say which', async () => {
    const page = w.page;
    const q = new URLSearchParams({ start, end, workload: 'SharePoint' }).toString();
    await page.goto(`${w.url}#/search?${q}`);
    await searchSettled(page);
    const utcHeading = await page.textContent('.th >> nth=0');
    assert.equal(utcHeading?.trim(), 'Date (UTC)');
    await page.click('.tr >> nth=0');
    await page.waitForSelector('[data-testid=detail-time]:not(:empty)');
    const utc = (await page.textContent('[data-testid=detail-time]'))!;
    assert.match(utc, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await page.selectOption('select[aria-label="Time zone"]', 'America/New_York');
    await page.waitForFunction(() => document.querySelector('.th')?.textContent?.trim() === 'Date (America/New_York)');
    // The heading names the zone in full: it was cut to "Date (America/New_" in a 150 px column.
    const heading = await page.$eval('.th >> nth=0', (el) => ({ sw: el.scrollWidth, cw: el.clientWidth }));
    assert.ok(heading.sw <= heading.cw, `the Date heading fits its column (${heading.sw} > ${heading.cw} px)`);
    const cell = await page.$eval('.tr .td', (el) => el.getBoundingClientRect().width);
    const head = await page.$eval('.th', (el) => el.getBoundingClientRect().width);
    assert.equal(cell, head, 'the rows follow the wider heading');
    const ny = (await page.textContent('[data-testid=detail-time]'))!;
    assert.match(ny, / America\/New_York$/);
    const utcMs = Date.parse(utc.replace(' UTC', 'Z').replace(' ', 'T'));
    const nyMs = Date.parse(ny.replace(' America/New_York', 'Z').replace(' ', 'T'));
    assert.equal(utcMs - nyMs, 5 * 3_600_000, 'New York is 5 hours behind UTC in November');
    assert.equal(
      (await page.textContent('.tr >> nth=0 >> .td >> nth=0'))?.trim(),
      ny.replace(' America/New_York', ''),
      'the grid row shows the same time as the detail',
    );
    assert.match((await page.textContent('.timeline-axis'))!, /America\/New_York.*per UTC day.*America\/New_York/s);
    assert.match((await page.textContent('.export-zone'))!, /files in UTC/);
    await page.screenshot({ path: join(artifacts, 'time-zone-new-york.png') });
    await page.reload();
    await searchSettled(page);
    assert.equal((await page.textContent('.th >> nth=0'))?.trim(), 'Date (America/New_York)', 'the choice is kept');
    await page.selectOption('select[aria-label="Time zone"]', 'UTC');
    await page.waitForFunction(() => document.querySelector('.th')?.textContent?.trim() === 'Date (UTC)');
  });

  test("a date-time picker writes the chosen zone's offset; a named search is saved and runs again", async () => {
    const page = w.page;
    // The count shows "…" while it is counted: wait for the number.
    const counted = async (): Promise<string> => {
      await page.waitForFunction(() => /^[\d,]+$/.test(document.querySelector('.count strong')?.textContent ?? ''));
      return (await page.textContent('.count strong'))!;
    };
    await page.goto(`${w.url}#/search`);
    await page.selectOption('select[aria-label="Time zone"]', 'America/New_York');
    try {
      await page.fill('input[aria-label="Pick start (America/New_York)"]', '2026-11-13T07:00');
      assert.equal(await page.inputValue('input[name=start]'), '2026-11-13T07:00:00-05:00');
      await page.fill('input[aria-label="Pick end (America/New_York)"]', '2026-11-20T07:00');
      await page.fill('input[name=user]', user);
      await page.click('.search-form button[type=submit]');
      const shown = await counted();
      await openSavedSearches(page);
      page.once('dialog', (d) => void d.accept('sharepoint week'));
      await page.click('text=Save this search…');
      await page.waitForSelector('.saved-searches a:text-is("sharepoint week")');
      const recent = (await page.textContent('.saved-lists > div:nth-child(2) li'))!;
      assert.match(recent, /^2026-11-13 07:00:00 America\/New_York → 2026-11-20 07:00:00 America\/New_York/);
      await page.screenshot({ path: join(artifacts, 'saved-search.png') });
      await page.goto(`${w.url}#/search`);
      await page.reload();
      await openSavedSearches(page);
      await page.click('.saved-searches a:text-is("sharepoint week")');
      await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name=start]')?.value !== '');
      assert.equal(await page.inputValue('input[name=start]'), '2026-11-13T07:00:00-05:00', 'kept across a reload');
      assert.equal(await counted(), shown, 'the saved search runs again');
    } finally {
      await page.selectOption('select[aria-label="Time zone"]', 'UTC');
    }
  });

  test('Escape closes what is open, the last opened first, wherever the focus is: export dialog, record, report row', async () => {
    const page = w.page;
    // All tenants: one records nothing, so an export asks first, in a dialog.
    await page.goto(`${w.url}#/search?${new URLSearchParams({ start, end, workload: 'SharePoint' }).toString()}`);
    await searchSettled(page);
    await page.click('text=Export CSV');
    await page.waitForSelector('.export-dialog');
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      'Download CSV',
      'the dialog takes the focus: Enter downloads',
    );
    await page.keyboard.press('Escape');
    await page.waitForSelector('.export-dialog', { state: 'detached' });
    // A record open and the dialog over it: Escape closes the dialog, then the record.
    await page.click('.tr >> nth=0');
    await page.waitForSelector('.detail .kv.summary');
    await page.click('text=Export CSV');
    await page.waitForSelector('.export-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.export-dialog', { state: 'detached' });
    assert.ok(await page.$('.detail'), 'the record stays open under the dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.detail', { state: 'detached' });
    // A report row's record covers the page; the row keeps the focus, and Escape still closes it.
    await runReport('admin-activity');
    await page.click('.report-rows tbody tr >> nth=0');
    await page.waitForSelector('.detail .kv.summary');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.detail', { state: 'detached' });
  });

  test('the results sort from the keyboard: a column heading takes the focus, Enter sorts by it', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search?${new URLSearchParams({ start, end, user, workload: 'SharePoint' }).toString()}`);
    await searchSettled(page);
    await page.focus('.search-form button[type=submit]');
    // Only a mouse could sort: the headings took no focus, so Tab went from the form past them into the rows.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.getAttribute('role') === 'columnheader')) break;
    }
    const heading = await page.evaluate(() => ({
      role: document.activeElement?.getAttribute('role'),
      text: document.activeElement?.textContent ?? '',
    }));
    assert.equal(heading.role, 'columnheader', 'Tab reaches the column headings');
    assert.match(heading.text, /^Date/);
    const dates = () => page.$$eval('.results .tr .td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));
    const newestFirst = await dates();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.results [role=columnheader][aria-sort=ascending]');
    const sorted = await dates();
    assert.deepEqual(sorted, [...sorted].sort(), 'oldest first');
    assert.notDeepEqual(sorted, newestFirst);
    await page.keyboard.press(' ');
    await page.waitForSelector('.results [role=columnheader][aria-sort=descending]');
  });

  test('every page has one top heading naming it, for screen readers and the outline', async () => {
    const page = w.page;
    const named: Record<string, RegExp> = {
      tenants: /^Tenants$/,
      search: /^Search$/,
      reports: /^Reports$/,
      alerts: /^Alerts$/,
      coverage: /^Coverage/,
      'audit-config': /^Audit settings$/,
      sinks: /^Sinks$/,
      audit: /^Console audit trail$/,
      admin: /^Administration$/,
    };
    for (const [id, name] of Object.entries(named)) {
      await page.goto(`${w.url}#/${id}`);
      await page.waitForSelector('main.content > section h1', { state: 'attached' });
      const headings = await page.$$eval('main h1', (hs) => hs.map((h) => h.textContent ?? ''));
      assert.equal(headings.length, 1, `#/${id}: ${headings.join(' | ')}`);
      assert.match(headings[0]!, name, `#/${id}`);
    }
  });

  test("at a phone's 390 px every page fits the width: the tabs wrap below and scroll, a detail covers the page", async () => {
    const page = w.page;
    await page.setViewportSize({ width: 390, height: 800 });
    const wide: string[] = [];
    try {
      for (const id of [
        'tenants',
        'search',
        'reports',
        'alerts',
        'coverage',
        'audit-config',
        'sinks',
        'audit',
        'admin',
        `posture?tenant=${w.emu.tenants.find((t) => !t.ualEnabled)!.name}`,
      ]) {
        await page.goto(`${w.url}#/${id}`);
        await page.waitForSelector('main.content > section');
        if (id.startsWith('posture')) await page.waitForSelector('.posture-findings');
        // The bar's tabs, zone and account ran off the right edge (white on the page's grey), the page 1,086 px wide.
        assert.equal(
          await page.evaluate(() => document.documentElement.scrollWidth),
          390,
          `#/${id} is wider than 390 px`,
        );
        // A page's own controls wrap within the width too (the audit trail's filters ran off, its exports unseen).
        const beyond = await page.$$eval(
          'main form :is(input, select, button, textarea), main .audit-filters > *',
          (els) =>
            els
              .filter((e) => !e.closest('table') && e.getBoundingClientRect().width > 0)
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
              .map((e) => e.outerHTML.slice(0, 80)),
        );
        assert.deepEqual(beyond, [], `#/${id}: controls past the right edge`);
        // A table wider than the screen scrolls on its own; the page's content area scrolled sideways as a whole, the
        // headings and forms with it (the admin page's tenants table, its Test connection buttons off the screen).
        const content = await page.$eval('main.content', (m) => m.scrollWidth - m.clientWidth);
        if (content > 1) wide.push(`#/${id}: ${content} px`);
        const bar = await page.$eval('.topbar', (b) => b.getBoundingClientRect().right);
        assert.ok(bar <= 390, `the top bar ends at ${bar}`);
        // Every tab can be reached: the tab row scrolls sideways within the bar.
        const last = page.locator('.topbar nav a').last();
        await last.scrollIntoViewIfNeeded();
        const box = (await last.boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= 390, `the last tab is at ${box.x}–${box.x + box.width}`);
      }
      assert.deepEqual(wide, [], 'pages whose content scrolls sideways as a whole');
      await page.goto(`${w.url}#/search?${new URLSearchParams({ start, end, workload: 'SharePoint' }).toString()}`);
      await searchSettled(page);
      await page.screenshot({ path: join(artifacts, 'narrow-search.png') });
      await page.click('.tr >> nth=0');
      await page.waitForSelector('.detail .kv.summary');
      const detail = (await page.locator('.detail').boundingBox())!;
      assert.ok(
        detail.x >= 0 && detail.x + detail.width <= 390,
        `the detail spans ${detail.x}–${detail.x + detail.width}`,
      );
      const close = (await page.locator('.detail button[aria-label="Close detail"]').boundingBox())!;
      assert.ok(close.x + close.width <= 390, 'its ✕ is on the screen');
      await page.screenshot({ path: join(artifacts, 'narrow-search-detail.png') });
      // A field's name broke inside a word ("recordTypeNam" / "e"): a long one wraps only between its words.
      assert.deepEqual(await keysBrokenMidWord(page), [], 'field names broken inside a word at 390 px');
      // The tenants table's Finding was a narrow column off the screen's right edge (the table scrolled sideways):
      // each finding is on the screen, with most of its width.
      await page.goto(`${w.url}#/tenants`);
      await page.waitForSelector('table.tenants tbody tr');
      await page.screenshot({ path: join(artifacts, 'narrow-tenants.png') });
      const findings = await page.$$eval('table.tenants td.finding', (tds) =>
        tds.map((td) => {
          const range = document.createRange();
          range.selectNodeContents(td);
          const cell = td.getBoundingClientRect();
          return { left: cell.left, right: cell.right, text: Math.round(range.getBoundingClientRect().width) };
        }),
      );
      assert.ok(findings.length > 0);
      for (const f of findings) assert.ok(f.left >= 0 && f.right <= 390 && f.text >= 180, JSON.stringify(f));
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    await page.goto(`${w.url}#/search?${new URLSearchParams({ start, end, workload: 'SharePoint' }).toString()}`);
    await searchSettled(page);
    await page.click('.tr >> nth=0');
    await page.waitForSelector('.detail .kv.summary');
    assert.deepEqual(await keysBrokenMidWord(page), [], 'field names broken inside a word at 1280 px');
    await page.screenshot({ path: join(artifacts, 'search-detail-keys.png') });
    await page.keyboard.press('Escape');
    await page.goto(`${w.url}#/tenants`);
    await page.waitForSelector('table.tenants tbody tr');
    assert.ok((await findingLines(page)) <= 3, `a finding takes ${await findingLines(page)} lines at 1280 px`);
  });

  test("a tenant's posture page: every finding with its fix, when it was checked, and the history", async () => {
    const page = w.page;
    const off = w.emu.tenants.find((t) => !t.ualEnabled)!;
    await page.goto(`${w.url}#/tenants`);
    await page.click(`tr[data-tenant="${off.name}"] .posture-link`);
    await page.waitForSelector('.posture-findings tbody tr');
    assert.match(page.url(), new RegExp(`#/posture\\?tenant=${off.name}$`));
    assert.match((await page.textContent('h1'))!, new RegExp(`Audit posture — ${off.name}`));
    assert.match(
      (await page.textContent('.posture-head'))!,
      /AUDITING OFF\s*checked at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
    );
    const rows = await page.$$eval('.posture-findings tbody tr', (trs) =>
      trs.map((tr) => ({ code: tr.getAttribute('data-code'), fix: tr.querySelector('.fix')?.textContent ?? '' })),
    );
    const ual = rows.find((r) => r.code === 'UAL_OFF');
    assert.ok(ual, rows.map((r) => r.code).join());
    assert.match(ual.fix, new RegExp(`audit-config enable.*${off.name}|Set-AdminAuditLogConfig`));
    // A finding was cut at the column's end ("…, and a…"), its whole sentence nowhere on the page.
    const clipped = await page.$$eval('.posture-findings td', (tds) =>
      tds.filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent),
    );
    assert.deepEqual(clipped, [], 'findings cut short');
    assert.ok((await page.$$('.posture-history tbody tr')).length >= 1, 'the history lists the checks');
    assert.match((await page.textContent('.posture-history thead'))!, /Checked at \(UTC\)/);
    await page.screenshot({ path: join(artifacts, 'posture.png'), fullPage: true });
  });
});
