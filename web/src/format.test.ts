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

/** Trojan Source in audit data: a file "invoice\u202Efdp.exe" must not read as "invoiceexe.pdf" anywhere. */
test('bidi controls in record values are shown where they are, never applied', async () => {
  const { visible, fmtCell } = await import('./format.js');
  const { COLUMNS, cellText } = await import('./components/columns.js');
  assert.equal(visible('invoice\u202Efdp.exe'), 'invoice⟨U+202E⟩fdp.exe');
  assert.equal(visible('a\u2066b\u2069c\u202Ad\u202C'), 'a⟨U+2066⟩b⟨U+2069⟩c⟨U+202A⟩d⟨U+202C⟩');
  assert.equal(visible('مستخدم@contoso.com'), 'مستخدم@contoso.com', 'right-to-left text itself is left alone');
  assert.equal(fmtCell(['x\u202Ey']), '["x⟨U+202E⟩y"]');
  const item = COLUMNS.find((c) => c.key === 'objectId')!;
  const user = COLUMNS.find((c) => c.key === 'userId')!;
  const row = { objectId: 'https://x/invoice\u202Efdp.exe', userId: 'admin\u202Eexe.txt@x' } as never;
  assert.equal(cellText(item, row), 'https://x/invoice⟨U+202E⟩fdp.exe');
  assert.equal(cellText(user, row), 'admin⟨U+202E⟩exe.txt@x');
});
