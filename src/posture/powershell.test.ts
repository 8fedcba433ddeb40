import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { enableScript } from './powershell.js';
import { CMDLET_PARAMETERS } from './cmdlets.js';

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
        assert.ok(nearby || mailboxProps, `${cmdlet} -${p} is named in the spec`);
      }
    }
  },
);
