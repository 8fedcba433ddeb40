import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY } from '../../src/core/time.js';
import { createSimulation } from './index.js';
import { ROLE_TEMPLATES } from './data.js';
import type { SimRecord } from './types.js';

const start = Date.UTC(2025, 5, 18, 9, 30, 0);
const sim = createSimulation({ seed: 11, start, users: 30, days: 7 });
const history = start - 7 * DAY;
const week = new Map(sim.tenants.map((t) => [t.tenantId, sim.records(t.tenantId, history, start)]));
const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const param = (r: SimRecord, name: string): string | undefined =>
  (r.record.Parameters as { Name: string; Value: string }[] | undefined)?.find((p) => p.Name === name)?.Value;
const modified = (r: SimRecord, name: string) =>
  (r.record.ModifiedProperties as { Name: string; NewValue: string; OldValue: string }[]).find((p) => p.Name === name);

/** "[v6]:port", "v4:port" or a bare address → the address. */
function bareIp(text: string): string {
  const bracketed = /^\[(.+)\](?::\d+)?$/.exec(text);
  if (bracketed) return bracketed[1]!;
  return /^\d+\.\d+\.\d+\.\d+:\d+$/.test(text) ? text.split(':')[0]! : text;
}

test('every record Id is unique across tenants and the week', () => {
  const ids = [...week.values()].flat().map((r) => r.record.Id);
  assert.equal(new Set(ids).size, ids.length);
});

test('each content type carries the operations the issue lists, within a week of one tenant', () => {
  const rs = week.get(sim.tenants[0]!.tenantId)!;
  const byType = new Map<string, Set<string>>();
  for (const r of rs) {
    if (!byType.has(r.contentType)) byType.set(r.contentType, new Set());
    byType.get(r.contentType)!.add(`${String(r.record.RecordType)} ${str(r.record.Operation)}`);
  }
  const want: Record<string, string[]> = {
    'Audit.Exchange': [
      '50 MailItemsAccessed',
      '2 Send',
      '2 SendAs',
      '3 SoftDelete',
      '3 HardDelete',
      '3 MoveToDeletedItems',
      '2 UpdateInboxRules',
      '3 FolderBind',
      '1 New-InboxRule',
      '1 Set-InboxRule',
      '1 Set-Mailbox',
      '1 Add-MailboxPermission',
      '1 Add-RecipientPermission',
      '1 Set-AdminAuditLogConfig',
      '1 New-TransportRule',
    ],
    'Audit.SharePoint': [
      '6 FileAccessed',
      '6 FileDownloaded',
      '6 FileModified',
      '6 FileUploaded',
      '6 FileDeleted',
      '6 FileRecycled',
      '4 PageViewed',
      '14 SharingSet',
      '14 SharingInvitationCreated',
      '14 AnonymousLinkCreated',
      '14 AddedToSecureLink',
      '4 SiteCollectionAdminAdded',
      '4 SharingPolicyChanged',
    ],
    'Audit.AzureActiveDirectory': [
      '15 UserLoggedIn',
      '15 UserLoginFailed',
      '8 Add user.',
      '8 Update user.',
      '8 Reset user password.',
      '8 Add member to role.',
      '8 Remove member from role.',
      '8 Add member to group.',
      '8 Consent to application.',
      '8 Add service principal.',
      '8 Add app role assignment to service principal.',
      '8 Update application – Certificates and secrets management ',
    ],
    'Audit.General': [
      '25 TeamCreated',
      '25 MemberAdded',
      '25 ChannelAdded',
      '25 MessageCreatedHasLink',
      '25 TeamsSessionStarted',
    ],
  };
  for (const [ct, list] of Object.entries(want)) {
    const have = byType.get(ct) ?? new Set();
    assert.deepEqual(
      list.filter((x) => !have.has(x)),
      [],
      `${ct} lacks these`,
    );
  }
  assert.ok(
    [...(byType.get('Audit.General') ?? [])].some((x) => x.startsWith('18 ')),
    'Security & Compliance cmdlets',
  );
});

test('role spans use real template ids and include a holder added and one removed during the week', () => {
  for (const t of sim.tenants) {
    const spans = sim.roles(t.tenantId);
    for (const s of spans) assert.equal(s.roleTemplateId, ROLE_TEMPLATES[s.role as keyof typeof ROLE_TEMPLATES]);
    assert.ok(spans.filter((s) => s.role === 'Global Administrator' && s.from < history).length >= 2);
    assert.ok(
      spans.some((s) => s.from >= history && s.from < start),
      'added during the week',
    );
    assert.ok(
      spans.some((s) => s.to !== null && s.to >= history && s.to < start),
      'removed during the week',
    );
  }
});

test('role-membership records agree with the role spans, at the same instants', () => {
  for (const t of sim.tenants) {
    const events = week
      .get(t.tenantId)!
      .filter((r) => r.record.Operation === 'Add member to role.' || r.record.Operation === 'Remove member from role.');
    const expected = sim
      .roles(t.tenantId)
      .flatMap((s) => [
        ...(s.from >= history && s.from < start ? [`add ${s.role} ${s.userPrincipalName} ${s.from}`] : []),
        ...(s.to !== null && s.to >= history && s.to < start
          ? [`remove ${s.role} ${s.userPrincipalName} ${s.to}`]
          : []),
      ]);
    const seen = events.map((r) => {
      const add = r.record.Operation === 'Add member to role.';
      const role = modified(r, 'Role.DisplayName')!;
      const target = (r.record.Target as { ID: string; Type: number }[]).find((x) => x.Type === 5)!.ID;
      assert.equal(r.record.ObjectId, target);
      return `${add ? 'add' : 'remove'} ${add ? role.NewValue : role.OldValue} ${target} ${r.creationTime}`;
    });
    assert.deepEqual(seen.sort(), expected.sort());
  }
});

test('admin actions are by holders of a role at that moment', () => {
  for (const t of sim.tenants) {
    const spans = sim.roles(t.tenantId);
    const adminOps = week.get(t.tenantId)!.filter((r) => r.record.RecordType === 1 && r.record.UserType === 2);
    assert.ok(adminOps.length > 0);
    for (const r of adminOps) {
      const held = spans.some(
        (s) =>
          s.userPrincipalName === r.record.UserId &&
          s.from <= r.creationTime &&
          (s.to === null || r.creationTime < s.to),
      );
      assert.ok(held, `${str(r.record.Operation)} by ${str(r.record.UserId)} at ${str(r.record.CreationTime)}`);
    }
  }
});

test('UserId, UserKey and ClientIP belong to the acting user', () => {
  for (const t of sim.tenants) {
    const users = new Map(t.users.map((u) => [u.userPrincipalName, u]));
    for (const r of week.get(t.tenantId)!) {
      const u = users.get(str(r.record.UserId));
      assert.ok(u, `unknown UserId ${str(r.record.UserId)}`);
      const key = str(r.record.UserKey);
      assert.ok(
        [u.puid, u.id, `${u.puid}@${t.domain}`, `i:0h.f|membership|${u.puid.toLowerCase()}@live.com`].includes(key),
        `UserKey ${key}`,
      );
      const ip = bareIp(str(r.record.ClientIP));
      assert.ok(
        u.homeIps.includes(ip) || ip.startsWith('198.51.100.'),
        `ClientIP ${str(r.record.ClientIP)} of ${u.userPrincipalName}`,
      );
    }
  }
});

test('mailbox auditing decides which mailbox records exist', () => {
  const orgOff = sim.tenants.find((t) => t.orgAuditDisabled)!;
  assert.equal(week.get(orgOff.tenantId)!.filter((r) => [2, 3, 50].includes(Number(r.record.RecordType))).length, 0);
  assert.ok(
    week.get(orgOff.tenantId)!.some((r) => r.record.RecordType === 1),
    'admin cmdlets are still audited',
  );
  const some = sim.tenants.find((t) => t.profile === 'mailboxes-off')!;
  const off = new Set(some.mailboxes.filter((m) => !m.auditEnabled).map((m) => m.userPrincipalName));
  const items = week.get(some.tenantId)!.filter((r) => [2, 3, 50].includes(Number(r.record.RecordType)));
  assert.ok(items.length > 0);
  assert.equal(items.filter((r) => off.has(str(r.record.MailboxOwnerUPN))).length, 0);
});

test('the week has the stories the reports look for', () => {
  const rs = [...week.values()].flat();
  const rules = rs.filter((r) => r.record.Operation === 'New-InboxRule');
  assert.ok(
    rules.some((r) => /@(gmail|outlook|proton|yahoo)/.test(param(r, 'ForwardTo') ?? '')),
    'forwarding outside',
  );
  assert.ok(rules.some((r) => param(r, 'DeleteMessage') === 'True'));
  assert.ok(rules.some((r) => param(r, 'MarkAsRead') === 'True'));
  assert.ok(
    rules.some((r) => (param(r, 'Name') ?? '').length === 1),
    'one-character name',
  );
  const fwd = rs.filter((r) => r.record.Operation === 'Set-Mailbox' && param(r, 'ForwardingSmtpAddress') !== undefined);
  assert.ok(
    fwd.some((r) => param(r, 'ForwardingSmtpAddress') === '') &&
      fwd.some((r) => param(r, 'ForwardingSmtpAddress')!.startsWith('smtp:')),
  );
  assert.ok(rs.some((r) => r.record.Operation === 'Set-Mailbox' && param(r, 'AuditEnabled') === 'False'));
  // a burst: one user downloading many files within one hour
  const downloads = new Map<string, number>();
  for (const r of rs.filter((x) => x.record.Operation === 'FileDownloaded')) {
    const k = `${str(r.record.UserId)} ${Math.floor(r.creationTime / 3_600_000)}`;
    downloads.set(k, (downloads.get(k) ?? 0) + 1);
  }
  assert.ok(Math.max(...downloads.values()) >= 30, 'mass download');
  // a password spray: many failures from one address
  const fails = new Map<string, number>();
  for (const r of rs.filter((x) => x.record.Operation === 'UserLoginFailed'))
    fails.set(str(r.record.ClientIP), (fails.get(str(r.record.ClientIP)) ?? 0) + 1);
  assert.ok(Math.max(...fails.values()) >= 20, 'failures from one address');
});
