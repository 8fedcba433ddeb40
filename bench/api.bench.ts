/**
 * API bench (issue 7): time to the first row and to the exact count for searches over 1,000,000
 * records through the HTTP API (a real socket on 127.0.0.1, the console's own routes), on the SQLite
 * store. The store is generated once under bench/.data/ (git-ignored) and reused.
 *   npm run bench -- api        (or: node --import tsx bench/api.bench.ts [records])
 */
import { existsSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import type { AuditRecord } from '../src/core/record.js';
import { buildServer } from '../src/server/index.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 1);
const TENANTS = [
  '0e8108b1-18e9-41a4-961b-dfcddf92ef08',
  '5b2c5f9e-3a1e-4d47-9d2c-9f5a1d2e7c11',
  '9d4a3b2c-1e0f-4a5b-8c7d-6e5f4a3b2c1d',
];
const OPS = [
  ['FileAccessed', 6, 'SharePoint'],
  ['FileModified', 6, 'SharePoint'],
  ['FileDownloaded', 6, 'OneDrive'],
  ['MailItemsAccessed', 50, 'Exchange'],
  ['UserLoggedIn', 15, 'AzureActiveDirectory'],
  ['Send', 2, 'Exchange'],
  ['MessageSent', 25, 'MicrosoftTeams'],
  ['Set-Mailbox', 1, 'Exchange'],
] as const;

/** A seeded, realistic spread: 3 tenants × 500 users, 30 days, eight common operations. */
function makeRecords(from: number, n: number, total: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = from; i < from + n; i++) {
    const [operation, recordType, workload] = OPS[(i * 2654435761) % OPS.length]!;
    const tenant = TENANTS[i % TENANTS.length]!;
    const user = `user${(i * 40503) % 500}@contoso${i % TENANTS.length}.onmicrosoft.com`;
    const creationTime = END - 30 * DAY + Math.floor((i / total) * 30 * DAY);
    const id = `${(i + 1).toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0').slice(-12)}`;
    const clientIp = `203.0.${(i >> 8) & 255}.${i & 255}`;
    const objectId =
      workload === 'Exchange'
        ? `<msg${i}@contoso.com>`
        : `https://contoso.sharepoint.com/sites/team${i % 40}/Shared Documents/file${i % 997}.docx`;
    const raw = JSON.stringify({
      CreationTime: new Date(creationTime).toISOString().slice(0, 19),
      Id: id,
      Operation: operation,
      OrganizationId: tenant,
      RecordType: recordType,
      UserKey: `1003${i % 500}`,
      UserType: 0,
      Version: 1,
      Workload: workload,
      ClientIP: clientIp,
      ObjectId: objectId,
      UserId: user,
      ResultStatus: 'Succeeded',
    });
    out.push({
      tenant,
      id,
      creationTime,
      recordType,
      operation,
      workload,
      userId: user,
      userKey: user,
      userType: 0,
      clientIp,
      clientPort: null,
      objectId,
      resultStatus: 'Succeeded',
      outcome: 'success',
      organizationId: tenant,
      source: 'import',
      contentType: null,
      userAgent: null,
      appId: null,
      logonType: null,
      raw,
    });
  }
  return out;
}

async function ensureData(total: number): Promise<Store> {
  const dir = join(import.meta.dirname, '.data');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `api-${total}.sqlite`);
  const fresh = !existsSync(file);
  const store = await openStore(`sqlite:${file}`);
  if (fresh || (await store.records.count({ range: { start: 0, end: END + DAY } })) < total) {
    const t0 = performance.now();
    for (let i = 0; i < total; i += 20_000)
      await store.records.insert(makeRecords(i, Math.min(20_000, total - i), total));
    process.stderr.write(
      `api bench: generated ${total.toLocaleString('en-US')} records in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }
  return store;
}

/** Milliseconds to the first result row's bytes and to the end of the response. */
function timeRequest(url: string, firstMarker: string): Promise<{ first: number; total: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = -1;
    let body = '';
    get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        if (first < 0 && body.includes(firstMarker)) first = performance.now() - t0;
      });
      res.on('end', () =>
        resolve({ first: first < 0 ? performance.now() - t0 : first, total: performance.now() - t0, body }),
      );
    }).on('error', reject);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Markdown for docs/BENCHMARKS.md (bench/run.ts); progress goes to stderr. */
export async function run(total = 1_000_000): Promise<string> {
  const store = await ensureData(total);
  const app = await buildServer({ store, clock: systemClock, logger: silentLogger });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const range = `start=${new Date(END - 7 * DAY).toISOString()}&end=${new Date(END).toISOString()}`;
  const searches: [string, string][] = [
    ['7 days, everything', range],
    ['one user, 7 days', `${range}&user=user42@contoso0.onmicrosoft.com`],
    [
      'SharePoint FileAccessed, 30 days',
      `start=${new Date(END - 30 * DAY).toISOString()}&end=${new Date(END).toISOString()}&workload=SharePoint&operation=FileAccessed`,
    ],
    ['free text, 7 days', `${range}&freeText=file996.docx`],
  ];
  const lines = [
    `${total.toLocaleString('en-US')} records (3 tenants, 500 users, 30 days) in the SQLite store, searched through the console's HTTP API ` +
      '(a real socket on 127.0.0.1): time to the first result row of `GET /api/search` (streamed), to its whole first page of 200, and of `GET /api/search/count`; median of 5.',
    '',
    '| search | first row (median ms) | first page of 200 (ms) | exact count (ms) | matches |',
    '|---|---|---|---|---|',
  ];
  for (const [name, q] of searches) {
    process.stderr.write(`api bench: ${name}\n`);
    const firsts: number[] = [];
    const pages: number[] = [];
    const counts: number[] = [];
    let matches = 0;
    for (let i = 0; i < 5; i++) {
      const page = await timeRequest(`http://127.0.0.1:${port}/api/search?${q}&limit=200`, '"id"');
      firsts.push(page.first);
      pages.push(page.total);
      const count = await timeRequest(`http://127.0.0.1:${port}/api/search/count?${q}`, 'count');
      counts.push(count.total);
      matches = (JSON.parse(count.body) as { count: number }).count;
    }
    lines.push(
      `| ${name} | ${median(firsts).toFixed(1)} | ${median(pages).toFixed(1)} | ${median(counts).toFixed(1)} | ${matches.toLocaleString('en-US')} |`,
    );
  }
  await app.close();
  await store.close();
  return lines.join('\n');
}

export default run;

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write((await run(Number(process.argv[2]) || 1_000_000)) + '\n');
}
