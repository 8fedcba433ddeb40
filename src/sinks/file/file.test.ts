import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import { nodeHttpSender } from '../http.js';
import { records, sinkRow, T0 } from '../testing/records.js';
import { fileDriver } from './sender.js';

test('NDJSON lines parse back to their records; the file rotates by size and by age and keeps the newest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-file-'));
  try {
    const path = join(dir, 'out', 'audit.ndjson');
    const clock = new ManualClock(T0);
    const row = sinkRow({ kind: 'file', url: pathToFileURL(path).href, options: { maxBytes: 4096, keep: 2 } });
    const driver = fileDriver({ row, secret: null, caPem: null, clock, logger: silentLogger, http: nodeHttpSender });
    const sent = records(20);
    for (let i = 0; i < sent.length; i += 5) {
      await driver.send(
        sent.slice(i, i + 5).map((record) => ({ kind: 'record' as const, record })),
        new AbortController().signal,
      );
      clock.advance(1000);
    }
    await driver.close();
    const files = readdirSync(join(dir, 'out'))
      .filter((f) => !f.startsWith('.'))
      .sort();
    assert.equal(files.length, 3, `the live file and 2 rotated ones: ${files.join(', ')}`);
    const live = readFileSync(path, 'utf8').trim().split('\n');
    const last = JSON.parse(live[live.length - 1]!) as { id: string; record: unknown };
    assert.equal(last.id, sent[19]!.id);
    assert.deepEqual(last.record, JSON.parse(sent[19]!.raw));
    clock.advance(25 * 3_600_000);
    const again = fileDriver({ row, secret: null, caPem: null, clock, logger: silentLogger, http: nodeHttpSender });
    await again.send([{ kind: 'record', record: sent[0]! }], new AbortController().signal);
    await again.close();
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 1, 'a day-old file was rotated first');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a record stored pretty-printed (an imported JSON file) is still one line that parses back to it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-file-'));
  try {
    const path = join(dir, 'audit.ndjson');
    const row = sinkRow({ kind: 'file', url: pathToFileURL(path).href });
    const clock = new ManualClock(T0);
    const driver = fileDriver({ row, secret: null, caPem: null, clock, logger: silentLogger, http: nodeHttpSender });
    const [plain] = records(1);
    const audit = { ...(JSON.parse(plain!.raw) as object), Comment: 'two\nlines and a \\n' };
    const pretty = { ...plain!, raw: JSON.stringify(audit, null, 2).replace(/\n/g, '\r\n') };
    await driver.send(
      [
        { kind: 'record', record: pretty },
        { kind: 'record', record: plain! },
      ],
      new AbortController().signal,
    );
    await driver.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual((JSON.parse(lines[0]!) as { record: unknown }).record, audit);
    assert.equal((JSON.parse(lines[1]!) as { id: string }).id, plain!.id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
