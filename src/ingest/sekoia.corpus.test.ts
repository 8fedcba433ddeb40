import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, corpusSkip } from '../../test/support/paths.js';
import type { AuditRecord } from '../core/record.js';
import { normalizeRecord } from './normalize.js';
import { unescapeJsonText } from '../core/json-unescape.js';

/**
 * Sekoia's 73 parser ground-truth pairs (corpus/sekoia-intake-formats-o365): our normalization of each
 * input must give Sekoia's timestamp, operation, record type, workload, organization, user, outcome and
 * source ip/port — except where we deliberately follow another convention, listed here with the reason.
 */
type Field = 'time' | 'operation' | 'recordType' | 'workload' | 'organization' | 'user' | 'outcome' | 'ip' | 'port';

const WHY = {
  entraPeriod:
    'we keep the Operation exactly as Microsoft emits it ("Update user."), so searches by exact name and the activity catalogue match; Sekoia strips the trailing period',
  deliveryAction:
    'Operation is TIMailData; Sekoia reports the DeliveryAction ("Blocked") as the action, we keep Operation and leave DeliveryAction in the raw record',
  alertUser:
    'UserId of alert records is the fixed value SecurityComplianceAlerts (schema.md quirk 12); Sekoia takes the user from the alert Data, which reports read from the raw record',
  guestUser:
    'UserId is kept as given (urn:spo:guest#…) so a search for the exact UserId finds it; Sekoia strips the guest prefix',
  safeLinksIp:
    "a Safe Links click (TIUrlClickData) carries the clicking user's address in UserIp (schema.md quirk 4); we use it as the client address, Sekoia leaves it out",
  alertStatus:
    'ResultStatus "New" is an alert state, not a result: our outcome is unknown where Sekoia assumes success',
} as const;

const DEVIATIONS: Record<string, Partial<Record<Field, string>>> = {
  'ad_2.json': { operation: WHY.entraPeriod },
  'add_member_to_role.json': { operation: WHY.entraPeriod },
  'event_add_application.json': { operation: WHY.entraPeriod },
  'remove_member_from_role.json': { operation: WHY.entraPeriod },
  'update_group.json': { operation: WHY.entraPeriod },
  'update_user.json': { operation: WHY.entraPeriod },
  'update_user_empty_source_ip.json': { operation: WHY.entraPeriod },
  'microsoft_defender_threatintelligence_mail.json': { operation: WHY.deliveryAction },
  'external_user.json': { user: WHY.guestUser },
  'microsoft_defender_threatintelligence_url_click.json': { ip: WHY.safeLinksIp },
  'mcas_alert.json': { outcome: WHY.alertStatus },
  'email_reported.json': { user: WHY.alertUser },
  'extra_fields_1.json': { user: WHY.alertUser },
  'extra_fields_2.json': { user: WHY.alertUser },
  'extra_fields_3.json': { user: WHY.alertUser },
  'mass_download.json': { user: WHY.alertUser },
  'security_compliance_alert.json': { user: WHY.alertUser },
  'security_compliance_alert_2.json': { user: WHY.alertUser },
  'security_compliance_alert_3.json': { user: WHY.alertUser },
  'security_compliance_alert_4.json': { user: WHY.alertUser },
  'security_compliance_alert_5.json': { user: WHY.alertUser },
  'security_compliance_alert_7.json': { user: WHY.alertUser },
  'security_compliance_alert_8.json': { user: WHY.alertUser },
  'security_compliance_alert_malicious_url.json': { user: WHY.alertUser },
  'test_cloud_app_security_alert.json': { user: WHY.alertUser },
};

interface Expected {
  '@timestamp': string;
  event?: { action?: string; outcome?: string };
  office365?: { record_type?: number };
  service?: { name?: string };
  organization?: { id?: string };
  user?: { name?: string };
  source?: { ip?: string; port?: number | string };
}

const folder = join(corpusDir, 'sekoia-intake-formats-o365');
const files = corpusSkip
  ? []
  : readdirSync(folder)
      .filter((f) => f.endsWith('.json'))
      .sort();

function ours(record: AuditRecord): Record<Field, unknown> {
  return {
    time: record.creationTime,
    operation: record.operation,
    recordType: record.recordType,
    workload: record.workload,
    organization: record.organizationId,
    user: record.userId,
    outcome: record.outcome,
    ip: record.clientIp,
    port: record.clientPort,
  };
}

function theirs(e: Expected): Record<Field, unknown> {
  return {
    time: Date.parse(e['@timestamp']),
    operation: e.event?.action ?? null,
    recordType: e.office365?.record_type ?? null,
    workload: e.service?.name ?? null,
    organization: e.organization?.id ?? null,
    user: e.user?.name ?? null,
    outcome: e.event?.outcome ?? null,
    ip: e.source?.ip ?? null,
    port: e.source?.port === undefined ? null : Number(e.source.port),
  };
}

test('all 73 Sekoia pairs are present', { skip: corpusSkip }, () => {
  assert.equal(files.length, 73);
});

for (const file of files) {
  test(`Sekoia ${file}`, { skip: corpusSkip }, () => {
    const pair = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
      input: { message: string };
      expected: Expected;
    };
    const result = normalizeRecord(pair.input.message, { source: 'import' });
    if (!result.ok) assert.fail(`rejected: ${result.reason}`);
    // The message as received but for its needless \u escapes, written as their characters (ADR 0011).
    assert.equal(result.record.raw, unescapeJsonText(pair.input.message));
    assert.deepEqual(JSON.parse(result.record.raw), JSON.parse(pair.input.message));
    if (file === 'power_bi.json') assert.match(result.record.raw, /"WorkSpaceName":"Tableau de Bord Stratégique"/);
    const a = ours(result.record);
    const b = theirs(pair.expected);
    const deviations = DEVIATIONS[file] ?? {};
    for (const field of Object.keys(a) as Field[]) {
      if (deviations[field]) {
        assert.notDeepEqual(
          a[field],
          b[field],
          `${field} is listed as a deviation but agrees: remove it from DEVIATIONS`,
        );
        continue;
      }
      assert.deepEqual(a[field], b[field], `${field} differs`);
    }
  });
}
