import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { enableScript } from './powershell.js';
import { CMDLET_PARAMETERS, DOCUMENTED_OUTSIDE_SPEC } from './cmdlets.js';
import { validAuditActions } from './baseline.js';

const spec = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'spec', 'microsoft-apis.md');
const tenant = { name: 'contoso', domain: 'contoso.onmicrosoft.com', tenantId: '11111111-1111-1111-1111-111111111111' };

/** Every `Verb-Noun -Param` use in a script (pipelines and script blocks included). */
function parameterUses(script: string): { cmdlet: string; parameter: string }[] {
  const uses: { cmdlet: string; parameter: string }[] = [];
  for (const line of script.split('\n').filter((l) => !l.trimStart().startsWith('#'))) {
    for (const segment of line.split(/[|{};]/)) {
      const m = /\b([A-Z][a-z]+-[A-Za-z]+)\b(.*)$/.exec(segment);
      if (!m || !(m[1]! in CMDLET_PARAMETERS)) continue;
      for (const p of m[2]!.matchAll(/\s-([A-Za-z]+)/g)) uses.push({ cmdlet: m[1]!, parameter: p[1]! });
    }
  }
  return uses;
}

test('the generated script uses only the known cmdlet parameters', () => {
  for (const options of [
    { mailboxes: 'all' as const, ageLimitDays: 180 },
    { mailboxes: ["o'brien@contoso.com", 'a@contoso.com'] },
  ]) {
    const script = enableScript(tenant, options);
    const uses = parameterUses(script);
    assert.ok(uses.length >= 8, 'the script sets parameters');
    for (const { cmdlet, parameter } of uses) {
      assert.ok(CMDLET_PARAMETERS[cmdlet]!.includes(parameter), `${cmdlet} -${parameter} is not a known parameter`);
    }
    for (const needed of [
      'Connect-ExchangeOnline',
      'Set-AdminAuditLogConfig',
      'Set-OrganizationConfig',
      'Set-Mailbox',
      'Search-UnifiedAuditLog',
    ]) {
      assert.ok(script.includes(needed), `script runs ${needed}`);
    }
  }
  assert.match(
    enableScript(tenant, { mailboxes: ["o'brien@contoso.com"] }),
    /'o''brien@contoso\.com'/,
    'single quotes are escaped',
  );
});

test(
  'every parameter in the cmdlet table is named in the spec beside its cmdlet',
  { skip: existsSync(spec) ? false : 'shared/spec is not beside the checkout' },
  () => {
    const text = readFileSync(spec, 'utf8');
    const searchTable = text.slice(text.indexOf('### 4.1 Parameters'), text.indexOf('### 4.2'));
    for (const [cmdlet, parameters] of Object.entries(CMDLET_PARAMETERS)) {
      assert.ok(text.includes(cmdlet), `${cmdlet} appears in the spec`);
      for (const p of parameters) {
        const nearby =
          cmdlet === 'Search-UnifiedAuditLog'
            ? searchTable.includes(p)
            : text
                .split('\n')
                .some(
                  (line) =>
                    line.includes(cmdlet) &&
                    (line.includes(`-${p}`) || line.includes(`"${p}"`) || line.includes(`\`${p}\``)),
                );
        const mailboxProps =
          cmdlet === 'Set-Mailbox' &&
          /Objects carry `AuditEnabled`, `AuditLogAgeLimit`, `AuditOwner`, `AuditDelegate`, `AuditAdmin`/.test(text);
        const elsewhere = DOCUMENTED_OUTSIDE_SPEC[cmdlet]?.includes(p) ?? false;
        assert.ok(nearby || mailboxProps || elsewhere, `${cmdlet} -${p} is named in the spec`);
      }
    }
  },
);

test('the script never lowers an age limit: it compares before it sets, and only raises', () => {
  const script = enableScript(tenant, { mailboxes: 'all', ageLimitDays: 180 });
  assert.match(script, /\$ageLimit = \[TimeSpan\]::FromDays\(180\)/);
  const setAge = script.split('\n').filter((l) => l.includes('-AuditLogAgeLimit'));
  assert.equal(setAge.length, 1, 'one place sets the age limit');
  assert.match(
    setAge[0]!,
    /^\s*if \(\[TimeSpan\]\$mbx\.AuditLogAgeLimit -lt \$ageLimit\) \{ \$mbx \| Set-Mailbox -AuditLogAgeLimit 180 \}$/,
  );
  // Every other change is guarded by a read of the same setting.
  for (const line of script
    .split('\n')
    .filter((l) => /Set-(AdminAuditLogConfig|OrganizationConfig|Mailbox)\b/.test(l))) {
    assert.match(line, /^\s*if \(/, `guarded: ${line}`);
  }
  assert.doesNotMatch(enableScript(tenant, { mailboxes: 'all' }), /AuditLogAgeLimit/, 'no age limit asked, none set');
});

test("the script connects to the customer's tenant, not the partner's own", () => {
  assert.match(
    enableScript(tenant, { mailboxes: 'all' }),
    /^Connect-ExchangeOnline -DelegatedOrganization 'contoso\.onmicrosoft\.com'$/m,
  );
  assert.match(
    enableScript({ ...tenant, domain: null }, { mailboxes: 'all' }),
    /^Connect-ExchangeOnline -DelegatedOrganization '11111111-1111-1111-1111-111111111111'$/m,
  );
});

test('audit action names are validated: spelled as Exchange spells them, a typo refused with close names', () => {
  assert.deepEqual(validAuditActions('owner', ['mailitemsaccessed', 'HardDelete']), [
    'MailItemsAccessed',
    'HardDelete',
  ]);
  assert.throws(
    () => validAuditActions('owner', ['MailItemAccessed']),
    (e: Error & { hint?: string }) =>
      /not a mailbox audit action/.test(e.message) && /MailItemsAccessed/.test(e.hint ?? ''),
  );
  assert.throws(() => validAuditActions('owner', ['SendAs']), /not a mailbox audit action for owners/);
  assert.deepEqual(validAuditActions('delegate', ['SendAs']), ['SendAs']);
});
