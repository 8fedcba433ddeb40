import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/core/log.js';
import type { StoredRecord } from '../../src/core/record.js';
import type { Hit } from '../../src/detections/contract.js';
import { raiseHits } from '../../src/detections/alerts/raise.js';
import { postureDriftHits } from '../../src/detections/posture-drift.js';
import { addUser, TEST_PASSWORD } from '../../src/server/auth/testing.js';
import { START, artifacts, startWorld, type World } from './harness.js';

/**
 * The Alerts page in a real browser (issue 14, item 7): alerts raised from hand-made hits over the
 * simulated tenants' stored records; the page filters by tenant and status, opens an alert with the
 * records behind it, acknowledges it, and the list follows. Screenshots in test-artifacts/.
 */
let w: World;
/** The tenants that got alerts (a tenant with auditing off has no records). */
const alerted: { name: string; tenantId: string }[] = [];
const DAY = 86_400_000;
/** The alerts' and the accounts' time: the emulator's start, where its virtual clock stands. */
const clock = { now: () => START, sleep: async () => undefined };

before(async () => {
  w = await startWorld();
  const hits: Hit[] = [];
  const severities = ['critical', 'high', 'medium'] as const;
  for (const [n, t] of w.emu.tenants.entries()) {
    const records: StoredRecord[] = [];
    for await (const r of w.store.records.search(
      { range: { start: START - 2 * DAY, end: START }, tenants: [t.tenantId] },
      { limit: 6 },
    ))
      records.push(r);
    if (records.length) alerted.push(t);
    for (const [i, pair] of [records.slice(0, 3), records.slice(3, 6)].entries()) {
      if (!pair.length) continue;
      hits.push({
        ruleId: i ? 'tw-mass-download' : 'tw-forwarding-outside',
        tenant: t.tenantId,
        groupKey: pair[0]!.userKey ?? '',
        severity: severities[(n + i) % 3]!,
        title: i ? 'Many files downloaded by one user' : 'Mail forwarded outside the organisation',
        recordIds: pair.map((r) => r.id),
        firstSeen: Math.min(...pair.map((r) => r.creationTime)),
        lastSeen: Math.max(...pair.map((r) => r.creationTime)),
        facts: { user: pair[0]!.userId ?? '', operation: pair[0]!.operation },
      });
    }
  }
  // Auditing switched off between two checks of the first tenant: a drift alert with a runbook.
  const check = (at: number, ualEnabled: boolean) => ({
    tenant: alerted[0]!.tenantId,
    takenAt: at,
    verdict: 'ok' as const,
    body: { checkedAt: new Date(at).toISOString(), ualEnabled, orgAuditDisabled: false, mailboxes: null },
  });
  await w.store.posture.save(check(START - 2 * 3_600_000, true));
  await w.store.posture.save(check(START - 3_600_000, false));
  hits.push(...(await postureDriftHits(w.store)));
  await raiseHits({ store: w.store, clock, logger: silentLogger }, hits);
});
after(async () => {
  await w?.close();
});

describe('alerts page in a browser', () => {
  test('filters by tenant and status, opens an alert with its records, acknowledges it', async () => {
    const page = w.page;
    assert.ok(alerted.length >= 2, 'alerts in several tenants');
    const tenant = alerted[1]!;
    await page.goto(`${w.url}#/alerts`);
    await page.waitForSelector('table.alerts tbody tr');
    const total = await page.locator('table.alerts tbody tr').count();
    assert.ok(total >= 4, `alerts of several tenants are listed (${total})`);
    // Eight days of records: the 30-day new-address rule says it calls nothing new yet, and until when.
    const waits = (await page.textContent('.history-waits')) ?? '';
    assert.match(waits, /“Sign-in from an address new for the user” looks back 30 days/);
    assert.match(waits, /\(until \d{4}-\d\d-\d\d\)/);
    // Under each title, who the alert is about (its group, else the acting user), not the rule's id.
    const subs = await page
      .locator('table.alerts tbody tr[data-rule="tw-forwarding-outside"] .what .sub')
      .allTextContents();
    assert.ok(
      subs.some((t) => t.includes('@')) && !subs.includes('tw-forwarding-outside'),
      `the user under the title: ${subs.join(', ')}`,
    );

    await page.selectOption('select[name=tenant]', tenant.name);
    await page.waitForFunction(
      (name) =>
        [...document.querySelectorAll('table.alerts tbody tr td:nth-child(4)')].every((td) => td.textContent === name),
      tenant.name,
    );
    await page.selectOption('select[name=status]', 'new');
    await page.waitForURL(/status=new/);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('table.alerts tbody tr .status')].every((s) => s.textContent === 'new'),
    );
    const rows = page.locator('table.alerts tbody tr');
    const before = await rows.count();
    assert.ok(before >= 1, 'the tenant has new alerts');

    await rows.first().click();
    await page.waitForSelector('.alert-detail .alert-records tr');
    const detail = (await page.textContent('.alert-detail')) ?? '';
    assert.match(detail, /Records \(\d+ of \d+\)/);
    // From the keyboard as with the mouse: a record row takes the focus and Enter opens its AuditData.
    await page.focus('.alert-detail .alert-records tr >> nth=0');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.alert-detail .alert-records .kv, .alert-detail .alert-records .nv');
    assert.equal(await page.getAttribute('.alert-detail .alert-records tr >> nth=0', 'aria-expanded'), 'true');
    await page.screenshot({ path: join(artifacts, 'alerts-detail.png') });

    await page.click('.alert-detail button:has-text("Acknowledge")');
    await page.waitForSelector('.alert-detail .status.st-acknowledged');
    await page.waitForFunction((n) => document.querySelectorAll('table.alerts tbody tr').length === n - 1, before);
    const history = (await page.textContent('.alert-detail .history')) ?? '';
    assert.match(history, /new → acknowledged/);
    const stored = await w.store.alerts.list({ tenants: [tenant.tenantId], statuses: ['acknowledged'] });
    assert.equal(stored.length, 1, 'the acknowledgement is stored');
    assert.equal(stored[0]?.statusBy, 'console');
    await page.screenshot({ path: join(artifacts, 'alerts.png') });
    // Every time in the alert says its zone (who changed the status and when, the records, the history).
    await page.selectOption('select[aria-label="Time zone"]', 'America/New_York');
    try {
      const statusBy = await page.textContent('.alert-detail tr:has(td.key:text-is("Status by")) td:nth-child(2)');
      assert.match(statusBy ?? '', /^console at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d America\/New_York$/);
      const heads = await page.$$eval('.alert-detail h3', (hs) => hs.map((h) => h.textContent ?? ''));
      assert.ok(
        heads.some((h) => /^Records \(.*\) times in America\/New_York$/.test(h)),
        heads.join(' | '),
      );
      assert.ok(heads.includes('History times in America/New_York'), heads.join(' | '));
      // A note's instant too (a snooze's "until"), not the API's ISO text in UTC.
      await page.click('.alert-detail button:has-text("Snooze")');
      await page.waitForSelector('.alert-detail .history li:has-text("snoozed until")');
      const note = (await page.textContent('.alert-detail .history li:has-text("snoozed until")'))!;
      assert.match(note, /snoozed until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d America\/New_York$/);
    } finally {
      await page.selectOption('select[aria-label="Time zone"]', 'UTC');
    }
    // Escape closes the alert wherever the focus is (here on the button just pressed), as the record pane's does.
    await page.keyboard.press('Escape');
    await page.waitForSelector('.alert-detail', { state: 'detached' });
    assert.doesNotMatch(page.url(), /[?&]id=al_/);
  });

  test('a posture drift alert shows its runbook', async () => {
    const page = w.page;
    // The new filter's list is held back: meanwhile the previous list stays on screen, dimmed, busy and not
    // clickable, so nobody opens an alert the new filter leaves out.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const drift = /\/api\/alerts\?.*rule=tenantwatch-posture-drift/;
    await page.route(drift, async (route) => {
      await held;
      // The page may have given up on this request meanwhile (a newer one replaced it).
      await route.continue().catch(() => undefined);
    });
    await page.goto(`${w.url}#/alerts?rule=tenantwatch-posture-drift`);
    await page.waitForSelector('table.alerts.stale[aria-busy="true"]');
    assert.equal(await page.locator('table.alerts').evaluate((t) => getComputedStyle(t).pointerEvents), 'none');
    release();
    await page.waitForSelector('table.alerts[aria-busy="false"]:not(.stale)');
    await page.unroute(drift);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('table.alerts tbody tr')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-rule') === 'tenantwatch-posture-drift');
    });
    await page.click('table.alerts tbody tr >> nth=0');
    await page.waitForSelector('.alert-detail .runbook');
    assert.match((await page.textContent('.alert-detail .runbook')) ?? '', /audit-config enable/);
    assert.match((await page.textContent('.alert-detail h2')) ?? '', /Unified audit log ingestion was turned OFF/);
    await page.screenshot({ path: join(artifacts, 'alerts-drift.png') });
  });
  test('Exclude says what it excluded, empties its form and lists the exclusions of the rule', async () => {
    const page = w.page;
    const tenant = alerted[0]!;
    // One of every tenant, made by an admin of all: its hits are every tenant's, not for this tenant's page.
    await w.store.alerts.addExclusion({
      id: 'ex_everywhere',
      ruleId: 'tw-mass-download',
      tenant: '*',
      kind: 'user',
      value: 'backup-svc@example.com',
      reason: 'nightly backup',
      author: 'root',
      createdAt: START,
      hits: 7,
      lastHitAt: START,
    });
    await page.goto(`${w.url}#/alerts?tenant=${tenant.name}&rule=tw-mass-download`);
    await page.click('table.alerts tbody tr >> nth=0');
    await page.waitForSelector('.alert-detail .alert-records tr');
    // An empty value is refused with words that say so (it said "a value of at most 512 characters").
    await page.click('.alert-detail button:has-text("Exclude")');
    await page.waitForSelector('.alert-detail .error');
    assert.match((await page.textContent('.alert-detail .error')) ?? '', /An exclusion needs a value/);
    await page.selectOption('.alert-detail select[name=kind]', 'address');
    // The example follows the kind chosen (it kept the user's name for an address).
    assert.match(
      (await page.getAttribute('.alert-detail input[name=value]', 'placeholder')) ?? '',
      /^(\d{1,3}\.){3}\d{1,3}$|CIDR/,
    );
    // The example reads whole in its narrow field (the long one was cut off).
    await page.locator('.alert-detail form:has(select[name=kind])').screenshot({
      path: join(artifacts, 'alerts-exclude-address.png'),
    });
    await page.getByLabel('Value to exclude').fill('192.0.2.0/24');
    await page.getByLabel('Reason').fill('scanner subnet');
    await page.click('.alert-detail button:has-text("Exclude")');
    await page.waitForSelector('.alert-detail [role=status]');
    assert.match(
      (await page.textContent('.alert-detail [role=status]')) ?? '',
      new RegExp(`Excluded address 192.0.2.0/24 from this rule in ${tenant.name}`),
    );
    assert.equal(await page.inputValue('.alert-detail input[name=value]'), '', 'a second click makes no copy');
    await page.waitForSelector('.alert-detail .exclusions li');
    assert.match(
      (await page.textContent('.alert-detail .exclusions')) ?? '',
      /address 192\.0\.2\.0\/24 — scanner subnet/,
    );
    const listed = (await page.textContent('.alert-detail .exclusions')) ?? '';
    assert.match(listed, /backup-svc@example\.com \(every tenant\)/);
    assert.doesNotMatch(listed, /7 hit/);
    const stored = (await w.store.alerts.listExclusions()).filter((x) => x.tenant === tenant.tenantId);
    assert.deepEqual(
      stored.map((x) => [x.ruleId, x.kind, x.value]),
      [['tw-mass-download', 'address', '192.0.2.0/24']],
    );
    await page.screenshot({ path: join(artifacts, 'alerts-excluded.png') });
  });

  test('large counts read with thousands separators, as the rest of the console writes them', async () => {
    const page = w.page;
    // The API's own answers, their counts made large (a password spray of thousands of attempts).
    const list = /\/api\/alerts(\?|$)/;
    const one = /\/api\/alerts\/al_[^/?]+(\?|$)/;
    await page.route(list, async (route) => {
      const body = (await (await route.fetch()).json()) as { count: number; alerts: { hits: number }[] };
      body.count = 1234;
      body.alerts[0]!.hits = 12_345;
      await route.fulfill({ json: body });
    });
    await page.route(one, async (route) => {
      const body = (await (await route.fetch()).json()) as { alert: { recordTotal: number } };
      body.alert.recordTotal = 12_345;
      await route.fulfill({ json: body });
    });
    try {
      // From another page, so the list is drawn afresh from these answers (not the last filter's, still shown).
      await page.goto(`${w.url}#/tenants`);
      await page.waitForSelector('table.tenants');
      await page.goto(`${w.url}#/alerts`);
      await page.waitForSelector('table.alerts tbody tr');
      assert.equal((await page.textContent('.alerts-page .count'))?.trim(), '1,234 alerts');
      assert.equal(await page.textContent('table.alerts tbody tr >> nth=0 >> td.num'), '12,345');
      await page.click('table.alerts tbody tr >> nth=0');
      await page.waitForSelector('.alert-detail h3:has-text("Records")');
      assert.match((await page.textContent('.alert-detail h3:has-text("Records")'))!, /^Records \(\d+ of 12,345\)/);
    } finally {
      await page.unroute(list);
      await page.unroute(one);
      await page.goto(`${w.url}#/tenants`); // the next test opens #/alerts afresh
    }
  });

  // Last: the account it adds turns sign-in on for the rest of this world.
  test('a viewer reads an alert but is offered none of the actions its role cannot take', async () => {
    const page = w.page;
    await addUser(w.store, clock, { name: 'vic', role: 'viewer' });
    await page.goto(`${w.url}#/alerts`);
    await page.waitForSelector('form[aria-label="Sign in"]');
    await page.fill('input[name=name]', 'vic');
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('.user-badge .user-role');
    await page.click('table.alerts tbody tr >> nth=0');
    await page.waitForSelector('.alert-detail .records-withheld');
    // Hidden, not disabled: each of these answered "needs investigator" when pressed.
    for (const action of ['Acknowledge', 'Resolve', 'False positive', 'Snooze', 'Exclude'])
      assert.equal(await page.locator(`.alert-detail button:has-text("${action}")`).count(), 0, action);
    assert.equal(await page.locator('.alert-detail form').count(), 0, 'no snooze or exclude form');
    assert.match((await page.textContent('.alert-detail [role=note]')) ?? '', /need the investigator role/);
    assert.match((await page.textContent('.alert-detail h2')) ?? '', /\S/, 'the alert itself is shown');
    // Records are an investigator's to read (a viewer can neither search nor export them): withheld, and said so.
    assert.equal(await page.locator('.alert-detail .alert-records').count(), 0, 'no record is shown');
    assert.match((await page.textContent('.alert-detail .records-withheld')) ?? '', /shown to investigators/);
    await page.screenshot({ path: join(artifacts, 'alerts-viewer.png') });
  });
});
