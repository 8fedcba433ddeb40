import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import type { AuditRecord } from '../src/core/record.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { runReport } from '../src/reports/registry.js';
import { fixtureStore } from '../src/reports/testing/store.js';
import { corpusDir, corpusSkip } from './support/paths.js';

/**
 * The reports over real records written by others (shared/corpus): Splunk's example logs and the
 * Sekoia parser fixtures. Each inbox-rule, forwarding, MFA and consent record must be found by its
 * report, and the Set-Mailbox that CLEARS forwarding (ForwardingAddress "") must not be forwarding.
 */
function load(): AuditRecord[] {
  const texts: string[] = readFileSync(
    join(corpusDir, 'splunk-security-content-o365/data_sources/example_logs.ndjson'),
    'utf8',
  )
    .split('\n')
    .filter(Boolean);
  for (const f of [
    'inbox_rule',
    'operation_properties_01',
    'operation_properties_02',
    'operation_properties_03',
    'ad_2',
    'add_member_to_role',
  ]) {
    const fixture = JSON.parse(readFileSync(join(corpusDir, 'sekoia-intake-formats-o365', `${f}.json`), 'utf8')) as {
      input: { message: string };
    };
    texts.push(fixture.input.message);
  }
  return texts.map((t, i) => {
    const r = normalizeRecord(t, { source: 'import', tenant: 'corpus' });
    assert.ok(r.ok, `corpus record ${i}: ${r.ok ? '' : r.reason}`);
    return { ...r.record, id: r.record.id === 'ANONYMIZED' ? `anon-${i}` : r.record.id };
  });
}

const params = { start: '2015-01-01', end: '2030-01-01' };

async function run(id: string, records: AuditRecord[]) {
  const store = await fixtureStore(records);
  try {
    return await runReport(id, params, { store, clock: new ManualClock('2026-01-01') });
  } finally {
    await store.close();
  }
}

const ofOp = (records: AuditRecord[], op: string) => records.filter((r) => r.operation === op);

test(
  'inbox-rules: every inbox-rule record is found; outside forwarding is flagged; the cleared forwarding is not reported',
  { skip: corpusSkip },
  async () => {
    const records = load();
    const result = await run('inbox-rules', records);
    const ids = new Set(result.rows.map((r) => r.id));
    const rules = [...ofOp(records, 'New-InboxRule'), ...ofOp(records, 'UpdateInboxRules')];
    assert.equal(rules.length, 4);
    for (const r of rules) assert.ok(ids.has(r.id), `${r.operation} ${r.id}`);
    const cleared = ofOp(records, 'Set-Mailbox');
    assert.equal(cleared.length, 1);
    assert.ok(!ids.has(cleared[0]!.id), 'the Set-Mailbox with ForwardingAddress "" is not forwarding');
    const sekoia = result.rows.find((r) => r.operation === 'New-InboxRule');
    assert.match(String(sekoia?.findings), /forwards outside the organization to bob@example\.org/);
    assert.match(String(sekoia?.findings), /redirects outside the organization to joe@example\.org/);
    assert.match(
      String(sekoia?.findings),
      /deletes messages.*moves messages to Historique des conversations.*marks messages as read/,
    );
  },
);

test(
  'sign-ins: the MFA records (Disable Strong Authentication, StrongAuthentication updates) are found',
  { skip: corpusSkip },
  async () => {
    const records = load();
    const result = await run('sign-ins', records);
    const mfa = new Set(result.rows.filter((r) => r.kind === 'mfa').map((r) => r.id));
    const expected = [
      ...ofOp(records, 'Disable Strong Authentication.'),
      ...ofOp(records, 'Update user.').filter((r) => r.raw.includes('StrongAuthentication')),
    ];
    assert.equal(expected.length, 2);
    for (const r of expected) assert.ok(mfa.has(r.id), `${r.operation} ${r.id}`);
    assert.ok(result.rows.some((r) => r.kind === 'sign-ins' && Number(r.failures) >= 1));
  },
);

test(
  'app-consent: both consent records, the service principal and the app role assignments are found',
  { skip: corpusSkip },
  async () => {
    const records = load();
    const result = await run('app-consent', records);
    const ids = new Set(result.rows.map((r) => r.id));
    const expected = records.filter((r) =>
      /^(Consent to application\.|Add service principal\.|Add app role assignment)/.test(r.operation),
    );
    assert.equal(ofOp(records, 'Consent to application.').length, 2);
    for (const r of expected) assert.ok(ids.has(r.id), `${r.operation} ${r.id}`);
    const admin = result.rows.find((r) => r.kind === 'consent' && r.adminConsent === true);
    assert.equal(admin?.permissions, 'User.Read');
  },
);

test(
  'mailbox-access: the FullAccess grant and the folder permission change are found',
  { skip: corpusSkip },
  async () => {
    const records = load();
    const result = await run('mailbox-access', records);
    const ids = new Set(result.rows.map((r) => r.id));
    for (const r of [...ofOp(records, 'Add-MailboxPermission'), ...ofOp(records, 'ModifyFolderPermissions')])
      assert.ok(ids.has(r.id), r.operation);
  },
);
