import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SIGN_IN_PASSWORD } from '../../emulator/token/signin.js';
import { systemClock } from '../../src/core/clock.js';
import { openidProvider } from '../../src/server/auth/oidc-client.js';
import { accountsOf, addUser, TEST_ACTOR, TEST_PASSWORD } from '../../src/server/auth/testing.js';
import { buildServer } from '../../src/server/index.js';
import { testDeps } from '../../src/server/testing/fixtures.js';
import type { ServerDeps } from '../../src/server/deps.js';
import type { EnableOutcome } from '../../src/posture/service.js';
import type { PostureResult } from '../../src/posture/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { artifacts, ensureWebBuilt, openSavedSearches, requireChromium, searchSettled } from './harness.js';

/**
 * Issue 16 in a real browser: local sign-in, the audit trail page, CSRF refused, sign-out, a session that
 * ends after inactivity, a viewer refused an admin action, and OpenID Connect sign-in through the
 * emulator's Entra ID — with a screenshot of each step in test-artifacts/.
 */
let t: TestEmulator;
let deps: ServerDeps;
let app: FastifyInstance;
let url = '';
let browser: BrowserContext;
let page: Page;
let offset = 0;
const profile = mkdtempSync(join(tmpdir(), 'tw-signin-browser-'));

before(async () => {
  const executablePath = requireChromium();
  t = await startTestEmulator({ tenants: 1, users: 5, days: 1 });
  const tenant = t.emu.tenants[0]!;
  const oidc = await openidProvider({
    issuer: `${t.emu.url}/${tenant.tenantId}/v2.0`,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    ca: t.emu.caPem,
    name: 'Microsoft Entra ID',
    groupRules: [{ group: 'tenantwatch-admins', role: 'admin', tenants: ['*'] }],
  });
  // A clock the test moves forward (an ended session) while the browser runs on real time.
  // Each test signs in afresh from one address: more sign-ins than a minute's default allowance (10).
  deps = await testDeps({ webRoot: ensureWebBuilt(), auth: { oidc, loginRate: { max: 100, windowMs: 60_000 } } });
  deps.clock = { ...systemClock, now: () => Date.now() + offset };
  // The posture service without Microsoft: a plan of one step, then its result.
  const step = {
    kind: 'ual',
    target: 'contoso',
    cmdlet: 'Set-AdminAuditLogConfig',
    description: 'turn unified audit log ingestion on',
  };
  const checked: PostureResult = {
    tenant: 'contoso',
    tenantId: '3509e8a3-4d87-4795-8f58-150ac9ed451b',
    checkedAt: new Date().toISOString(),
    verdict: 'failing',
    findings: [
      {
        code: 'UAL_OFF',
        severity: 'failing',
        message: 'Unified audit log ingestion is off: no activity of this tenant is being recorded',
        fix: 'tenantwatch audit-config enable contoso',
      },
    ],
    ualEnabled: false,
    orgAuditDisabled: false,
    dehydrated: false,
    adminAuditLogEnabled: true,
    mailboxes: null,
    subscriptions: null,
    newestRecord: null,
  };
  deps.posture = {
    check: async () => checked,
    enable: async (_tenant, apply) =>
      (apply
        ? { tenant: 'contoso', dryRun: false, plan: [step], results: [{ step, status: 'done' }], after: checked }
        : { tenant: 'contoso', dryRun: true, plan: [step], results: [], after: null }) as unknown as EnableOutcome,
  };
  // Tenant registration without Microsoft: stored as given (no secret kept), tested as "ok".
  deps.tenantAdmin = {
    add: async (input) => {
      const row = { ...(await deps.store.tenants.get('contoso'))!, name: input.name, tenantId: input.tenantId };
      await deps.store.tenants.upsert(row);
      return row;
    },
    test: async () => ({ ok: true, lines: ['sign-in: ok (token for the Management Activity API)'], error: null }),
  };
  app = await buildServer(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  await addUser(deps.store, deps.clock, { name: 'alice', role: 'admin' });
  await addUser(deps.store, deps.clock, { name: 'vic', role: 'viewer', tenants: ['contoso'] });
  await addUser(deps.store, deps.clock, { name: 'sam', role: 'admin', tenants: ['contoso'] });
  await addUser(deps.store, deps.clock, { name: 'ivy', role: 'investigator', tenants: ['contoso'] });
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: 1280, height: 800 },
    // Only the browser skips the check of the emulator's certificate; the console checks it with the CA.
    ignoreHTTPSErrors: true,
  });
  page = browser.pages()[0] ?? (await browser.newPage());
});
after(async () => {
  await browser?.close().catch(() => undefined);
  await app?.close();
  await t?.close();
  rmSync(profile, { recursive: true, force: true });
});

async function signInLocally(name: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('form[aria-label="Sign in"]');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.user-badge .user-name');
}

const shot = (name: string) => page.screenshot({ path: join(artifacts, `signin-${name}.png`) });

describe('signing in to the console in a browser', () => {
  test('local sign-in, the audit trail page, CSRF refused, sign-out', async () => {
    await page.goto(url);
    await page.waitForSelector('form[aria-label="Sign in"]');
    // Enter with the password still empty: the form says which field is missing and puts the focus there (the
    // button was disabled, so Enter did nothing and said nothing).
    await page.fill('input[name=name]', 'alice');
    await page.press('input[name=name]', 'Enter');
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'password');
    assert.notEqual(await page.$eval('input[name=password]', (i) => (i as HTMLInputElement).validationMessage), '');
    assert.equal(await page.$('.user-badge'), null);
    await page.fill('input[name=name]', 'alice');
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error[role=alert]');
    await shot('failed');
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('.user-badge .user-name');
    assert.equal(await page.textContent('.user-badge .user-name'), 'alice');
    await page.waitForSelector('text=contoso');
    await shot('signed-in');

    await page.click('a[href="#/audit"]');
    await page.waitForSelector('.audit-table tbody tr');
    const rows = await page.$$eval('.audit-table tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    assert.ok(rows.some((r) => r.includes('alice') && r.includes('signin') && r.includes('ok')));
    assert.ok(rows.some((r) => r.includes('signin') && r.includes('failed')));
    assert.ok(
      rows.every((r) => !r.includes('{"')),
      'details read as fields, not as a JSON line',
    );
    await shot('audit-trail');

    const forged = await page.evaluate(async () => {
      const res = await fetch('/api/reports/admin-activity/run', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    });
    assert.deepEqual(forged, { status: 403, code: 'CSRF_REJECTED' });

    await page.click('.user-badge button');
    await page.waitForSelector('form[aria-label="Sign in"]');
    const after = await page.evaluate(async () => (await fetch('/api/tenants')).status);
    assert.equal(after, 401);
    // The form says the sign-out worked (it came back as if nothing had happened), ready for the next name.
    assert.match((await page.textContent('form[aria-label="Sign in"] [role=status]')) ?? '', /^You signed out\./);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'name');
    await shot('signed-out');
  });

  test('signed in, the top bar is one line at 1280 px and wraps at 1024 px; its "Sign out" never breaks', async () => {
    await signInLocally('alice');
    try {
      for (const width of [1280, 1024]) {
        await page.setViewportSize({ width, height: 800 });
        const bar = await page.evaluate(() => ({
          page: document.documentElement.scrollWidth,
          bar: document.querySelector<HTMLElement>('.topbar')!.offsetHeight,
          button: document.querySelector<HTMLElement>('.user-badge button')!.getBoundingClientRect(),
          zone: document.querySelector<HTMLElement>('.zone-chooser')!.offsetHeight,
        }));
        // The button broke over two lines, taller than the bar; at 1,024 px the bar ran on to 1,241 px.
        assert.equal(bar.page, width, `at ${width} px the page is ${bar.page} px wide`);
        assert.ok(bar.button.right <= width && bar.button.height < 30, `Sign out: ${JSON.stringify(bar.button)}`);
        assert.ok(bar.zone < 30, `"Times in" on one line (${bar.zone} px)`);
        if (width === 1280) assert.ok(bar.bar <= 44, `one line of bar at 1280 px (${bar.bar} px)`);
        await page.screenshot({
          path: join(artifacts, `signin-topbar-${width}.png`),
          clip: { x: 0, y: 0, width, height: 120 },
        });
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.click('.user-badge button');
      await page.waitForSelector('form[aria-label="Sign in"]');
    }
  });

  test('an admin sees the enable plan and applies it only after confirming', async () => {
    await signInLocally('alice');
    await page.click('a[href="#/audit-config"]');
    await page.waitForSelector('select[name=tenant] option', { state: 'attached' });
    // A check reads as a verdict and findings with their fixes (it was a JSON tree).
    await page.click('button:text-is("Check")');
    await page.waitForSelector('.check-result .badge');
    assert.match((await page.textContent('.check-result h3'))!, /: (ok|warning|failing) checked at \d{4}-\d\d-\d\d /);
    assert.doesNotMatch((await page.textContent('.audit-config-page'))!, /[{}]"/);
    await shot('check-result');
    await page.click('button:text-is("Plan enable")');
    await page.waitForSelector('.enable-plan li');
    assert.match((await page.textContent('.enable-plan')) ?? '', /turn unified audit log ingestion on/);
    await shot('enable-plan');
    page.once('dialog', (d) => void d.dismiss());
    await page.click('button.apply');
    assert.ok(await page.$('.enable-plan'), 'dismissed: nothing applied');
    page.once('dialog', (d) => void d.accept());
    await page.click('button.apply');
    await page.waitForSelector('.enable-plan', { state: 'detached' });
    await page.waitForSelector('.enable-result li');
    assert.doesNotMatch((await page.textContent('.enable-result'))!, /[{}]"/, 'what enable did, in words');
    const trail = await deps.store.consoleAudit.list({ action: 'audit-config.enable' });
    assert.deepEqual(
      trail.map((e) => [e.actor, (e.details.body as { confirm: boolean }).confirm]),
      [
        ['alice', false],
        ['alice', true],
      ],
    );
    await shot('enable-applied');
    await page.click('.user-badge button');
    await page.waitForSelector('form[aria-label="Sign in"]');
  });

  test('an admin adds a tenant on the admin page, the secret is not kept in the form, and tests its connection', async () => {
    await signInLocally('alice');
    await page.click('a[href="#/admin"]');
    await page.waitForSelector('form[aria-label="Add tenant"]');
    // Every field says what it is to a screen reader (they had a placeholder only, which is no label).
    const unnamed = await page.$$eval(
      '.admin-page input:not([type=radio]), .admin-page select, .admin-page textarea',
      (els) =>
        els
          .filter((e) => !e.getAttribute('aria-label') && !(e as HTMLInputElement).labels?.length)
          .map((e) => e.outerHTML),
    );
    assert.deepEqual(unnamed, []);
    await page.fill('form[aria-label="Add tenant"] input[name=name]', 'northwind');
    await page.fill('form[aria-label="Add tenant"] input[name=tenantId]', '7d0c1e2f-3a4b-4c5d-8e6f-708192a3b4c5');
    await page.fill('form[aria-label="Add tenant"] input[name=clientId]', '11111111-2222-3333-4444-555555555555');
    await page.fill('form[aria-label="Add tenant"] input[name=clientSecret]', 'browser-secret-value');
    // (Validation messages are tested against the real registration in test/tenant-admin.test.ts.)
    await page.click('form[aria-label="Add tenant"] button[type=submit]');
    await page.waitForSelector('text=Added northwind');
    assert.equal(await page.inputValue('form[aria-label="Add tenant"] input[name=clientSecret]'), '');
    await page.click('.tenant-admin tr:has-text("northwind") button.test-tenant');
    await page.waitForSelector('.tenant-test.ok');
    assert.match((await page.textContent('.tenant-test')) ?? '', /connection works/);
    await shot('tenant-added');
    // Times on the admin page are in the chosen zone, like everywhere else, and the headings say which
    // (they were raw UTC ISO dates).
    await page.fill('form[aria-label="Add token"] input[name=name]', 'zone-check');
    await page.fill('form[aria-label="Add token"] input[name=user]', 'alice');
    await page.click('form[aria-label="Add token"] button[type=submit]');
    await page.waitForSelector('.token-once');
    const expires = () => page.textContent('.audit-table tr:has-text("zone-check") td >> nth=4');
    assert.match((await page.textContent('.admin-page'))!, /Expires \(UTC\)/);
    assert.match((await page.textContent('.admin-page'))!, /No tenant groups\./, 'an empty table says so');
    const utc = (await expires())!;
    assert.match(utc, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await page.selectOption('select[aria-label="Time zone"]', 'Asia/Tokyo');
    await page.waitForSelector('th:text-is("Expires (Asia/Tokyo)")');
    const tokyo = (await expires())!;
    assert.equal(Date.parse(`${tokyo.replace(' ', 'T')}Z`) - Date.parse(`${utc.replace(' ', 'T')}Z`), 9 * 3_600_000);
    await shot('admin-times');
    await page.selectOption('select[aria-label="Time zone"]', 'UTC');
    const trail = await deps.store.consoleAudit.list({ actor: 'alice' });
    assert.ok(trail.some((e) => e.action === 'tenant.add' && e.outcome === 'ok' && e.target === 'northwind'));
    assert.ok(trail.some((e) => e.action === 'tenant.test' && e.target === 'northwind'));
    assert.ok(!JSON.stringify(trail).includes('browser-secret-value'));
    await page.click('.user-badge button');
    await page.waitForSelector('form[aria-label="Sign in"]');
  });

  test('Audit settings: a check or plan of one tenant is not shown, nor applied, under the next tenant chosen', async () => {
    await signInLocally('alice');
    try {
      await page.click('a[href="#/audit-config"]');
      await page.waitForFunction(() => document.querySelectorAll('select[name=tenant] option').length >= 2);
      await page.selectOption('select[name=tenant]', 'contoso');
      await page.click('button:text-is("Check")');
      await page.waitForSelector('.check-result');
      await page.selectOption('select[name=tenant]', 'northwind');
      await page.waitForSelector('.check-result', { state: 'detached' });
      // contoso's plan answers after northwind was chosen: it was shown as "Plan for northwind", and applied there.
      await page.selectOption('select[name=tenant]', 'contoso');
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const planOf = /\/api\/audit-config\/contoso\/enable/;
      await page.route(planOf, async (route) => {
        await held;
        await route.continue().catch(() => undefined);
      });
      try {
        const answered = page.waitForResponse(planOf);
        await page.click('button:text-is("Plan enable")');
        await page.selectOption('select[name=tenant]', 'northwind');
        release();
        await answered;
      } finally {
        await page.unroute(planOf);
      }
      // A later answer shown proves the earlier one was handled.
      await page.click('button:text-is("Check")');
      await page.waitForSelector('.check-result');
      assert.equal(await page.$('.enable-plan'), null, "contoso's plan is not offered under northwind");
    } finally {
      await page.click('.user-badge button');
      await page.waitForSelector('form[aria-label="Sign in"]');
    }
  });

  test('Audit settings: changes applied to one tenant while another was chosen say which tenant they were applied to', async () => {
    await signInLocally('alice');
    const applyTo = /\/api\/audit-config\/contoso\/enable/;
    try {
      await page.click('a[href="#/audit-config"]');
      await page.waitForFunction(() => document.querySelectorAll('select[name=tenant] option').length >= 2);
      await page.selectOption('select[name=tenant]', 'contoso');
      await page.click('button:text-is("Plan enable")');
      await page.waitForSelector('.enable-plan li');
      // The confirmed apply answers after northwind was chosen: once with the changes made, once with a failure.
      for (const fails of [false, true]) {
        if (fails) {
          await page.selectOption('select[name=tenant]', 'contoso');
          await page.click('button:text-is("Plan enable")');
          await page.waitForSelector('.enable-plan li');
        }
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        await page.route(applyTo, async (route) => {
          if (route.request().postData()?.includes('"confirm":true')) {
            await held;
            if (fails)
              return route
                .fulfill({
                  status: 504,
                  json: { error: { code: 'UPSTREAM', message: 'Exchange Online did not answer' } },
                })
                .catch(() => undefined);
          }
          await route.continue().catch(() => undefined);
        });
        try {
          const answered = page.waitForResponse(applyTo);
          page.once('dialog', (d) => void d.accept());
          await page.click('button.apply');
          await page.selectOption('select[name=tenant]', 'northwind');
          release();
          await answered;
        } finally {
          await page.unroute(applyTo);
        }
        const shown = fails ? '.audit-config-page .error' : '.enable-result';
        await page.waitForSelector(shown);
        const text = (await page.textContent(shown))!;
        assert.match(text, /contoso/, `${fails ? 'the failure' : 'the result'} names the tenant it was for: ${text}`);
        assert.doesNotMatch(text, /northwind/);
        await shot(fails ? 'apply-failed-other-tenant' : 'applied-other-tenant');
        assert.equal(await page.inputValue('select[name=tenant]'), 'northwind', 'the choice stays');
      }
      // A check of contoso that fails after northwind was chosen says nothing under northwind (its answer would not
      // be shown either): the failure read as northwind's.
      await page.selectOption('select[name=tenant]', 'contoso');
      const checkOf = /\/api\/audit-config\/contoso\/check/;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(checkOf, async (route) => {
        await held;
        await route
          .fulfill({ status: 504, json: { error: { code: 'UPSTREAM', message: 'Exchange Online did not answer' } } })
          .catch(() => undefined);
      });
      try {
        const answered = page.waitForResponse(checkOf);
        await page.click('button:text-is("Check")');
        await page.selectOption('select[name=tenant]', 'northwind');
        release();
        await answered;
      } finally {
        await page.unroute(checkOf);
      }
      await page.waitForSelector('button:text-is("Check"):enabled'); // the failure was handled
      assert.equal(await page.$('.audit-config-page .error'), null, "contoso's failure is not shown under northwind");
    } finally {
      await page.click('.user-badge button');
      await page.waitForSelector('form[aria-label="Sign in"]');
    }
  });

  test('adding a user or a group on the admin page says so and empties its form (the password is not kept)', async () => {
    await signInLocally('alice');
    try {
      await page.click('a[href="#/admin"]');
      const form = 'form[aria-label="Add user"]';
      await page.waitForSelector(form);
      await page.fill(`${form} input[name=name]`, 'newcomer');
      await page.fill(`${form} input[name=password]`, TEST_PASSWORD);
      await page.click(`${form} button[type=submit]`);
      await page.waitForSelector('[role=status]:text-is(\'Added the user "newcomer".\')');
      assert.equal(await page.inputValue(`${form} input[name=password]`), '', 'the password left the form');
      assert.equal(await page.inputValue(`${form} input[name=name]`), '');
      assert.ok(await deps.store.auth.getUser('newcomer'));
      await page.fill('form[aria-label="Save group"] input[name=name]', 'west');
      await page.fill('form[aria-label="Save group"] input[name=tenants]', 'contoso');
      await page.click('form[aria-label="Save group"] button[type=submit]');
      await page.waitForSelector('[role=status]:text-is(\'Saved the group "west".\')');
      assert.equal(await page.inputValue('form[aria-label="Save group"] input[name=name]'), '');
      // Each row's button says whose it is to a screen reader (four buttons all read "Remove"); the tenants'
      // table names its columns; the credential choice is one named group.
      assert.equal(await page.getByRole('button', { name: 'Remove the user newcomer' }).count(), 1);
      assert.equal(await page.getByRole('button', { name: 'Test the connection of contoso' }).count(), 1);
      const heads = await page.$$eval('.tenant-admin thead th', (ths) => ths.map((th) => th.textContent));
      assert.deepEqual(heads, ['Name', 'Tenant ID', 'Cloud', 'Credential', '']);
      assert.equal(await page.getByRole('group', { name: 'Credential' }).getByRole('radio').count(), 2);
      assert.deepEqual(
        await page.$$eval('form[aria-label="Add tenant"] input[type=radio]', (rs) =>
          rs.map((r) => (r as HTMLInputElement).name),
        ),
        ['credentialKind', 'credentialKind'],
      );
      await shot('admin-added-user');
    } finally {
      await page.click('.user-badge button');
      await page.waitForSelector('form[aria-label="Sign in"]');
    }
  });

  test('the audit trail page goes past its newest 200 entries, and says when none match', async () => {
    for (let i = 0; i < 250; i++) {
      await deps.store.consoleAudit.append({
        at: Date.UTC(2026, 0, 1) + i * 1000,
        actor: 'bulk',
        via: 'token',
        address: '127.0.0.1',
        action: 'search.run',
        outcome: 'ok',
        target: null,
        details: { n: i },
      });
    }
    await signInLocally('alice');
    try {
      await page.click('a[href="#/audit"]');
      await page.waitForSelector('.audit-table tbody tr');
      // Typed key by key, the trail is asked once typing pauses, not once a key (b, bu, bul, bulk).
      const asked: string[] = [];
      const listen = (request: { url: () => string }): void => {
        const at = new URL(request.url());
        if (at.pathname === '/api/audit') asked.push(at.searchParams.get('actor') ?? '');
      };
      page.on('request', listen);
      try {
        const answered = page.waitForResponse(
          (r) => new URL(r.url()).pathname === '/api/audit' && new URL(r.url()).searchParams.get('actor') === 'bulk',
        );
        await page.type('input[name=actor]', 'bulk');
        await answered;
        await page.waitForFunction(() => document.querySelectorAll('.audit-table tbody tr').length === 200);
      } finally {
        page.off('request', listen);
      }
      assert.deepEqual(asked, ['bulk']);
      const rows = page.locator('.audit-table tbody tr');
      await page.waitForFunction(() => document.querySelectorAll('.audit-table tbody tr').length === 200);
      assert.match((await page.textContent('.audit-more'))!, /^200 entries, newest first · Show 200 older$/);
      await page.click('.audit-more button');
      await page.waitForFunction(() => document.querySelectorAll('.audit-table tbody tr').length === 250);
      assert.match((await page.textContent('.audit-more'))!, /^250 entries, newest first: the whole trail/);
      // The oldest entry is last, once (the pages join without a gap or a repeat).
      assert.match((await rows.last().textContent())!, /n: 0$/);
      await page.fill('input[name=action]', 'no.such.action');
      await page.waitForSelector('.audit-page .empty-state >> text=No entries');
      assert.equal(await rows.count(), 0);
      await shot('audit-trail-none');
    } finally {
      await page.click('.user-badge button');
      await page.waitForSelector('form[aria-label="Sign in"]');
    }
  });

  test('removing a user or revoking a token on the admin page asks first; dismissed, nothing changes (and all tenants are all)', async () => {
    await addUser(deps.store, deps.clock, { name: 'doomed', role: 'viewer', tenants: ['contoso'] });
    await accountsOf(deps.store, deps.clock).addToken(TEST_ACTOR, { name: 'doomed-script', user: 'alice' });
    await signInLocally('alice');
    await page.click('a[href="#/search"]');
    await page.waitForSelector('.tenant-chooser summary');
    assert.equal((await page.textContent('.tenant-chooser summary'))?.trim(), 'All tenants', 'alice sees every tenant');
    await page.click('a[href="#/admin"]');
    const userRow = '.audit-table tr:has-text("doomed"):has(button:text-is("Remove"))';
    const tokenRow = '.audit-table tr:has-text("doomed-script")';
    await page.waitForSelector(userRow);
    const asked: string[] = [];
    const answer = (accept: boolean) =>
      page.once('dialog', (d) => {
        asked.push(d.message());
        void (accept ? d.accept() : d.dismiss());
      });
    answer(false);
    await page.click(`${userRow} button:text-is("Remove")`);
    answer(false);
    await page.click(`${tokenRow} button:text-is("Revoke")`);
    assert.match(asked[0] ?? '', /Remove the user "doomed"\?.*cannot be undone/);
    assert.match(asked[1] ?? '', /Revoke the API token "doomed-script" of alice\?/);
    // A round trip after the clicks: had either sent its request, it would be answered by now.
    await page.reload();
    await page.waitForSelector(userRow);
    assert.ok(await deps.store.auth.getUser('doomed'), 'dismissed: the user stays');
    assert.equal((await deps.store.auth.listTokens('alice')).find((t) => t.name === 'doomed-script')?.revokedAt, null);
    answer(true);
    await page.click(`${userRow} button:text-is("Remove")`);
    await page.waitForSelector(userRow, { state: 'detached' });
    answer(true);
    await page.click(`${tokenRow} button:text-is("Revoke")`);
    await page.waitForSelector(`${tokenRow} button:text-is("Revoke")`, { state: 'detached' });
    assert.equal(await deps.store.auth.getUser('doomed'), null);
    assert.ok((await deps.store.auth.listTokens('alice')).find((t) => t.name === 'doomed-script')?.revokedAt);
    await page.click('.user-badge button');
    await page.waitForSelector('form[aria-label="Sign in"]');
  });

  test('the admin page unlocks and resets a user, removes a group, and gives a new token a role, tenants and expiry', async () => {
    // The API could do all of it; the page could not (only `tenantwatch user reset`, `group remove` and token flags).
    await addUser(deps.store, deps.clock, { name: 'locked-out', role: 'investigator', tenants: ['contoso'] });
    await deps.store.auth.updateUser('locked-out', {
      failedAttempts: 5,
      lockedUntil: deps.clock.now() + 3_600_000,
      updatedAt: deps.clock.now(),
    });
    await accountsOf(deps.store, deps.clock).putGroup(TEST_ACTOR, 'old-group', ['contoso']);
    await signInLocally('alice');
    try {
      await page.click('a[href="#/admin"]');
      const userRow = '.audit-table tr:has(td:text-is("locked-out"))';
      await page.waitForSelector(userRow);
      await page.click(`${userRow} button:text-is("Reset")`);
      const reset = 'form[aria-label="Reset user"]';
      assert.equal(await page.inputValue(`${reset} input[name=name]`), 'locked-out', 'the row fills the form');
      await page.selectOption(`${reset} select[name=role]`, 'viewer');
      await page.click(`${reset} button[type=submit]`);
      await page.waitForSelector('[role=status]:text-is(\'Reset the user "locked-out": unlocked, sessions ended.\')');
      const after = await deps.store.auth.getUser('locked-out');
      assert.deepEqual([after?.lockedUntil, after?.role, after?.tenants], [null, 'viewer', ['contoso']]);
      assert.equal(await page.inputValue(`${reset} input[name=name]`), '');

      const groupRow = '.audit-table tr:has(td:text-is("old-group"))';
      await page.waitForSelector(groupRow);
      page.once('dialog', (d) => void d.accept());
      await page.click(`${groupRow} button:text-is("Remove")`);
      await page.waitForSelector(groupRow, { state: 'detached' });
      assert.deepEqual(
        (await deps.store.auth.listGroups()).map((g) => g.name).filter((n) => n === 'old-group'),
        [],
      );

      const add = 'form[aria-label="Add token"]';
      await page.fill(`${add} input[name=name]`, 'narrow-script');
      await page.fill(`${add} input[name=user]`, 'alice');
      await page.selectOption(`${add} select[name=role]`, 'viewer');
      await page.fill(`${add} input[name=tenants]`, 'contoso');
      await page.fill(`${add} input[name=expiresInDays]`, '7');
      await page.click(`${add} button[type=submit]`);
      await page.waitForSelector('.token-once code');
      const made = (await deps.store.auth.listTokens('alice')).find((t) => t.name === 'narrow-script');
      assert.deepEqual([made?.role, made?.tenants], ['viewer', ['contoso']]);
      assert.ok(made?.expiresAt && Math.abs(made.expiresAt - (deps.clock.now() + 7 * 86_400_000)) < 120_000);
      await shot('admin-reset-token');
    } finally {
      await page.click('.user-badge button');
      await page.waitForSelector('form[aria-label="Sign in"]');
    }
  });

  test('a session that sat idle past 30 minutes sends the person back to the sign-in form', async () => {
    await signInLocally('alice');
    offset += 31 * 60_000;
    await page.click('a[href="#/coverage"]');
    await page.waitForSelector('form[aria-label="Sign in"]');
    assert.match((await page.textContent('form[aria-label="Sign in"] [role=alert]'))!, /ended after inactivity/);
    await shot('expired');
    offset = 0;
  });

  test('an export whose session has ended says so on the page, not as a failed download', async () => {
    // The export links were plain links: after the session ended, the browser saved nothing ("Failed – No file" in
    // its downloads) and the page said nothing.
    const downloads: string[] = [];
    const onDownload = (d: { suggestedFilename(): string }): void => void downloads.push(d.suggestedFilename());
    page.on('download', onDownload);
    try {
      for (const [hash, link] of [
        ['#/audit', '.audit-filters a:text-is("Export CSV")'],
        [`#/search?start=2020-01-01`, '.result-bar a:text-is("Export CSV")'],
      ] as const) {
        await signInLocally('alice');
        await page.goto(url + hash);
        await page.waitForSelector(link);
        // Everything the page asks on opening answered, so only the export meets the ended session.
        if (hash.startsWith('#/search')) await searchSettled(page);
        else await page.waitForSelector('.audit-table tbody tr');
        offset += 31 * 60_000;
        await page.click(link);
        // A search over a tenant that records nothing asks first (the file cannot carry that note).
        const dialog = await page.$('.export-dialog a:text-is("Download CSV")');
        if (dialog) await dialog.click();
        await page.waitForSelector('form[aria-label="Sign in"]');
        assert.match((await page.textContent('form[aria-label="Sign in"] [role=alert]'))!, /ended after inactivity/);
        offset = 0;
      }
      assert.deepEqual(downloads, [], 'no download was started for a refused export');
      // Signed in, the same link downloads the file.
      await signInLocally('alice');
      await page.goto(url + '#/audit');
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.click('.audit-filters a:text-is("Export CSV")'),
      ]);
      assert.match(file.suggestedFilename(), /^tenantwatch-console-audit-.*\.csv$/);
      assert.equal(await file.failure(), null);
      await page.click('.user-badge button');
      await page.waitForSelector('form[aria-label="Sign in"]');
    } finally {
      offset = 0;
      page.off('download', onDownload);
    }
  });

  test('a session in use all day still ends 12 hours after sign-in, and the form says why', async () => {
    await signInLocally('alice');
    const STEP = 25 * 60_000;
    // Every step goes to the other page (the first away from the one sign-in opened), which asks the server.
    const tabs = page.url().includes('#/coverage') ? ['#/coverage', '#/tenants'] : ['#/tenants', '#/coverage'];
    try {
      // A page every 25 minutes of the server's clock, so the session never sits idle for 30.
      for (let step = 1; step * STEP < 12 * 3_600_000; step++) {
        offset = step * STEP;
        await Promise.all([
          page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/')),
          page.click(`a[href="${tabs[step % 2]}"]`),
        ]);
      }
      assert.ok(offset > 11.5 * 3_600_000);
      assert.equal(
        await page.$('form[aria-label="Sign in"]'),
        null,
        `still signed in after ${offset / 60_000} minutes`,
      );
      offset = 12 * 3_600_000 + 60_000;
      await page.click(`a[href="${tabs.find((t) => !page.url().endsWith(t))}"]`);
      await page.waitForSelector('form[aria-label="Sign in"]');
      assert.match((await page.textContent('form[aria-label="Sign in"] [role=alert]'))!, /reached its time limit/);
      await shot('time-limit');
    } finally {
      offset = 0;
    }
  });

  test('a viewer sees the overview, is offered no page or link its role cannot use, and is refused an admin action', async () => {
    await signInLocally('vic');
    await page.waitForSelector('table.tenants tr[data-tenant="contoso"]');
    assert.equal(await page.locator('table.tenants button').count(), 0, "a tenant's name opens no search");
    assert.equal(await page.$('a[href="#/audit"]'), null);
    assert.equal(await page.$('a[href="#/search"]'), null, 'no Search tab: searching needs the investigator role');
    assert.equal(await page.$('a[href="#/reports"]'), null, 'no Reports tab either');
    assert.ok(await page.$('a[href="#/alerts"]'), 'the overview pages stay');
    const refused = await page.evaluate(async () => {
      const csrf = /tw_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const res = await fetch('/api/admin/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
        body: JSON.stringify({ name: 'mallory', role: 'admin', password: 'x'.repeat(20) }),
      });
      return res.status;
    });
    assert.equal(refused, 403);
    assert.equal(await page.$('a[href="#/audit-config"]'), null, 'no audit settings page for a viewer');
    const enable = await page.evaluate(async () => {
      const csrf = /tw_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const res = await fetch('/api/audit-config/contoso/enable', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
        body: JSON.stringify({ confirm: true }),
      });
      return res.status;
    });
    assert.equal(enable, 403, 'a viewer cannot run enable');
    // A shared link to a page the role cannot use opens no form or button that could only be refused.
    for (const link of ['#/search?start=7d', '#/reports', '#/audit-config', '#/admin', '#/sinks', '#/audit']) {
      await page.goto(`${url}#/tenants`);
      await page.waitForSelector('table.tenants');
      await page.goto(`${url}${link}`);
      await page.waitForSelector('main .empty-state >> text=Not available to your account');
      assert.equal(await page.locator('main form, main button').count(), 0, link);
    }
    await page.goto(`${url}#/search`);
    await shot('viewer');
    await page.click('.user-badge button');
    await page.waitForSelector('form[aria-label="Sign in"]');
  });

  test('an investigator may check a tenant from Audit settings, and is not offered enable', async () => {
    await signInLocally('ivy');
    await page.click('a[href="#/audit-config"]');
    await page.waitForSelector('select[name=tenant] option', { state: 'attached' });
    assert.equal(await page.$('button:text-is("Plan enable")'), null, "enable is an administrator's");
    assert.match(
      (await page.textContent('.audit-config-page p.muted'))!,
      /Turning auditing on is for an administrator/,
    );
    await page.click('button:text-is("Check")');
    await page.waitForSelector('.check-result .badge');
    await shot('investigator-check');
    // Her tenants, not the deployment's: the tenant box with none chosen says whose "all" it is.
    await page.click('a[href="#/search"]');
    await page.waitForSelector('.tenant-chooser summary');
    assert.equal((await page.textContent('.tenant-chooser summary'))?.trim(), 'All your tenants');
    await page.click('.user-badge button');
    await page.waitForSelector('form[aria-label="Sign in"]');
  });

  test('an admin of some tenants is offered only what they may do, and no page says "No accounts yet"', async () => {
    await signInLocally('sam');
    await page.waitForSelector('table.tenants tr[data-tenant="contoso"] button.link');
    assert.equal(await page.$('a[href="#/sinks"]'), null, 'no Sinks tab: the sinks speak of every tenant');
    await page.goto(`${url}#/sinks`);
    await page.waitForSelector('main .empty-state >> text=Not available to your account');
    assert.equal(await page.$('table.sinks-table'), null);
    assert.equal(await page.$('a[href="#/audit"]'), null, 'no Audit trail tab');
    await page.click('a[href="#/admin"]');
    await page.waitForSelector('.tenant-admin .test-tenant');
    const text = (await page.textContent('.admin-page')) ?? '';
    assert.doesNotMatch(text, /No accounts yet|No API tokens|No tenant groups/);
    assert.match(text, /managed by an administrator of every tenant/);
    assert.equal(await page.$('form[aria-label="Add user"]'), null);
    assert.equal(await page.$('form[aria-label="Add tenant"]'), null);
    await shot('scoped-admin');
    await page.click('.user-badge button');
    await page.waitForSelector('form[aria-label="Sign in"]');
  });

  test('the next person to sign in on this browser does not see the searches of the one before', async () => {
    await signInLocally('alice');
    await page.goto(`${url}#/search?start=7d&end=now&user=ceo@fabrikam.example`);
    await openSavedSearches(page);
    await page.waitForSelector('.saved-searches li >> text=/ceo@fabrikam/');
    await page.click('.user-badge button');
    await page.waitForSelector('form[aria-label="Sign in"]');
    await signInLocally('sam');
    await page.goto(`${url}#/search`);
    await openSavedSearches(page);
    assert.doesNotMatch((await page.textContent('.saved-searches')) ?? '', /ceo@fabrikam/);
    // Alice's own list is kept for her (another sign-in here would meet the sign-in rate limit).
    const alices = await page.evaluate(() => localStorage.getItem('tw.recentSearches:alice') ?? '');
    assert.match(alices, /ceo%40fabrikam|ceo@fabrikam/);
    await page.click('.user-badge button');
    await page.waitForSelector('form[aria-label="Sign in"]');
  });

  test("a link's own error text is not shown on the sign-in form; a refused single sign-on is", async () => {
    await page.goto(`${url}#/signin?error=Your%20password%20expired%3A%20call%20%2B1%20555%200100`);
    await page.waitForSelector('form[aria-label="Sign in"]');
    assert.equal(await page.$('form[aria-label="Sign in"] .error'), null, 'no words from the URL in the error box');
    const tenant = t.emu.tenants[0]!;
    const mailboxes = (await t.client.request('GET', `/_emulator/mailboxes?tenantId=${tenant.tenantId}`)).json<
      { userPrincipalName: string }[]
    >();
    const admins = tenant.globalAdmins.map((a) => a.toLowerCase());
    const other = mailboxes.map((m) => m.userPrincipalName).find((u) => !admins.includes(u.toLowerCase()))!;
    await page.click('a.oidc');
    await page.waitForSelector('input[name=login]');
    await page.fill('input[name=login]', other);
    await page.fill('input[name=passwd]', SIGN_IN_PASSWORD);
    await page.click('#idSIButton9');
    await page.waitForSelector('form[aria-label="Sign in"] .error');
    assert.match((await page.textContent('form[aria-label="Sign in"] .error')) ?? '', /No account for /);
    await page.reload();
    await page.waitForSelector('form[aria-label="Sign in"]');
    assert.equal(await page.$('form[aria-label="Sign in"] .error'), null, 'said once');
  });

  test('OpenID Connect sign-in through the emulated Entra ID', async () => {
    const admin = t.emu.tenants[0]!.globalAdmins[0]!;
    await page.goto(url);
    await page.click('a.oidc');
    await page.waitForSelector('input[name=login]');
    await shot('oidc-issuer');
    await page.fill('input[name=login]', admin);
    await page.fill('input[name=passwd]', SIGN_IN_PASSWORD);
    await page.click('#idSIButton9');
    await page.waitForSelector('.user-badge .user-name');
    assert.equal(await page.textContent('.user-badge .user-name'), admin);
    assert.equal(await page.textContent('.user-badge .user-role'), 'admin');
    await shot('oidc-signed-in');
  });
});
