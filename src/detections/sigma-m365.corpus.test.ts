import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, corpusSkip } from '../../test/support/paths.js';
import type { StoredRecord } from '../core/record.js';
import { normalizeRecord } from '../ingest/normalize.js';
import { nv, signIn, TENANT, toRecord, WHEN } from '../reports/testing/builders.js';
import { createEvaluator } from './evaluator.js';
import { loadRuleSet } from './loader.js';
import type { RuleSet } from './types.js';
import { stored } from './testing/rules.js';

/**
 * SigmaHQ's m365 rules (corpus/sigma-m365, 21 files): every one loads and maps to audit records, and
 * run over every audit record in the corpus they fire exactly on the records they were written for.
 * Where the corpus has no record for a rule, a record built with the test builders stands in.
 */
const skip = corpusSkip;

function sigmaRules(): RuleSet {
  return loadRuleSet({ builtin: false, paths: [join(corpusDir, 'sigma-m365')] });
}

/** Every corpus record we can read, its id replaced by where it came from (Sekoia anonymises Ids). */
function corpusRecords(): StoredRecord[] {
  const out: StoredRecord[] = [];
  const add = (raw: unknown, src: string): void => {
    const r = normalizeRecord(raw as Record<string, unknown>, { source: 'import', tenant: 'corpus' });
    if (r.ok) out.push({ ...stored(r.record), id: src });
  };
  const sekoia = join(corpusDir, 'sekoia-intake-formats-o365');
  for (const f of readdirSync(sekoia).sort()) {
    const pair = JSON.parse(readFileSync(join(sekoia, f), 'utf8')) as { input: { message: string } };
    add(JSON.parse(pair.input.message), `sekoia/${f}`);
  }
  const ndjson = [
    'splunk-security-content-o365/data_sources/example_logs.ndjson',
    'plaso-test-data/microsoft_audit_log.jsonl',
    'elastic-integrations-o365-edgecases/test-exchange-admin-events.first-page.ndjson',
    'elastic-integrations-o365-edgecases/test-azuread-sts-logon-events.first-page.ndjson',
    'elastic-integrations-o365-edgecases/test-exchange-item-events.first-page.ndjson',
    'elastic-integrations-o365-edgecases/test-exchange-item-edge-cases.o365audit.ndjson',
    'microsoft-docs-o365-mgmt-api/office-365-management-activity-api-reference.examples.ndjson',
  ];
  for (const f of ndjson)
    readFileSync(join(corpusDir, f), 'utf8')
      .split('\n')
      .forEach((line, i) => line.trim() && add(JSON.parse(line), `${f}#${i + 1}`));
  return out;
}

test('every SigmaHQ m365 rule loads, maps to audit records, and names no unknown field', { skip }, () => {
  const set = sigmaRules();
  assert.deepEqual(set.problems, []);
  assert.equal(set.rules.length, 21);
  assert.ok(set.rules.every((r) => r.applies));
});

test('SigmaHQ rules fire on the corpus records they were written for, and on no other', { skip }, () => {
  const records = corpusRecords();
  assert.ok(records.length > 100, `${records.length} corpus records`);
  const evaluator = createEvaluator(sigmaRules(), { lateness: Infinity });
  const hits = [...evaluator.push(records), ...evaluator.flush()];
  const fired = hits.map((h) => `${h.title} <= ${h.recordIds.join(' ')}`).sort();
  assert.deepEqual(fired, [
    'Disabling Multi Factor Authentication <= splunk-security-content-o365/data_sources/example_logs.ndjson#9',
    'Inbox Rules Creation Or Update Activity in O365 <= sekoia/inbox_rule.json',
    'Mail Forwarding/Redirecting Activity In O365 <= sekoia/inbox_rule.json',
    'Mail Forwarding/Redirecting Activity In O365 <= sekoia/operation_properties_01.json',
    'Mail Forwarding/Redirecting Activity In O365 <= sekoia/operation_properties_02.json',
    'Mail Forwarding/Redirecting Activity In O365 <= sekoia/operation_properties_03.json',
    'Mail Forwarding/Redirecting Activity In O365 <= splunk-security-content-o365/data_sources/example_logs.ndjson#13',
    'Microsoft 365 - User Restricted from Sending Email <= sekoia/security_compliance_alert_8.json',
  ]);
});

/** A Security & Compliance alert record (RecordType 40) as Defender / Cloud App Security writes it. */
function alert(name: string) {
  return toRecord({
    CreationTime: WHEN,
    Id: randomUUID(),
    OrganizationId: TENANT,
    RecordType: 40,
    Workload: 'SecurityComplianceCenter',
    Operation: 'AlertTriggered',
    ResultStatus: 'Succeeded',
    UserId: 'SecurityComplianceAlerts',
    UserType: 4,
    Name: name,
    Category: 'ThreatManagement',
    Status: 'Active',
  });
}

test('SigmaHQ rules without a corpus record fire on built records, and not on near misses', { skip }, () => {
  const set = sigmaRules();
  const titlesOf = (record: ReturnType<typeof alert>) =>
    createEvaluator(set, { lateness: Infinity })
      .push([stored(record)])
      .map((h) => h.title);
  assert.deepEqual(titlesOf(alert('Impossible travel activity')), ['Microsoft 365 - Impossible Travel Activity']);
  assert.deepEqual(titlesOf(alert('Suspicious inbox forwarding')), ['Suspicious Inbox Forwarding']);
  assert.deepEqual(titlesOf(alert('Phish delivered due to an ETR override')), []);
  const tokensmith = signIn(false, {
    ApplicationId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223',
    ObjectId: '00000003-0000-0000-c000-000000000000',
    ExtendedProperties: nv({ RequestType: 'Cmsi:Cmsi', ResultStatusDetail: 'Success' }),
  });
  assert.deepEqual(titlesOf(tokensmith), ['Azure Login Bypassing Conditional Access Policies']);
  assert.deepEqual(
    titlesOf({
      ...tokensmith,
      objectId: '0000000a-0000-0000-c000-000000000000',
      raw: tokensmith.raw.replace('00000003-0000-0000', '0000000a-0000-0000'),
    }),
    [],
  );
  const ti = (action: string) =>
    toRecord({
      CreationTime: WHEN,
      Id: randomUUID(),
      OrganizationId: TENANT,
      RecordType: 28,
      Workload: 'ThreatIntelligence',
      Operation: 'TIMailData',
      UserId: 'x',
      Directionality: 'Inbound',
      DeliveryAction: action,
    });
  assert.deepEqual(titlesOf(ti('Delivered')), ['Suspicious Email Delivered In Microsoft 365']);
  assert.deepEqual(titlesOf(ti('Blocked')), []);
  const cmdlet = (operation: string, parameters: string, workload = 'SecurityComplianceCenter', recordType = 18) =>
    toRecord({
      CreationTime: WHEN,
      Id: randomUUID(),
      OrganizationId: TENANT,
      RecordType: recordType,
      Workload: workload,
      Operation: operation,
      ResultStatus: 'True',
      UserId: 'adele@contoso.com',
      Parameters: parameters,
    });
  assert.deepEqual(titlesOf(cmdlet('New-ComplianceSearchAction', "-SearchName 'x' -Export -Format pst")), [
    'PST Export Alert Using New-ComplianceSearchAction',
  ]);
  assert.deepEqual(titlesOf(cmdlet('Add-FederatedDomain', '-DomainName evil.example', 'Exchange', 1)).sort(), [
    'New Federated Domain Added',
    'New Federated Domain Added - Exchange',
  ]);
});
