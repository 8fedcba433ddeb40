import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ManualClock } from '../../core/clock.js';
import type { AppError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { Store, TenantRow } from '../../store/contract.js';
import { memorySink } from '../../ingest/import/testing/memory-sink.js';
import { tempDir } from '../../../test/support/paths.js';
import type { CliContext } from '../context.js';
import { importCommand } from './import.js';

const TENANT_ID = '6f1c2b3a-0000-4000-8000-00000000abcd';

/** The command over an in-memory store (the SQLite adapter is built in parallel). */
function context(dataDir: string) {
  const sink = memorySink();
  const store = {
    records: { insert: sink.sink },
    tenants: {
      get: async (name: string) => (name === 'contoso' ? ({ name, tenantId: TENANT_ID } as TenantRow) : null),
    },
  } as unknown as Store;
  let out = '';
  let err = '';
  const outStream = new PassThrough().on('data', (d: Buffer) => (out += d.toString()));
  const errStream = new PassThrough().on('data', (d: Buffer) => (err += d.toString()));
  const ctx: CliContext = {
    locations: { dataDir, dbUrl: 'sqlite::memory:', secretKeyFile: join(dataDir, 'k') },
    clock: new ManualClock(Date.UTC(2026, 10, 1)),
    logger: silentLogger,
    out: outStream,
    err: errStream,
    store: async () => store,
    signal: new AbortController().signal,
    close: async () => undefined,
  };
  return { ctx, sink, output: () => ({ out, err }) };
}

const record = (i: number) =>
  JSON.stringify({
    CreationTime: '2024-01-01T00:00:00',
    Id: `id-${i}`,
    Operation: 'FileAccessed',
    RecordType: 6,
    UserId: 'a@b.c',
  });

test('import files under a registered tenant; a second run adds nothing; rejects go to the file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'x.ndjson');
    writeFileSync(file, [record(1), record(2), '{"broken'].join('\n'));
    const rejects = join(dir, 'rejects.ndjson');
    const { ctx, sink, output } = context(dir);
    assert.equal(await importCommand(ctx, [file], { tenant: 'contoso', rejects, format: 'json', detect: false }), 0);
    const summary = JSON.parse(output().out) as {
      imported: number;
      rejected: number;
      tenant: string;
      rejectsFile: string;
    };
    assert.equal(summary.imported, 2);
    assert.equal(summary.rejected, 1);
    assert.equal(summary.tenant, TENANT_ID);
    assert.equal([...sink.records.values()][0]!.tenant, TENANT_ID);
    const line = JSON.parse(readFileSync(rejects, 'utf8').trim()) as {
      file: string;
      line: number;
      reason: string;
      raw: string;
    };
    assert.deepEqual({ ...line, reason: '' }, { file, line: 3, reason: '', raw: '{"broken' });
    const again = context(dir);
    again.sink.records = sink.records;
    assert.equal(await importCommand(again.ctx, [file], { tenant: 'contoso', format: 'table', detect: false }), 0);
    assert.match(again.output().out, /total\s+-?\s*3\s+0\s+2\s+0\s+1/);
  } finally {
    cleanup();
  }
});

test("records cut by ConvertTo-Json's depth limit are named in the summary, as text and in JSON", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'x.json');
    const cut = (i: number) => JSON.stringify({ ...JSON.parse(record(i)), Actor: 'System.Object[]' });
    writeFileSync(file, `[${[record(1), cut(2), cut(3)].join(',')}]`);
    const text = context(dir);
    assert.equal(await importCommand(text.ctx, [file], { tenant: 'contoso', format: 'table', detect: false }), 0);
    assert.match(
      text.output().out,
      /\n2 records hold values that PowerShell's ConvertTo-Json cut at its depth limit \(System\.Object\[\], System\.Collections\.Hashtable or @\{…\} where an array or object was\): they were imported as they are\. Export with ConvertTo-Json -Depth 20 to keep records whole; a whole copy imported later is kept aside as a conflict, not stored in their place\.\n/,
    );
    const json = context(dir);
    assert.equal(await importCommand(json.ctx, [file], { tenant: 'contoso', format: 'json', detect: false }), 0);
    const summary = JSON.parse(json.output().out) as { cutByPowerShell: number; files: { cutByPowerShell: number }[] };
    assert.deepEqual([summary.cutByPowerShell, summary.files[0]!.cutByPowerShell], [2, 2]);
    const whole = context(dir);
    writeFileSync(file, record(1));
    await importCommand(whole.ctx, [file], { tenant: 'contoso', format: 'table', detect: false });
    assert.doesNotMatch(whole.output().out, /ConvertTo-Json/);
  } finally {
    cleanup();
  }
});

test('a file that cannot be read makes the exit status 1 and says why; good files still import', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const good = join(dir, 'good.ndjson');
    writeFileSync(good, record(1));
    const { ctx, sink, output } = context(dir);
    assert.equal(
      await importCommand(ctx, [join(dir, 'missing.csv'), good], { tenant: 'other', format: 'table', detect: false }),
      1,
    );
    assert.equal(sink.records.size, 1);
    assert.equal([...sink.records.values()][0]!.tenant, 'other', 'an unregistered name is used as given');
    assert.match(output().err, /missing\.csv does not exist\. Check the path/);
    assert.match(output().out, /ERROR FILE_NOT_FOUND/);
  } finally {
    cleanup();
  }
});

test('18.11: a rejects path that cannot be written (a folder, a full disk) ends in the summary and a clear message, good records kept', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'x.ndjson');
    writeFileSync(file, [record(1), '{"broken', record(2)].join('\n'));
    for (const rejects of [dir, '/dev/full']) {
      const { ctx, sink, output } = context(dir);
      assert.equal(await importCommand(ctx, [file], { rejects, format: 'table', tenant: 'contoso', detect: false }), 1);
      assert.equal(sink.records.size, 2);
      assert.match(output().out, /total\s+-?\s*3\s+2\s+0\s+0\s+1/);
      assert.match(output().err, /The rejected rows could not be written to .* \((EISDIR|ENOSPC)\)\. Give --rejects/);
    }
  } finally {
    cleanup();
  }
});

test('--rejects that is an input (by any name), the database or the log file is refused before anything is read or written', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'victim.ndjson');
    const text = [record(1), '{"broken'].join('\n') + '\n';
    writeFileSync(file, text);
    const link = join(dir, 'link.ndjson');
    symlinkSync(file, link);
    const db = join(dir, 'tw.sqlite');
    writeFileSync(db, 'SQLite format 3\0');
    const log = join(dir, 'tw.log');
    const cases: [string, RegExp][] = [
      [db, /is the database .*tw\.sqlite/],
      [`${db}-wal`, /is the database's own file/],
      [log, /is the log file .*tw\.log/],
      [file, /is the input file .*victim\.ndjson/],
      [link, /is the input file .*victim\.ndjson/],
      [join(dir, '.', 'victim.ndjson'), /is the input file/],
    ];
    // The input cases last: without the check they never end (the import reads back what it appends).
    for (const [rejects, message] of cases) {
      const { ctx, sink } = context(dir);
      ctx.locations = { ...ctx.locations, dbUrl: `sqlite:${db}` };
      ctx.logFile = log;
      await assert.rejects(
        importCommand(ctx, [file], { rejects, format: 'table', tenant: 'contoso', detect: false }),
        (e: AppError) => e.code === 'USAGE' && message.test(e.message) && /file of its own/.test(e.hint ?? ''),
      );
      assert.equal(sink.records.size, 0);
    }
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.equal(readFileSync(db, 'utf8'), 'SQLite format 3\0');
  } finally {
    cleanup();
  }
});

test('an empty --rejects is refused before anything is read: the rejected rows were lost after the import', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'one-bad.ndjson');
    writeFileSync(file, [record(1), '{"broken'].join('\n') + '\n');
    const { ctx, sink } = context(dir);
    // --rejects "" (an unset variable) imported the good rows, then failed to write "" and the bad rows were gone.
    await assert.rejects(importCommand(ctx, [file], { rejects: '', format: 'table', detect: false }), {
      code: 'USAGE',
      message: '--rejects is empty',
    });
    assert.equal(sink.records.size, 0);
  } finally {
    cleanup();
  }
});

test('import refuses a --tenant label that search could not reach (a comma, blank, a control character)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'x.ndjson');
    writeFileSync(file, record(1));
    for (const tenant of ['a, b', '   ', 'evil\x1b]0;x\x07']) {
      const { ctx, sink } = context(dir);
      await assert.rejects(importCommand(ctx, [file], { tenant, format: 'json', detect: false }), {
        code: 'BAD_INPUT',
      });
      assert.equal(sink.records.size, 0, JSON.stringify(tenant));
    }
  } finally {
    cleanup();
  }
});

test("a file's name reaches the terminal without its escape sequences, in the table and in its error", async () => {
  const { dir, cleanup } = tempDir();
  try {
    // A name from a folder of files someone sent: ESC [2J clears the screen, ESC ]0; sets the window title.
    const hostile = join(dir, 'x\u001b[2J\u001b]0;owned\u0007.ndjson');
    writeFileSync(hostile, [record(1), record(2)].join('\n'));
    const missing = join(dir, 'gone\u001b[31m.ndjson');
    const { ctx, output } = context(dir);
    const status = await importCommand(ctx, [hostile, missing], {
      tenant: 'contoso',
      rejects: join(dir, 'rejects.ndjson'),
      format: 'table',
      detect: false,
    });
    assert.equal(status, 1);
    const { out, err } = output();
    assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f]/);
    assert.doesNotMatch(err, /[\u0000-\u0008\u000b-\u001f\u007f]/);
    assert.match(out, /x \[2J \]0;owned \.ndjson/);
    assert.match(err, /gone \[31m\.ndjson/);
  } finally {
    cleanup();
  }
});

test('after an import with rejects the first 5 reasons are printed (file, line, reason), then how many more and where', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'x.ndjson');
    // Seven bad lines; one names a value with an escape sequence, which must not reach the terminal as one.
    const bad = ['{"broken', '[1,', 'nope', '{"a":1}{', '{"CreationTime":"\u001b[2J"}', '{', '}'];
    writeFileSync(file, [record(1), ...bad, record(2)].join('\n'));
    const rejects = join(dir, 'rejects.ndjson');
    for (const format of ['table', 'json'] as const) {
      const { ctx, output } = context(dir);
      assert.equal(await importCommand(ctx, [file], { tenant: 'contoso', rejects, format, detect: false }), 0);
      const { out, err } = output();
      const lines = err.trimEnd().split('\n');
      assert.equal(lines[0], 'Why rows were not imported (the first 5 of 7):', err);
      assert.equal(lines.length, 7, err);
      assert.match(
        lines[1]!,
        new RegExp(`^  ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, line 2: .*not valid JSON`),
      );
      assert.match(lines[2]!, /, line 3: /);
      assert.match(lines[5]!, /, line 6: /);
      assert.equal(lines[6], `  and 2 more — see ${rejects}`);
      assert.doesNotMatch(err, /[\u0000-\u0008\u000b-\u001f\u007f]/);
      // The summary lines other tools read are kept as they were.
      if (format === 'table') assert.match(out, /\n7 rejected rows written to /);
      else {
        const summary = JSON.parse(out) as { rejectsFile: string; firstRejects: { file: string; line: number }[] };
        assert.equal(summary.rejectsFile, rejects);
        assert.deepEqual(
          summary.firstRejects.map((r) => [r.file, r.line]),
          [2, 3, 4, 5, 6].map((line) => [file, line]),
        );
      }
    }
    const one = join(dir, 'one.ndjson');
    writeFileSync(one, [record(3), '{"broken'].join('\n'));
    const { ctx, output } = context(dir);
    await importCommand(ctx, [one], {
      tenant: 'contoso',
      rejects: join(dir, 'r2.ndjson'),
      format: 'table',
      detect: false,
    });
    assert.match(output().err, /^Why a row was not imported:\n {2}.*one\.ndjson, line 2: .*\n$/);
  } finally {
    cleanup();
  }
});
