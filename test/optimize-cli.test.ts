import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { openStore } from '../src/store/open.js';
import { alertHit } from '../src/store/testing/alert-conformance.js';
import { T0 } from '../src/store/testing/fixtures.js';
import { ALERT_IDENTITY } from '../src/detections/alerts/raise.js';

test('optimize builds and drops the free-text index; free-text results are the same either way', async () => {
  const { dir, cleanup } = tempDir('tw-optimize-');
  try {
    const file = join(dir, 'records.ndjson');
    const record = (i: number, word: string) =>
      JSON.stringify({
        Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        RecordType: 6,
        CreationTime: `2026-11-0${1 + (i % 5)}T10:00:0${i % 10}`,
        Operation: 'FileAccessed',
        OrganizationId: 'contoso',
        UserId: `u${i}@contoso.com`,
        Workload: 'SharePoint',
        ObjectId: `https://contoso.sharepoint.com/f${i}.docx`,
        Note: word,
      });
    writeFileSync(
      file,
      Array.from({ length: 50 }, (_, i) => record(i, i % 7 === 0 ? 'xylophonequartz' : 'ordinary')).join('\n') + '\n',
    );
    const data = { dataDir: dir };
    assert.equal((await runCli(['import', file, '--tenant', 'contoso'], data)).code, 0);
    const search = async () =>
      JSON.parse(
        (
          await runCli(
            ['search', '--start', '2026-11-01', '--end', '2026-11-07', '--free-text', 'phoneQuar', '--format', 'json'],
            data,
          )
        ).stdout,
      ) as { count: number; records: { id: string }[] };
    const before = await search();
    assert.equal(before.count, 8);

    const built = await runCli(['optimize', '--text-index', '--format', 'json'], data);
    assert.equal(built.code, 0, built.stderr);
    assert.equal((JSON.parse(built.stdout) as { textIndex: boolean }).textIndex, true);
    assert.deepEqual(await search(), before);

    const plain = await runCli(['optimize', '--format', 'json'], data);
    assert.equal(
      (JSON.parse(plain.stdout) as { textIndex: boolean }).textIndex,
      true,
      'without a flag the index is left as it is',
    );
    const dropped = await runCli(['optimize', '--no-text-index', '--format', 'json'], data);
    assert.equal((JSON.parse(dropped.stdout) as { textIndex: boolean }).textIndex, false);
    assert.deepEqual(await search(), before);
  } finally {
    cleanup();
  }
});

test('optimize refuses an unknown --format and both --text-index and --no-text-index (exit 2, nothing done)', async () => {
  const { dir, cleanup } = tempDir('tw-optimize-');
  try {
    const xml = await runCli(['optimize', '--format', 'xml'], { dataDir: dir });
    assert.equal(xml.code, 2, xml.stderr);
    assert.match(xml.stderr, /--format xml is not one of table, json\. Use --format table/);
    const both = await runCli(['optimize', '--text-index', '--no-text-index'], { dataDir: dir });
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /--text-index and --no-text-index say opposite things\. Give --text-index/);
    assert.equal(both.stdout, '');
  } finally {
    cleanup();
  }
});

/**
 * ADR 0039, the merge: a store an earlier version wrote (records under the upper-case spelling of a tenant's GUID and
 * Ids, an alert raised on them), then a lower-case copy of the same file imported by this version, which stored
 * those records again. `optimize --rekey --dry-run` says what would change and changes nothing; `optimize --rekey`
 * leaves one record per key under the lower-case key, the alert finds its record, and the file imported again is
 * all duplicates (the one conflicting copy is a conflict again).
 */
test('optimize --rekey merges what an earlier version stored under upper-case GUIDs; --dry-run only says it', async () => {
  const { dir, cleanup } = tempDir('tw-rekey-');
  const tenant = '6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5';
  const line = (i: number, spelled: (v: string) => string = (v) => v, operation = 'FileAccessed') =>
    JSON.stringify({
      Id: spelled(`abcdef00-0000-4000-8000-${String(i).padStart(12, '0')}`),
      RecordType: 6,
      CreationTime: `2026-11-0${1 + i}T10:00:00`,
      Operation: operation,
      OrganizationId: spelled(tenant),
      UserId: `u${i}@contoso.com`,
      Workload: 'SharePoint',
    });
  const upper = (v: string) => v.toUpperCase();
  try {
    // The earlier version: records 1-4 and 7 keyed as the file spelled them (4 with other content), an alert on 1.
    const store = await openStore(`sqlite:${join(dir, 'tenantwatch.sqlite')}`);
    const earlier = [1, 2, 3, 4, 7].map((i) => {
      const r = normalizeRecord(line(i, upper, i === 4 ? 'FileDeleted' : 'FileAccessed'), { source: 'import' });
      assert.ok(r.ok && r.record.receivedKey);
      const { receivedKey, ...rest } = r.record;
      return { ...rest, ...receivedKey };
    });
    await store.records.insert(earlier);
    await store.alerts.applyHit(
      alertHit({ alertId: 'al-upper', tenant: tenant.toUpperCase(), recordIds: [earlier[0]!.id] }),
      Date.UTC(2026, 10, 8),
    );
    await store.close();
    // This version imports the lower-case copy: records 1-4 were stored again beside their upper-case keys.
    const file = join(dir, 'records.ndjson');
    writeFileSync(file, [1, 2, 3, 4, 5, 6].map((i) => line(i)).join('\n') + '\n');
    const data = { dataDir: dir };
    const imported = async () =>
      JSON.parse((await runCli(['import', file, '--format', 'json'], data)).stdout) as {
        imported: number;
        duplicates: number;
        conflicts: number;
      };
    assert.equal((await imported()).imported, 6);
    const search = async (...extra: string[]) => {
      const res = await runCli(
        ['search', '--start', '2026-11-01', '--end', '2026-11-10', '--format', 'json', ...extra],
        data,
      );
      assert.equal(res.code, 0, res.stderr);
      return (JSON.parse(res.stdout) as { records: { tenant: string; id: string }[] }).records;
    };
    assert.equal((await search('--tenant', tenant)).length, 11, 'both spellings, read together');

    const dry = await runCli(['optimize', '--rekey', '--dry-run'], data);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^dry run: nothing was changed\n/);
    assert.match(dry.stdout, /would move to the lower-case key: 5 records\n/);
    assert.match(dry.stdout, /would merge into the record stored first: 3 duplicates, 1 conflict /);
    assert.match(dry.stdout, new RegExp(`tenant keys that would move to lower case: ${tenant.toUpperCase()}\n`));
    assert.match(dry.stdout, /alerts that would name their tenant and records in lower case: 1\n/);
    assert.match(dry.stdout, /alert ids that would change: 1 \(the old ids still name them/);
    assert.doesNotMatch(dry.stdout, /statistics/, 'a dry run does nothing else');
    const dryJson = JSON.parse((await runCli(['optimize', '--rekey', '--dry-run', '--format', 'json'], data)).stdout);
    assert.deepEqual(dryJson, {
      rekey: {
        dryRun: true,
        scanned: 11,
        rekeyed: 5,
        duplicates: 3,
        conflicts: 1,
        tenantKeys: [tenant.toUpperCase()],
        alerts: 1,
        alertIds: [{ from: 'al-upper', to: ALERT_IDENTITY.alertId('r1', tenant, '', T0) }],
      },
    });
    assert.equal((await search('--tenant', tenant)).length, 11, 'nothing changed');

    const done = await runCli(['optimize', '--rekey', '--format', 'json'], data);
    assert.equal(done.code, 0, done.stderr);
    const result = JSON.parse(done.stdout) as { rekey: Record<string, unknown>; analyzeMs: number };
    assert.deepEqual(result.rekey, { ...dryJson.rekey, dryRun: false });
    assert.equal(typeof result.analyzeMs, 'number', 'then the statistics, as optimize does');
    const left = await search();
    assert.deepEqual(
      left.map((r) => `${r.tenant}/${r.id}`).sort(),
      [1, 2, 3, 4, 5, 6, 7].map((i) => `${tenant}/abcdef00-0000-4000-8000-${String(i).padStart(12, '0')}`),
      'one record per key, under the lower-case key',
    );
    // Under the id the next hit of its rule, group and window gets (ADR 0039, the merge, point 5).
    const merged = ALERT_IDENTITY.alertId('r1', tenant, '', T0);
    const shown = await runCli(['alerts', 'show', merged, '--format', 'json'], data);
    assert.equal(shown.code, 0, shown.stderr);
    const detail = JSON.parse(shown.stdout) as { records: unknown[]; missing: string[] };
    assert.deepEqual([detail.records.length, detail.missing], [1, []], 'the alert finds its record');
    // The old id was sent to channels and written in tickets: it still names the alert, and says what it is now.
    const note = `tenantwatch: note: al-upper is now ${merged} (merged by optimize --rekey)\n`;
    const byOld = await runCli(['alerts', 'show', 'al-upper', '--format', 'json'], data);
    assert.equal(byOld.code, 0, byOld.stderr);
    assert.deepEqual(JSON.parse(byOld.stdout), JSON.parse(shown.stdout), 'the same alert');
    assert.equal(byOld.stderr, note);
    const acked = await runCli(['alerts', 'ack', 'al-upper', '--by', 'ann'], data);
    assert.equal(acked.code, 0, acked.stderr);
    assert.equal(acked.stdout, `${merged}: acknowledged (by ann)\n`);
    assert.equal(acked.stderr, note);
    const snoozed = await runCli(['alerts', 'snooze', 'al-upper', '--until', '4h'], data);
    assert.equal(snoozed.code, 0, snoozed.stderr);
    assert.match(snoozed.stdout, new RegExp(`^${merged}: snoozed until `));
    const excluded = await runCli(
      ['alerts', 'exclude', 'al-upper', '--user', 'u1@contoso.com', '--reason', 'expected'],
      data,
    );
    assert.equal(excluded.code, 0, excluded.stderr);
    assert.equal(excluded.stderr, note);
    assert.equal((await runCli(['alerts', 'show', 'al-nope'], data)).code, 1, 'an id never given: not found');
    const { imported: stored, duplicates, conflicts } = await imported();
    assert.deepEqual([stored, duplicates, conflicts], [0, 5, 1], 'the lower-case file again: the records stored');
    const again = await runCli(['optimize', '--rekey'], data);
    assert.match(
      again.stdout,
      /moved to the lower-case key: 0 records\n {2}merged into the record stored first: 0 duplicates, 0 conflicts\n/,
    );
  } finally {
    cleanup();
  }
});

test('optimize --dry-run needs --rekey and changes nothing else (exit 2)', async () => {
  const { dir, cleanup } = tempDir('tw-optimize-');
  try {
    const alone = await runCli(['optimize', '--dry-run'], { dataDir: dir });
    assert.equal(alone.code, 2, alone.stderr);
    assert.match(alone.stderr, /--dry-run says what --rekey would change, and --rekey is not given/);
    const built = await runCli(['optimize', '--rekey', '--dry-run', '--text-index'], { dataDir: dir });
    assert.equal(built.code, 2, built.stderr);
    assert.match(built.stderr, /--dry-run only counts what --rekey would change; --text-index would change the store/);
  } finally {
    cleanup();
  }
});
