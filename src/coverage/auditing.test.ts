import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PostureSnapshot } from '../store/contract.js';
import { auditingFact, readAuditingFacts, refusalText } from './auditing.js';

const AT = Date.UTC(2026, 2, 12, 12);
const snap = (body: unknown, tenant = 't1'): PostureSnapshot => ({ tenant, takenAt: AT, verdict: 'failing', body });

test('ingestion off: the tenant records nothing, and the note says an empty result means nothing', () => {
  const fact = auditingFact(
    { ...snap({ ualEnabled: false, orgAuditDisabled: false, mailboxes: null }), takenAt: AT + 970 },
    AT,
  );
  assert.deepEqual([fact.unifiedAuditLog, fact.mailboxAuditing, fact.recordsNothing], ['off', 'on', true]);
  assert.match(
    fact.note!,
    /^records nothing: unified audit log ingestion is off \(audit-config check of 2026-03-12T12:00:00Z\)/,
    'the time in whole seconds, as people read it',
  );
  assert.equal(fact.requested, null);
});

test('mailbox auditing off for the organization, or for some mailboxes, is said too', () => {
  const org = auditingFact(snap({ ualEnabled: true, orgAuditDisabled: true }), AT);
  assert.deepEqual([org.mailboxAuditing, org.recordsNothing], ['off', false]);
  assert.match(org.note!, /mailbox actions are not recorded: mailbox auditing is off for the organization/);
  const some = auditingFact(
    snap({ ualEnabled: true, orgAuditDisabled: false, mailboxes: { total: 5, auditDisabled: ['a@x', 'b@x'] } }),
    AT,
  );
  assert.equal(some.mailboxAuditing, 'some mailboxes off');
  assert.match(some.note!, /mailbox actions of 2 of 5 mailboxes are not recorded/);
  const healthy = auditingFact(
    snap({ ualEnabled: true, orgAuditDisabled: false, mailboxes: { total: 5, auditDisabled: [] } }),
    AT,
  );
  assert.equal(healthy.note, null);
});

test('never checked or an old snapshot body: unknown, with nothing claimed', async () => {
  assert.deepEqual([auditingFact(undefined, AT).unifiedAuditLog, auditingFact(undefined, AT).note], ['unknown', null]);
  assert.equal(auditingFact(snap(null), AT).unifiedAuditLog, 'unknown');
  const store = {
    posture: {
      latest: async () => [snap({ ualEnabled: false }, 'fabrikam')],
      save: async () => {},
      list: async () => [],
    },
  };
  const facts = await readAuditingFacts(
    store,
    [
      { tenantId: 'guid-f', name: 'fabrikam' },
      { tenantId: 'guid-c', name: 'contoso' },
    ],
    AT,
  );
  assert.equal(facts.get('guid-f')!.recordsNothing, true, 'an early snapshot keyed by name is matched');
  assert.equal(facts.get('guid-c')!.checkedAt, null);
});

test('a request to turn ingestion on that was sent without an answer is said so, not "applies within 60 minutes"', () => {
  const request = {
    kind: 'ual',
    target: 'organization',
    cmdlet: 'Set-AdminAuditLogConfig',
    parameters: { UnifiedAuditLogIngestionEnabled: true },
    description: 'turn unified audit log ingestion on',
    requestedAt: '2026-03-12T12:00:00Z',
    requestedBy: 'alice',
    appliesBy: '2026-03-12T13:00:00Z',
    status: 'pending',
  };
  const refused = { code: 'AUDIT_DISABLED', message: 'Auditing is off', hint: 'Turn it on' };
  const plain = auditingFact(snap({ ualEnabled: false, requests: [request] }), AT + 60_000);
  assert.match(
    refusalText(refused, plain),
    /requested at 2026-03-12T12:00:00Z by alice; Microsoft applies it within 60/,
  );
  const unanswered = auditingFact(snap({ ualEnabled: false, requests: [{ ...request, unconfirmed: true }] }), AT);
  assert.equal(unanswered.requested!.unconfirmed, true);
  assert.match(
    refusalText(refused, unanswered),
    /by alice, but no answer came from Exchange, so it may not have been made: collect again after 2026-03-12T13:00:00Z, and if it is still off, run tenantwatch audit-config enable again$/,
  );
  assert.match(unanswered.note!, /turning it on was requested at .+ by alice, but no answer came/);
  const late = auditingFact(
    snap({ ualEnabled: false, requests: [{ ...request, unconfirmed: true }] }),
    AT + 61 * 60_000,
  );
  assert.match(
    refusalText(refused, late),
    /without an answer from Exchange.*probably not made; run tenantwatch audit-config enable again$/,
  );
});
