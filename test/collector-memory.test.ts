import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';
import { repoRoot, tempDir } from './support/paths.js';

/**
 * Acceptance (issue 4): peak memory stays under 200 MB while collecting ONE 100 MB content blob
 * (Elastic's collector needs about 1.4 GB). The blob comes from a local HTTPS server trusted through
 * the emulator's CA and is generated while it is sent, so only the collector's memory is measured,
 * in a child process.
 */
const TENANT = '11111111-2222-4333-8444-555555555555';
const TARGET_BYTES = 100 * 1024 * 1024;
let t: TestEmulator;
let server: Server;
let dir: { dir: string; cleanup: () => void };
let sent = { records: 0, bytes: 0 };

function record(n: number): string {
  const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const minute = String(n % 60).padStart(2, '0');
  return JSON.stringify({
    CreationTime: `2026-03-09T10:${minute}:00`,
    Id: id,
    Operation: 'FileAccessed',
    OrganizationId: TENANT,
    RecordType: 6,
    UserKey: 'i:0h.f|membership|10032000aaaa@live.com',
    UserType: 0,
    Version: 1,
    Workload: 'SharePoint',
    ClientIP: '203.0.113.7',
    ObjectId: `https://contoso.sharepoint.com/sites/finance/Shared Documents/report-${n}.xlsx`,
    UserId: 'adele@contoso.onmicrosoft.com',
    CorrelationId: id,
    EventSource: 'SharePoint',
    ItemType: 'File',
    ListId: id,
    ListItemUniqueId: id,
    Site: id,
    UserAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    WebId: id,
    SourceFileExtension: 'xlsx',
    SiteUrl: 'https://contoso.sharepoint.com/sites/finance/',
    SourceFileName: `report-${n}.xlsx`,
    SourceRelativeUrl: 'Shared Documents',
    Padding: 'x'.repeat(300),
  });
}

before(async () => {
  t = await startTestEmulator({ tenants: 1, users: 2, days: 1 });
  dir = tempDir('tw-mem-');
  server = createServer({ cert: t.emu.serverCertPem, key: t.emu.serverKeyPem }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    let n = 0;
    let bytes = 0;
    const pump = (): void => {
      while (bytes < TARGET_BYTES) {
        const chunk = (n === 0 ? '[' : ',') + record(n++);
        bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end(']');
      sent = { records: n, bytes };
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
after(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await t?.close();
  dir?.cleanup();
});

test('one 100 MB blob is collected in under 200 MB of memory, every record stored', { timeout: 300_000 }, async () => {
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const input = {
    url,
    caPem: t.emu.caPem,
    db: join(dir.dir, 'big.sqlite'),
    tenantId: TENANT,
    contentId: '20260309100000$big$audit_sharepoint$Audit_SharePoint$01',
  };
  const out = await new Promise<string>((resolve, reject) => {
    // A 128 MB heap limit: V8 otherwise grows its heap lazily while other test files keep the machine
    // busy (peaks of 150–197 MB for the same work); capped, the child must really stay within it.
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=128', '--import', 'tsx', join(repoRoot, 'test', 'collector-memory-child.ts')],
      { cwd: repoRoot, env: { ...process.env, TW_CHILD: JSON.stringify(input) }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}: ${text}`))));
  });
  const result = JSON.parse(out) as {
    outcome: string;
    maxRssMb: number;
    baselineMb: number;
    records: number;
    newRecords: number;
    blob: { sha256: string; records: number };
  };
  assert.equal(result.outcome, 'fetched');
  assert.ok(sent.bytes >= TARGET_BYTES, `served ${sent.bytes} bytes`);
  assert.equal(result.records, sent.records);
  assert.equal(result.newRecords, sent.records);
  assert.match(result.blob.sha256, /^[0-9a-f]{64}$/);
  assert.ok(result.maxRssMb < 200, `peak RSS ${result.maxRssMb.toFixed(0)} MB`);
  console.log(
    `# 100 MB blob: ${sent.records} records, peak RSS ${result.maxRssMb.toFixed(0)} MB (process with tsx and modules loaded: ${result.baselineMb.toFixed(0)} MB)`,
  );
});
