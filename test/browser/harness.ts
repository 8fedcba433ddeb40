import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { AuditRecord } from '../../src/core/record.js';
import { normalizeRecord } from '../../src/ingest/normalize.js';
import { evaluate } from '../../src/posture/rules.js';
import { buildServer } from '../../src/server/index.js';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/contract.js';
import type { ReportsApi } from '../../src/server/deps.js';
import { emulatedTenantRow } from '../support/emulator.js';
import { repoRoot } from '../support/paths.js';

/**
 * The world a browser test drives: the emulator with simulated tenants (virtual clock, fixed start),
 * their available records in a SQLite file (so the CLI can search the same data), the console on a
 * free port serving the built web/dist, and Debian's Chromium through playwright-core.
 */
export const START = Date.UTC(2026, 10, 20, 12);
export const artifacts = join(repoRoot, 'test-artifacts');

export interface World {
  emu: RunningEmulator;
  store: Store;
  dbUrl: string;
  dataDir: string;
  app: FastifyInstance;
  url: string;
  /** Ground truth: every available record of every tenant, as the emulator says. */
  truth: Map<string, Record<string, unknown>[]>;
  browser: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Debian's Chromium, as `.ci/run` installs it (apt-get install chromium). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Refuses at once, before anything starts, when Chromium is not installed: a launch that fails after the
 * emulator and the console have started left them running and the test file hung until its timeout.
 */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `browser tests need Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does`,
    );
  }
  return CHROMIUM;
}

export function ensureWebBuilt(): string {
  const dist = join(repoRoot, 'web', 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    const res = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.mjs')], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    if (res.status !== 0) throw new Error('building web/dist failed');
  }
  return dist;
}

function fetchLines(url: string, ca: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve(text.split('\n').filter((l) => l.trim())));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

export async function startWorld(reports?: (store: Store) => Promise<ReportsApi | undefined>): Promise<World> {
  const executablePath = requireChromium();
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-browser-'));
  const emu = await startEmulator({
    stateDir: join(dataDir, 'emulator'),
    port: 0,
    clock: 'virtual',
    start: START,
    seed: 7,
    tenants: 5,
    users: 12,
    days: 8,
    // Content at once after a start and no throttle (defaults: 12 h and 2,000/min, as documented): the
    // virtual clock stands still while the week is collected.
    tuning: { firstDataDelayMs: 0 },
    faults: { throttleBudgetPerMinute: null },
  });
  const dbUrl = `sqlite:${join(dataDir, 'tenantwatch.sqlite')}`;
  const store = await openStore(dbUrl);
  const truth = new Map<string, Record<string, unknown>[]>();
  for (const t of emu.tenants) {
    const lines = await fetchLines(`${emu.controlUrl}/records?tenantId=${t.tenantId}&available=true`, emu.caPem);
    truth.set(
      t.tenantId,
      lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    );
    const records: AuditRecord[] = [];
    for (const line of lines) {
      const r = normalizeRecord(line, { source: 'management-api', tenant: t.tenantId });
      if (r.ok) records.push(r.record);
    }
    await store.records.insert(records);
    await store.tenants.upsert(
      emulatedTenantRow(emu, t, { credential: 'emulator:test', addedAt: START, updatedAt: START }),
    );
    // Two checks a day apart, with the findings (and fixes) the posture rules give for the tenant's settings.
    for (const takenAt of [START - 86_400_000, START]) {
      const findings = evaluate(
        {
          ualEnabled: t.ualEnabled,
          ualFirstOptInDate: null,
          adminAuditLogEnabled: true,
          orgAuditDisabled: false,
          dehydrated: false,
          mailboxes: null,
          subscriptions: null,
          newestRecord: null,
          readErrors: [],
        },
        takenAt,
      ).map((f) => ({ ...f, fix: f.fix?.replace('TENANT', t.name) }));
      await store.posture.save({
        tenant: t.tenantId,
        takenAt,
        verdict: t.ualEnabled ? 'ok' : 'failing',
        body: { ualEnabled: t.ualEnabled, findings },
      });
    }
  }
  const clock = { ...systemClock, now: () => emu.clock.now() };
  const api = reports ? await reports(store) : undefined;
  const app = await buildServer({
    store,
    clock,
    logger: silentLogger,
    webRoot: ensureWebBuilt(),
    ...(api ? { reports: api } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const profile = join(dataDir, 'chromium-profile');
  const browser = await chromium
    .launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    })
    .catch(async (e: unknown) => {
      // What started above would keep the test file alive until its timeout.
      await app.close();
      await store.close();
      await emu.close();
      rmSync(dataDir, { recursive: true, force: true });
      throw e;
    });
  const page = browser.pages()[0] ?? (await browser.newPage());
  mkdirSync(artifacts, { recursive: true });
  return {
    emu,
    store,
    dbUrl,
    dataDir,
    app,
    url,
    truth,
    browser,
    page,
    async close() {
      await browser.close().catch(() => undefined);
      await app.close();
      await store.close();
      await emu.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the search page shows everything of the search in the address bar (rows, count, timeline,
 * the tenants' notices): only then does nothing above the rows move, and no row belongs to an older search.
 */
export async function searchSettled(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const settled = document.querySelector<HTMLElement>('.search-page')?.dataset.settled;
      return settled !== undefined && settled === new URLSearchParams(location.hash.split('?')[1] ?? '').toString();
    },
    undefined,
    { timeout },
  );
}

/** Opens the recent & saved searches (a click on an open <details> would close it). */
export async function openSavedSearches(page: Page): Promise<void> {
  await page.waitForSelector('.saved-searches'); // after a reload the page may not be drawn yet
  if (!(await page.$eval('.saved-searches', (d) => (d as HTMLDetailsElement).open))) {
    await page.click('.saved-searches summary');
  }
  await page.waitForSelector('.saved-searches[open]');
}
