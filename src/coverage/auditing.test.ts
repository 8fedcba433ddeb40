import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PostureSnapshot } from '../store/contract.js';
import { auditingFact, readAuditingFacts } from './auditing.js';

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
