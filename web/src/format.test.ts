import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detailLines } from './format.js';

/** The newcomer's walk (issue 17): the audit trail's Details column showed each entry as a raw JSON line. */
test('audit details read as one line per field, nested values as name-value pairs, never JSON', () => {
  const lines = detailLines({
    method: 'GET',
    query: { start: '7d', end: 'now', workload: 'SharePoint', limit: '500' },
    status: 200,
    tenants: ['contoso', 'fabrikam'],
    reason: null,
  });
  assert.deepEqual(lines, [
    'method: GET',
    'query: start 7d · end now · workload SharePoint · limit 500',
    'status: 200',
    'tenants: contoso, fabrikam',
    'reason: —',
  ]);
  for (const l of lines) assert.doesNotMatch(l, /[{}"]/);
});
