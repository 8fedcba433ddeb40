import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { corpusDir, corpusSkip } from '../../../test/support/paths.js';
import { recordTypeName, resolveRecordType, resolveUserType, userTypeName } from './index.js';

/** Microsoft's own enum tables (corpus/microsoft-docs-o365-mgmt-api) agree with our catalogues both ways. */
function table(name: string): { value: number; name: string }[] {
  const rows = parse<Record<string, string>>(
    readFileSync(join(corpusDir, 'microsoft-docs-o365-mgmt-api', name), 'utf8'),
    { columns: true },
  );
  return rows.map((r) => ({ value: Number(r.Value), name: r['Member name']!.trim() }));
}

test('every AuditLogRecordType in the schema doc has our number and name', { skip: corpusSkip }, () => {
  const rows = table('AuditLogRecordType.csv');
  assert.equal(rows.length, 257);
  for (const { value, name } of rows) {
    assert.equal(
      recordTypeName(value).replace(/\s/g, '').toLowerCase(),
      name.replace(/\s/g, '').toLowerCase(),
      `value ${value}`,
    );
    assert.equal(resolveRecordType(name), value, name);
  }
});

test('every UserType in the schema doc has our number and name', { skip: corpusSkip }, () => {
  for (const { value, name } of table('UserType.csv')) {
    assert.equal(userTypeName(value).toLowerCase(), name.toLowerCase());
    assert.equal(resolveUserType(name), value);
  }
});
