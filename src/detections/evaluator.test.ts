import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entra, exchangeAdmin, signIn, spFile } from '../reports/testing/builders.js';
import { record } from '../store/testing/fixtures.js';
import { createEvaluator } from './evaluator.js';
import { RecordView } from './record-view.js';
import { auditRule, errorsOf, hitsOf, rulesFrom, stored } from './testing/rules.js';

function fires(detection: string, rec: Parameters<typeof hitsOf>[1][number]): boolean {
  const set = rulesFrom(auditRule(detection));
  assert.deepEqual(errorsOf(set.problems), [], JSON.stringify(set.problems));
  return hitsOf(set, [rec]).length === 1;
}

test('plain values match whole strings without regard to case; lists are alternatives', () => {
  const r = exchangeAdmin('Set-Mailbox', { Identity: 'adele', ForwardingSmtpAddress: 'smtp:x@evil.example' });
  assert.ok(fires('  sel:\n    Operation: set-mailbox\n  condition: sel', r));
  assert.ok(!fires('  sel:\n    Operation: set-mail\n  condition: sel', r));
  assert.ok(fires('  sel:\n    Operation: [New-InboxRule, Set-Mailbox]\n  condition: sel', r));
});

test('modifiers contains, startswith, endswith, all, cased, re', () => {
  const r = exchangeAdmin('New-InboxRule', { Name: 'x', ForwardTo: 'Bob@Evil.example', DeleteMessage: 'True' });
  assert.ok(fires('  sel:\n    Parameters.ForwardTo|contains: evil\n  condition: sel', r));
  assert.ok(fires('  sel:\n    Parameters.ForwardTo|startswith: bob@\n  condition: sel', r));
  assert.ok(fires('  sel:\n    Parameters.ForwardTo|endswith: .EXAMPLE\n  condition: sel', r));
  assert.ok(fires('  sel:\n    Parameters|contains|all: [ForwardTo, DeleteMessage]\n  condition: sel', r));
  assert.ok(!fires('  sel:\n    Parameters|contains|all: [ForwardTo, RedirectTo]\n  condition: sel', r));
  assert.ok(!fires('  sel:\n    Parameters.ForwardTo|contains|cased: evil\n  condition: sel', r));
  assert.ok(fires("  sel:\n    Parameters.ForwardTo|re: '^Bob@[A-Z]'\n  condition: sel", r));
  assert.ok(!fires("  sel:\n    Parameters.ForwardTo|re: '^bob@'\n  condition: sel", r));
  assert.ok(fires("  sel:\n    Parameters.ForwardTo|re|i: '^bob@'\n  condition: sel", r));
});

test('a value whose lower case is longer (Turkish dotted İ) still equals itself', () => {
  const r = record({ operation: 'FileDownloaded', objectId: 'İstanbul şubesi.docx' });
  assert.equal('İstanbul şubesi.docx'.toLowerCase().length, 'İstanbul şubesi.docx'.length + 1);
  assert.ok(fires("  sel:\n    ObjectId: 'İstanbul şubesi.docx'\n  condition: sel", r));
  assert.ok(fires("  sel:\n    ObjectId: 'İSTANBUL ŞUBESI.DOCX'\n  condition: sel", r));
  assert.ok(!fires("  sel:\n    ObjectId: 'Ankara şubesi.docx'\n  condition: sel", r));
});

test('wildcards * and ?, and escaped ones', () => {
  const r = record({ operation: 'FileDownloaded', objectId: 'https://x/a*b?c.docx' });
  assert.ok(fires("  sel:\n    ObjectId: 'https://x/*.docx'\n  condition: sel", r));
  assert.ok(fires("  sel:\n    ObjectId: 'https://x/a?b*'\n  condition: sel", r));
  assert.ok(fires("  sel:\n    ObjectId|contains: 'a\\*b\\?c'\n  condition: sel", r));
  assert.ok(!fires("  sel:\n    ObjectId|contains: 'a\\*bb'\n  condition: sel", r));
});

test('null, exists, numbers, gt/lt, cidr, fieldref', () => {
  const r = signIn(true, { ClientIP: '198.51.100.7', ErrorNumber: '50126' });
  assert.ok(fires('  sel:\n    Nothing: null\n  condition: sel', r));
  assert.ok(!fires('  sel:\n    ErrorNumber: null\n  condition: sel', r));
  assert.ok(fires('  sel:\n    ErrorNumber|exists: true\n  condition: sel', r));
  assert.ok(fires('  sel:\n    ErrorNumber: 50126\n  condition: sel', r));
  assert.ok(fires('  sel:\n    ErrorNumber|gte: 50000\n  condition: sel', r));
  assert.ok(!fires('  sel:\n    ErrorNumber|lt: 50000\n  condition: sel', r));
  assert.ok(fires('  sel:\n    RecordType: 15\n  condition: sel', r));
  assert.ok(fires('  sel:\n    RecordType: AzureActiveDirectoryStsLogon\n  condition: sel', r));
  assert.ok(fires('  sel:\n    ClientIP|cidr: 198.51.100.0/24\n  condition: sel', r));
  assert.ok(!fires('  sel:\n    ClientIP|cidr: 10.0.0.0/8\n  condition: sel', r));
  const same = entra('Update user.', { ObjectId: 'adele@contoso.onmicrosoft.com' });
  assert.ok(fires('  sel:\n    ObjectId|fieldref: UserId\n  condition: sel', same));
  assert.ok(!fires('  sel:\n    ObjectId|fieldref: UserId\n  condition: sel', entra('Update user.')));
});

test('base64, base64offset and windash', () => {
  const encoded = Buffer.from('xx Invoke-Mimikatz yy').toString('base64');
  const r = exchangeAdmin('New-ManagementRoleAssignment', { Identity: 'x', Payload: encoded, Cmd: '/export' });
  assert.ok(fires('  sel:\n    Parameters.Payload|base64offset|contains: Invoke-Mimikatz\n  condition: sel', r));
  const r2 = exchangeAdmin('New-ManagementRoleAssignment', {
    Identity: 'x',
    Payload: Buffer.from('abc').toString('base64'),
  });
  assert.ok(fires('  sel:\n    Parameters.Payload|base64: abc\n  condition: sel', r2));
  assert.ok(fires("  sel:\n    Parameters.Cmd|windash: '-export'\n  condition: sel", r));
});

test('name/value arrays and nested paths: Parameters, ExtendedProperties, ModifiedProperties, bare names', () => {
  const s = signIn(false);
  assert.ok(fires('  sel:\n    ExtendedProperties.UserAgent|contains: firefox\n  condition: sel', s));
  assert.ok(fires("  sel:\n    RequestType: 'OAuth2:Token'\n  condition: sel", s));
  const role = entra('Add member to role.', {
    ModifiedProperties: [{ Name: 'Role.DisplayName', NewValue: 'Global Administrator', OldValue: '' }],
  });
  assert.ok(
    fires("  sel:\n    ModifiedProperties.Role.DisplayName.NewValue: 'Global Administrator'\n  condition: sel", role),
  );
  assert.ok(fires("  sel:\n    ModifiedProperties.Role.DisplayName: 'Global Administrator'\n  condition: sel", role));
  assert.ok(fires("  sel:\n    Actor.ID|endswith: '@contoso.onmicrosoft.com'\n  condition: sel", role));
});

test('MFA: Removed lists the methods OldValue had and NewValue lacks; a changed default removes nothing', () => {
  const mfa = (oldValue: string, newValue: string) =>
    entra('Update user.', {
      ModifiedProperties: [{ Name: 'StrongAuthenticationMethod', OldValue: oldValue, NewValue: newValue }],
    });
  const rule = '  sel:\n    ModifiedProperties.StrongAuthenticationMethod.Removed|exists: true\n  condition: sel';
  assert.ok(
    fires(
      rule,
      mfa('[{"MethodType":6,"Default":true},{"MethodType":7,"Default":false}]', '[{"MethodType":6,"Default":true}]'),
    ),
  );
  assert.ok(
    !fires(
      rule,
      mfa('[{"MethodType":6,"Default":true}]', '[{"MethodType":6,"Default":false},{"MethodType":7,"Default":true}]'),
    ),
  );
});

test('conditions: and, or, not, parentheses, 1 of / all of, them', () => {
  const r = exchangeAdmin('Set-Mailbox', { Identity: 'a', ForwardingSmtpAddress: 'smtp:x@evil.example' });
  const body = (cond: string) =>
    `  sel_a:\n    Operation: Set-Mailbox\n  sel_b:\n    Parameters.ForwardingSmtpAddress|contains: evil\n  filter:\n    UserId: nobody\n  condition: ${cond}`;
  assert.ok(fires(body('sel_a and sel_b and not filter'), r));
  assert.ok(fires(body('all of sel_* and not filter'), r));
  assert.ok(fires(body('1 of sel_* and not 1 of filter*'), r));
  assert.ok(!fires(body('all of them'), r));
  assert.ok(fires(body('(filter or sel_a) and sel_b'), r));
  assert.ok(!fires(body('filter or (sel_a and not sel_b)'), r));
});

test('a rule whose operation a record lacks never parses the record', () => {
  const set = rulesFrom(auditRule('  sel:\n    Operation: Set-Mailbox\n    Parameters.X: y\n  condition: sel'));
  const evaluator = createEvaluator(set);
  const before = RecordView.parses;
  evaluator.push([stored(spFile('FileDownloaded'))]);
  assert.equal(RecordView.parses, before);
});

test('a value a JSON writer wrote as \\u escapes still matches (the raw-text prefilter lets it through)', () => {
  // Go's encoding/json, .NET's System.Text.Json and Windows PowerShell's ConvertTo-Json write & < > ' as
  // \u0026 \u003c \u003e \u0027: the literal is not in the raw text, the parsed field holds it.
  const plain = spFile('FileAccessed', { SiteUrl: "https://contoso.sharepoint.com/sites/R&D-O'Neil/" });
  const escaped = { ...plain, raw: plain.raw.replaceAll('&', '\\u0026').replaceAll("'", '\\u0027') };
  assert.notEqual(escaped.raw, plain.raw);
  assert.equal(
    (JSON.parse(escaped.raw) as { SiteUrl: string }).SiteUrl,
    "https://contoso.sharepoint.com/sites/R&D-O'Neil/",
  );
  for (const r of [plain, escaped]) {
    assert.ok(fires('  sel:\n    SiteUrl|contains: R&D\n  condition: sel', r), r.raw);
    assert.ok(fires('  sel:\n    SiteUrl|contains|all: [R&D, "O\'Neil"]\n  condition: sel', r), r.raw);
    assert.ok(!fires('  sel:\n    SiteUrl|contains: R&E\n  condition: sel', r), r.raw);
  }
  // A record with no ASCII written as an escape (a non-ASCII one changes nothing) is still ruled out unparsed.
  const cafe = spFile('FileAccessed', { SiteUrl: 'https://contoso.sharepoint.com/sites/caf\u00e9/' });
  const set = rulesFrom(auditRule('  sel:\n    SiteUrl|contains: R&E\n  condition: sel'));
  const before = RecordView.parses;
  createEvaluator(set).push([stored({ ...cafe, raw: cafe.raw.replace('\u00e9', '\\u00e9') })]);
  assert.equal(RecordView.parses, before);
});

test('keywords and Payload match a record stored with \\u escapes (before ADR 0011 unescaped raw) as a new one', () => {
  const fresh = spFile('FileAccessed', { SiteUrl: 'https://contoso.sharepoint.com/sites/Équipe Café R&D/' });
  assert.ok(fresh.raw.includes('Équipe Café R&D'), 'normalization stores the characters');
  // As a Python collector wrote it (ensure_ascii) and the store kept it before: escapes in raw.
  const old = { ...fresh, raw: fresh.raw.replaceAll('Équipe Café', '\\u00c9quipe Caf\\u00e9') };
  assert.ok(!old.raw.includes('Café'));
  for (const r of [fresh, old]) {
    assert.ok(fires("  keywords:\n    - 'équipe café r&d'\n  condition: keywords", r), r.raw);
    assert.ok(fires("  sel:\n    Payload|contains: 'café r&d'\n  condition: sel", r), r.raw);
    assert.ok(!fires("  keywords:\n    - 'café r&e'\n  condition: keywords", r), r.raw);
  }
});

test('the raw-text prefilter: a quote written \\u0022 keeps it; JSON inside a string keeps its own escapes and is let through', () => {
  // System.Text.Json writes `"` as \u0022, which normalization keeps (JSON needs the quote escaped).
  const quoted = spFile('FileAccessed', { SiteUrl: 'https://contoso.sharepoint.com/sites/say "hi"/' });
  const dotnet = { ...quoted, raw: quoted.raw.replace('\\"hi\\"', '\\u0022hi\\u0022') };
  assert.ok(dotnet.raw.includes('\\u0022hi'));
  assert.ok(fires('  sel:\n    SiteUrl|contains: say\n  condition: sel', dotnet));
  const before = RecordView.parses;
  createEvaluator(rulesFrom(auditRule('  sel:\n    SiteUrl|contains: R&E\n  condition: sel'))).push([stored(dotnet)]);
  assert.equal(RecordView.parses, before, 'ruled out unparsed');
  // A JSON value held in a string, written by .NET: its \u0026 is one level down (\\u0026 in raw), never unescaped.
  const nested = spFile('FileAccessed', { Data: JSON.stringify({ an: 'R&D' }).replace('&', '\\u0026') });
  assert.ok(nested.raw.includes('\\\\u0026'), nested.raw);
  assert.ok(fires('  sel:\n    Data.an|contains: R&D\n  condition: sel', nested), nested.raw);
});

test('many rules on one record parse its AuditData once', () => {
  const texts = ['ForwardTo', 'DeleteMessage', 'MarkAsRead'].map((p, i) =>
    auditRule(`  sel:\n    Operation: New-InboxRule\n    Parameters.${p}|exists: true\n  condition: sel`).replace(
      '0001',
      `000${i + 2}`,
    ),
  );
  const set = rulesFrom(...texts);
  const before = RecordView.parses;
  const hits = createEvaluator(set).push([
    stored(
      exchangeAdmin('New-InboxRule', { Identity: 'r', ForwardTo: 'a@b.c', DeleteMessage: 'True', MarkAsRead: 'True' }),
    ),
  ]);
  assert.equal(hits.length, 3);
  assert.equal(RecordView.parses - before, 1);
});

test('hits carry the rule, tenant, record id, times and facts', () => {
  const r = exchangeAdmin('Set-Mailbox', { Identity: 'adele', ForwardingSmtpAddress: 'smtp:x@evil.example' });
  const set = rulesFrom(
    auditRule(
      '  sel:\n    Operation: Set-Mailbox\n  condition: sel',
      'fields:\n  - Parameters.ForwardingSmtpAddress\n',
    ),
  );
  const [hit] = hitsOf(set, [r]);
  assert.equal(hit?.ruleId, '00000000-0000-4000-8000-000000000001');
  assert.deepEqual(hit?.recordIds, [r.id]);
  assert.equal(hit?.severity, 'high');
  assert.equal(hit?.groupKey, '');
  assert.equal(hit?.firstSeen, r.creationTime);
  assert.equal(hit?.facts['Parameters.ForwardingSmtpAddress'], 'smtp:x@evil.example');
  assert.equal(hit?.facts.operation, 'Set-Mailbox');
});
