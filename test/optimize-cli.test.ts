import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

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
