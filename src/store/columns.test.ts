import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../core/record.js';
import { recordKeys } from './columns.js';
import { record } from './testing/fixtures.js';

test('a U+0000 in any text field of a record is found (it is stored as its JSON escape)', () => {
  const r: AuditRecord = {
    ...record(),
    workload: 'SharePoint',
    contentType: 'Audit.SharePoint',
    userAgent: 'ua',
    appId: 'a',
  };
  assert.equal(recordKeys(r).nul, false);
  const text = Object.entries(r).filter(([, v]) => typeof v === 'string');
  assert.ok(text.length >= 16, `the fixture's text fields: ${text.map(([k]) => k).join(', ')}`);
  for (const [field, value] of text)
    assert.equal(recordKeys({ ...r, [field]: `${value as string}\u0000` }).nul, true, field);
});
