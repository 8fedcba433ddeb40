import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../src/core/clock.js';
import { CONTENT_TYPES } from '../src/core/record.js';
import { silentLogger } from '../src/core/log.js';
import { buildServer } from '../src/server/index.js';
import type { CoverageWindow, Store, TenantRow } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

/**
 * Issue 13 item 1 and issue 18 item 1 (coverage): `tenantwatch coverage` and the console's API answer
 * "where are the gaps?" the same way over the same ledger. The ledger is the one the demo leaves after
 * running for a while — every stream's first window listed from the 7-day horizon, the rest fetched (the
 * finding: 20 "expired" gaps in `coverage --gaps`, "expired 0" in the table, "none" in the console, and a
 * later history fill did not clear them) — plus, for northwind, a real loss: a window that expired while
 * the collector was down and the next one listed hours late.
 */
const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.UTC(2026, 2, 12, 12, 20);
const HORIZON = NOW - 7 * DAY + 5 * 60_000;
const STREAMS = CONTENT_TYPES.slice(0, 3);
const TENANTS = [
  { name: 'contoso', tenantId: '0e8108b1-18e9-41a4-961b-dfcddf92ef08' },
  { name: 'fabrikam', tenantId: '5b2c5f9e-3a1e-4d47-9d2c-9f5a1d2e7c11' },
  { name: 'northwind', tenantId: '7c3d6a0f-4b2e-4e58-8e3d-0a6b2e3f8d22' },
];
const COLLECTING = [TENANTS[0]!, TENANTS[2]!];

let data: { dir: string; cleanup: () => void };
let store: Store;
let app: FastifyInstance;

function tenantRow(t: { name: string; tenantId: string }): TenantRow {
  return {
    ...t,
    domain: `${t.name}.onmicrosoft.com`,
    clientId: '11111111-2222-3333-4444-555555555555',
    cloud: 'commercial',
    authKind: 'secret',
    credential: 'enc:x',
    certificatePem: null,
    publisherId: null,
    baseUrl: null,
    caFile: null,
    addedAt: NOW - 30 * DAY,
    updatedAt: NOW - 30 * DAY,
  };
}

function window(tenant: string, stream: CoverageWindow['stream'], start: number, end: number): CoverageWindow {
  return {
    tenant,
    stream,
    start,
    end,
    kind: 'window',
    state: 'fetched',
    cause: null,
    queriedStart: start,
    fetchedTo: null,
    blobsListed: 1,
    blobsFetched: 1,
    blobsFailed: 0,
    records: 5,
    newRecords: 5,
    attempts: 1,
    lastError: null,
    updatedAt: NOW,
  };
}

/** The demo's ledger: per collecting tenant and content type, day windows from the first run, one blob each. */
async function seedDemoLedger(s: Store): Promise<void> {
  for (const t of TENANTS) await s.tenants.upsert(tenantRow(t));
  const first = Math.floor((NOW - 7 * DAY) / DAY) * DAY;
  for (const t of COLLECTING)
    for (const stream of STREAMS) {
      for (let start = first, day = 0; start < NOW; start += DAY, day++) {
        const end = Math.min(start + DAY, Math.ceil((NOW + 1) / 1000) * 1000);
        const outage = t === TENANTS[2] && (day === 2 || day === 3);
        if (outage && day === 2) {
          const lost = "passed the API's 7-day horizon before it was fetched";
          await s.ledger.upsertWindow({ ...window(t.tenantId, stream, start, end), state: 'expired', lastError: lost });
          continue;
        }
        const queriedStart = outage ? start + 6 * H : Math.max(start, HORIZON);
        await s.ledger.upsertWindow({ ...window(t.tenantId, stream, start, end), queriedStart });
        await s.ledger.commitBlob(
          {
            tenant: t.tenantId,
            contentType: stream,
            contentId: `${t.name}-${stream}-${start}`,
            contentUri: `https://manage.office.com/blob/${start}`,
            contentCreated: Math.max(start, HORIZON) + 7 * H,
            contentExpiration: null,
            fetchedAt: NOW,
            sha256: 'a'.repeat(64),
            status: 'fetched',
            reason: null,
            windowStart: start,
          },
          [],
        );
      }
      await s.ledger.advanceCheckpoint(t.tenantId, stream, NOW - H, NOW);
    }
  // northwind also has a blob the collector refused (its window: 2 listed, 1 fetched).
  const refusedIn = first + 5 * DAY;
  const nw = TENANTS[2]!.tenantId;
  await s.ledger.upsertWindow({ ...window(nw, STREAMS[0]!, refusedIn, refusedIn + DAY), blobsListed: 2 });
  await s.ledger.recordBlobIssue({
    tenant: nw,
    contentType: STREAMS[0]!,
    contentId: 'refused-1',
    contentUri: 'https://evil.example/blob',
    contentCreated: refusedIn + 3 * H,
    contentExpiration: null,
    fetchedAt: NOW,
    status: 'refused',
    reason: 'contentUri host is not the Management API base',
    windowStart: refusedIn,
  });
  await s.posture.save({
    tenant: TENANTS[1]!.tenantId,
    takenAt: NOW - H,
    verdict: 'failing',
    body: { ualEnabled: false, orgAuditDisabled: false, findings: [{ code: 'UAL_OFF', severity: 'failing' }] },
  });
}

before(async () => {
  data = tempDir('tw-coverage-');
  store = await openStore(`sqlite:${join(data.dir, 'tenantwatch.sqlite')}`);
  await seedDemoLedger(store);
  app = await buildServer({ store, clock: new ManualClock(NOW), logger: silentLogger });
});

after(async () => {
  await app?.close();
  await store?.close();
  data?.cleanup();
});

async function cli(args: string[]) {
  const r = await runCli(['coverage', ...args], { dataDir: data.dir });
  assert.equal(r.code, 0, r.stderr);
  return r;
}

async function api<T>(url: string): Promise<T> {
  const res = await app.inject({ method: 'GET', url });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<T>();
}

type GapTuple = [string, string, number, number, string, string];
interface CliGap {
  name: string;
  stream: string;
  start: string;
  end: string;
  state: string;
  reason: string;
  filledBy?: string | null;
}
interface ApiGap {
  name: string;
  stream: string;
  start: number;
  end: number;
  state: string;
  reason: string;
  filledBy: string | null;
}
interface ApiStream {
  name: string;
  stream: string;
  failed: number;
  expired: number;
  blobIssues: number;
  gaps: ApiGap[];
  filled: ApiGap[];
}
const fromCli = (g: CliGap): GapTuple => [g.name, g.stream, Date.parse(g.start), Date.parse(g.end), g.state, g.reason];
const fromApi = (g: ApiGap): GapTuple => [g.name, g.stream, g.start, g.end, g.state, g.reason];

test('the demo finding: losses behind the horizon are counted in the table exactly as listed, and the console lists the same', async () => {
  const cov = JSON.parse((await cli(['--format', 'json'])).stdout) as {
    rows: { name: string; stream: string; from: string; expired: number; gaps: number }[];
    gaps: CliGap[];
  };
  // A fresh ledger's first window was listed from the horizon: coverage begins there; it is not a loss.
  for (const row of cov.rows.filter((r) => r.name === 'contoso')) {
    assert.equal(Date.parse(row.from), HORIZON, `${row.stream}: covered from the horizon`);
    assert.equal(row.gaps, 0, `${row.stream}: a fresh demo ledger has no gap`);
  }
  const expiredGaps = cov.gaps.filter((g) => g.state === 'expired');
  assert.equal(expiredGaps.length, 2 * STREAMS.length, 'northwind: the expired window and the late slice, per stream');
  for (const row of cov.rows) {
    const mine = cov.gaps.filter((g) => g.name === row.name && g.stream === row.stream);
    assert.equal(row.expired, mine.filter((g) => g.state === 'expired').length, `${row.name} ${row.stream}: expired`);
    assert.equal(row.gaps, mine.length, `${row.name} ${row.stream}: gaps`);
  }
  const table = (await cli([])).stdout.split('\n\n')[0]!.split('\n');
  const head = table[0]!.split(/\s{2,}/);
  const col = head.indexOf('expired');
  assert.ok(col > 0, table[0]);
  const rows = table.slice(1).filter((l) => COLLECTING.some((t) => l.startsWith(t.name)) && l.includes('Audit.'));
  assert.equal(rows.length, COLLECTING.length * STREAMS.length);
  for (const line of rows) assert.equal(line.split(/\s{2,}/)[col], line.startsWith('northwind') ? '2' : '0', line);
  const gapLines = (await cli(['--gaps'])).stdout.split('\n').filter((l) => /\bexpired\b/.test(l));
  assert.equal(gapLines.length, expiredGaps.length, 'the gap list shows the expired stretches the table counts');

  const console = await api<{ streams: ApiStream[] }>('/api/coverage');
  assert.deepEqual(console.streams.flatMap((s) => s.gaps).map(fromApi), cov.gaps.map(fromCli));
  const gapsOnly = JSON.parse((await cli(['--gaps', '--format', 'json'])).stdout) as { gaps: CliGap[] };
  assert.deepEqual(gapsOnly.gaps.map(fromCli), cov.gaps.map(fromCli));
  const overview = await api<{ tenants: { name: string; gaps: number }[] }>('/api/tenants');
  assert.equal(overview.tenants.find((x) => x.name === 'contoso')!.gaps, 0);
  assert.equal(overview.tenants.find((x) => x.name === 'northwind')!.gaps, 2 * STREAMS.length + 1);
  const refused = cov.gaps.filter((g) => g.state === 'blob refused');
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.reason, /refused-1: contentUri host is not the Management API base/);
});

test('CLI (json, jsonl, csv) and API agree on every stream count and every gap', async () => {
  const json = JSON.parse((await cli(['--format', 'json'])).stdout) as {
    rows: Record<string, unknown>[];
    gaps: CliGap[];
  };
  const streams = (await api<{ streams: (ApiStream & Record<string, unknown>)[] }>('/api/coverage')).streams;
  const keys = ['name', 'stream', 'windows', 'fetched', 'failed', 'expired', 'blobs', 'blobIssues', 'records'];
  const pick = (r: Record<string, unknown>): unknown[] => keys.map((k) => r[k]);
  assert.deepEqual(streams.map(pick), json.rows.map(pick));
  const jsonl = (await cli(['--format', 'jsonl'])).stdout.trim().split('\n');
  assert.deepEqual(
    jsonl.map((l) => pick(JSON.parse(l) as Record<string, unknown>)),
    json.rows.map(pick),
  );
  const csv = (await cli(['--gaps', '--format', 'csv'])).stdout.trim().split(/\r?\n/);
  assert.equal(csv.length, 1 + json.gaps.length);
  assert.match(csv[0]!, /^tenant,stream,start,end,state,reason/);
});

test('a later history fill clears the gaps it covers, in the CLI and in the console alike', async () => {
  const northwind = TENANTS[2]!;
  const graph = window(northwind.tenantId, 'graph', NOW - 8 * DAY, NOW);
  await store.ledger.upsertWindow({ ...graph, records: 40 });
  try {
    const cov = JSON.parse((await cli(['--gaps', '--format', 'json'])).stdout) as {
      gaps: CliGap[];
      filled: CliGap[];
    };
    assert.deepEqual(cov.gaps, [], 'every expired stretch is filled by the Graph history');
    assert.equal(cov.filled.filter((g) => g.filledBy === 'graph').length, 2 * STREAMS.length + 1);
    const console = await api<{ streams: ApiStream[] }>('/api/coverage?tenant=northwind');
    assert.deepEqual(
      console.streams.flatMap((s) => s.gaps),
      [],
    );
    assert.deepEqual(console.streams.flatMap((s) => s.filled).map(fromApi), cov.filled.map(fromCli));
    const table = (await cli(['northwind'])).stdout;
    assert.match(table, /^no gaps$/m);
    assert.match(table, /7 gaps filled by a later history fill/);
    const overview = await api<{ tenants: { name: string; gaps: number; state: string }[] }>('/api/tenants');
    assert.equal(overview.tenants.find((x) => x.name === 'northwind')!.gaps, 0);
  } finally {
    await store.ledger.upsertWindow({ ...graph, end: NOW - 7 * DAY, state: 'failed', lastError: 'cleanup' });
  }
});

test('a tenant whose unified audit log is off is never "no gaps" without saying it records nothing', async () => {
  const table = await cli(['fabrikam']);
  assert.match(table.stdout, /fabrikam: records nothing: unified audit log ingestion is off/);
  assert.doesNotMatch(table.stdout, /^no gaps$/m);
  const gaps = await cli(['fabrikam', '--gaps']);
  assert.match(gaps.stdout, /fabrikam: records nothing/);
  const json = JSON.parse((await cli(['fabrikam', '--format', 'json'])).stdout) as {
    tenants: { name: string; auditing: { recordsNothing: boolean; note: string } }[];
  };
  assert.equal(json.tenants[0]!.auditing.recordsNothing, true);
  const csv = await cli(['fabrikam', '--format', 'csv']);
  assert.match(csv.stderr, /fabrikam: records nothing/);
  const console = await api<{ tenants: { name: string; auditing: { recordsNothing: boolean; note: string } }[] }>(
    '/api/coverage?tenant=fabrikam',
  );
  assert.equal(console.tenants[0]!.auditing.recordsNothing, true);
  assert.equal(console.tenants[0]!.auditing.note, json.tenants[0]!.auditing.note);
});

test('the console shows a pending request to turn the audit log on beside the tenant, not "turn it on"', async () => {
  const at = NOW - 10 * 60_000;
  const request = {
    kind: 'ual',
    target: 'organization',
    cmdlet: 'Set-AdminAuditLogConfig',
    parameters: { UnifiedAuditLogIngestionEnabled: true },
    description: 'turn unified audit log ingestion on',
    requestedAt: new Date(at).toISOString(),
    requestedBy: 'alice on pc1 (app x)',
    appliesBy: new Date(at + 60 * 60_000).toISOString(),
    status: 'pending',
  };
  await store.posture.save({
    tenant: TENANTS[1]!.tenantId,
    takenAt: at,
    verdict: 'warning',
    body: { ualEnabled: false, orgAuditDisabled: false, findings: [], requests: [request] },
  });
  const overview = await api<{
    tenants: { name: string; posture: { auditingOff: boolean; requested: unknown }; auditing: { note: string } }[];
  }>('/api/tenants');
  const fabrikam = overview.tenants.find((t) => t.name === 'fabrikam')!;
  assert.equal(fabrikam.posture.auditingOff, true, 'it still records nothing');
  assert.deepEqual(fabrikam.posture.requested, {
    at,
    by: 'alice on pc1 (app x)',
    appliesBy: at + 60 * 60_000,
    overdue: false,
  });
  assert.match(
    fabrikam.auditing.note,
    /turning it on was requested at .* by alice on pc1 \(app x\); Microsoft applies it within 60 minutes/,
  );
});

test('time that passed the horizon before a subscription started reads the same in the CLI and the console, as no loss', async () => {
  const northwind = TENANTS[2]!;
  const first = Math.floor(HORIZON / DAY) * DAY;
  const notCollectable = 'not collectable before the subscription started: passed the 7-day horizon while waiting';
  await store.ledger.upsertWindow({
    ...window(northwind.tenantId, 'DLP.All', HORIZON, HORIZON + 2 * H),
    kind: 'horizon-slice',
    state: 'expired',
    cause: 'awaiting-first-content',
    lastError: notCollectable,
    updatedAt: NOW + 1,
  });
  await store.ledger.upsertWindow({
    ...window(northwind.tenantId, 'DLP.All', first, first + DAY),
    queriedStart: HORIZON + 2 * H,
  });
  await store.ledger.advanceCheckpoint(northwind.tenantId, 'DLP.All', NOW - H, NOW);
  const cov = JSON.parse((await cli(['northwind', '--format', 'json'])).stdout) as {
    rows: { stream: string; from: string; expired: number; gaps: number }[];
    gaps: CliGap[];
  };
  const dlp = cov.gaps.filter((g) => g.stream === 'DLP.All');
  assert.deepEqual(
    dlp.map((g) => [g.state, Date.parse(g.start), Date.parse(g.end)]),
    [['not collectable', HORIZON, HORIZON + 2 * H]],
  );
  assert.match(dlp[0]!.reason, /^not collectable before the subscription started/);
  const row = cov.rows.find((r) => r.stream === 'DLP.All')!;
  assert.deepEqual([Date.parse(row.from), row.expired, row.gaps], [HORIZON, 0, 1], 'shown, not counted as lost');
  const table = (await cli(['northwind', '--gaps'])).stdout;
  assert.match(table, /DLP\.All .* not collectable +not collectable before the subscription started/);

  const console = await api<{ streams: ApiStream[] }>('/api/coverage?tenant=northwind');
  assert.deepEqual(console.streams.flatMap((s) => s.gaps).map(fromApi), cov.gaps.map(fromCli));
  // The tenant's last error stays the real loss, not the newer words of time no one could collect.
  const overview = await api<{ tenants: { name: string; errors: { windows: number; last: string | null } }[] }>(
    '/api/tenants',
  );
  const errors = overview.tenants.find((x) => x.name === 'northwind')!.errors;
  assert.equal(errors.windows, 2 * STREAMS.length, 'the lost stretches only');
  assert.equal(errors.last, "passed the API's 7-day horizon before it was fetched");
});

test('history older than the tenant keeps is no gap in the CLI or the console, and never the tenant error', async () => {
  const northwind = TENANTS[2]!;
  const stream = 'search-unified-audit-log';
  await store.ledger.upsertWindow({
    ...window(northwind.tenantId, stream, NOW - 400 * DAY, NOW - 180 * DAY),
    state: 'expired',
    cause: 'beyond-retention',
    blobsListed: 0,
    blobsFetched: 0,
    records: 0,
    newRecords: 0,
    lastError: "older than the tenant's retention (180 days); Microsoft no longer keeps these records",
    updatedAt: NOW + 2,
  });
  await store.ledger.upsertWindow(window(northwind.tenantId, stream, NOW - 180 * DAY, NOW - 179 * DAY));
  const cov = JSON.parse((await cli(['northwind', '--format', 'json'])).stdout) as {
    rows: { stream: string; expired: number; gaps: number }[];
    gaps: CliGap[];
  };
  const row = cov.rows.find((r) => r.stream === stream)!;
  assert.deepEqual([row.expired, row.gaps], [0, 0]);
  assert.deepEqual(
    cov.gaps.filter((g) => g.stream === stream),
    [],
  );
  const console = await api<{ streams: ApiStream[] }>('/api/coverage?tenant=northwind');
  assert.deepEqual(console.streams.flatMap((s) => s.gaps).map(fromApi), cov.gaps.map(fromCli));
  const overview = await api<{ tenants: { name: string; errors: { last: string | null } }[] }>('/api/tenants');
  assert.equal(
    overview.tenants.find((x) => x.name === 'northwind')!.errors.last,
    "passed the API's 7-day horizon before it was fetched",
  );
});
