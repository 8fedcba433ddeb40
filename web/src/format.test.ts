import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countOf, detailLines, looksLikeTime, runbookParagraphs, shortTimes } from './format.js';

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
  assert.equal(visible('a\u200Fb\u200Ec\u061Cd'), 'a⟨U+200F⟩b⟨U+200E⟩c⟨U+61C⟩d', 'the direction marks too');
  assert.equal(visible('مستخدم@contoso.com'), 'مستخدم@contoso.com', 'right-to-left text itself is left alone');
  assert.equal(fmtCell(['x\u202Ey']), '["x⟨U+202E⟩y"]');
  const item = COLUMNS.find((c) => c.key === 'objectId')!;
  const user = COLUMNS.find((c) => c.key === 'userId')!;
  const row = { objectId: 'https://x/invoice\u202Efdp.exe', userId: 'admin\u202Eexe.txt@x' } as never;
  assert.equal(cellText(item, row), 'https://x/invoice⟨U+202E⟩fdp.exe');
  assert.equal(cellText(user, row), 'admin⟨U+202E⟩exe.txt@x');
});

/** The Search form's user suggestions wait for a period that reads as times (a date typed key by key was refused per key). */
test('a time looks complete as the server would read it, and half a date does not', () => {
  for (const v of [
    'now',
    'NOW',
    '7d',
    '24h',
    '90m',
    '1.5d',
    '2w',
    '1y',
    '2026-11-01',
    '2026-11-01T08:30',
    '2026-11-01T08:30:00Z',
    '2026-11-01T09:30+01:00',
    '2026-11-01T08:30:00.123Z',
  ]) {
    assert.equal(looksLikeTime(v), true, v);
  }
  for (const v of [
    '',
    '2026-1',
    '2026-11-0',
    '2026-11-01T0',
    '2026-11-01T08:3',
    '7',
    'd',
    'no',
    '2026-11-01T08:30+1',
  ]) {
    assert.equal(looksLikeTime(v), false, v);
  }
});

test('a count in words agrees with its number: "1 hit", "3 hits", "2 changes", never "hit(s)"', () => {
  assert.deepEqual(
    [
      countOf(1, 'hit'),
      countOf(3, 'hit'),
      countOf(0, 'record'),
      countOf(2, 'change'),
      countOf(2, 'policy'),
      countOf(1200, 'match'),
    ],
    ['1 hit', '3 hits', '0 records', '2 changes', '2 policies', '1,200 matches'],
  );
});

test("a runbook's lines wrapped in its YAML join into paragraphs; its labels, bullets and numbers start new ones", () => {
  const text = [
    "Check: the rule's conditions (words such as invoice, payment, password, security often point to a",
    'business email compromise), who made it and from where.',
    'Do: remove the rule, look for forwarding rules made in the same session, reset the password and',
    'revoke sessions.',
    '',
    'Then',
    '- tell the user',
    '- 1. not a number here, a bullet',
    '2) escalate',
    '',
  ].join('\n');
  assert.deepEqual(runbookParagraphs(text), [
    "Check: the rule's conditions (words such as invoice, payment, password, security often point to a business email compromise), who made it and from where.",
    'Do: remove the rule, look for forwarding rules made in the same session, reset the password and revoke sessions.',
    'Then',
    '- tell the user',
    '- 1. not a number here, a bullet',
    '2) escalate',
  ]);
  assert.deepEqual(runbookParagraphs(''), []);
});

test('an empty list or object in an entry\'s details says "(none)", not a bare label', () => {
  assert.deepEqual(detailLines({ query: {}, groups: [], tenants: ['contoso'] }), [
    'query: (none)',
    'groups: (none)',
    'tenants: contoso',
  ]);
});

test('short times drop the year only when every time shown is in one year (in the zone shown)', () => {
  const dec = Date.UTC(2026, 11, 28, 9, 5);
  const jan = Date.UTC(2027, 0, 3, 17, 40);
  const one = shortTimes([dec, null, Date.UTC(2026, 0, 1)], 'UTC');
  assert.equal(one(dec), '12-28 09:05');
  assert.equal(one(null), '—');
  // A ledger (or an alert list) across New Year read "12-28 09:05 → 01-03 17:40": which January?
  const across = shortTimes([dec, jan], 'UTC');
  assert.equal(across(dec), '2026-12-28 09:05');
  assert.equal(across(jan), '2027-01-03 17:40');
  // The year of the zone shown: 2026-12-31 23:30 UTC is already 2027 in Berlin.
  const eve = Date.UTC(2026, 11, 31, 23, 30);
  assert.equal(shortTimes([eve, jan], 'Europe/Berlin')(eve), '01-01 00:30');
  assert.equal(shortTimes([eve, jan], 'UTC')(eve), '2026-12-31 23:30');
});
