import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../core/errors.js';
import { recordingLogger } from '../../core/log.js';
import type { RoleHolderSource } from '../../analysis/roles/source.js';
import { DOMAIN, TENANT, entra, exchangeAdmin, roleChange, spFile } from '../testing/builders.js';
import { idsOf, rowIds, runOver } from '../testing/harness.js';
import { adminActivity } from './report.js';

const admin = `admin@${DOMAIN}`;
const temp = `temp@${DOMAIN}`;
const by = (user: string, when: string) => ({ UserId: user, CreationTime: when });

test('audit-log source: an admin added before the period counts; actions of non-holders and non-admin actions do not', async () => {
  const added = roleChange('add', admin, 'Global Administrator', { CreationTime: '2026-01-01T00:00:00' });
  const cmdlet = exchangeAdmin('Set-Mailbox', { Identity: 'megan' }, by(admin, '2026-03-09T10:00:00'));
  const entraChange = entra('Update user.', by(admin, '2026-03-09T11:00:00'));
  const spAdmin = spFile('SiteCollectionAdminAdded', { ...by(admin, '2026-03-09T12:00:00'), RecordType: 4 });
  const fileRead = spFile('FileAccessed', by(admin, '2026-03-09T13:00:00'));
  const notAdmin = exchangeAdmin('Set-Mailbox', {}, by(`megan@${DOMAIN}`, '2026-03-09T10:00:00'));
  const result = await runOver(adminActivity, [added, cmdlet, entraChange, spAdmin, fileRead, notAdmin]);
  assert.deepEqual(rowIds(result), idsOf([cmdlet, entraChange, spAdmin]));
  assert.equal(result.summary.totals.roleSource, 'audit-log');
  assert.equal(result.rows.find((r) => r.id === spAdmin.id)?.category, 'SharePoint admin');
});

test('holders added or removed during the period count only while they held the role', async () => {
  const add = roleChange('add', temp, 'Global Administrator', { CreationTime: '2026-03-08T00:00:00' });
  const remove = roleChange('remove', temp, 'Global Administrator', { CreationTime: '2026-03-10T00:00:00' });
  const before = exchangeAdmin('Set-Mailbox', {}, by(temp, '2026-03-07T00:00:00'));
  const during = exchangeAdmin('Set-Mailbox', {}, by(temp, '2026-03-09T00:00:00'));
  const after = exchangeAdmin('Set-Mailbox', {}, by(temp, '2026-03-11T00:00:00'));
  const result = await runOver(adminActivity, [add, remove, before, during, after]);
  // the role change records themselves were made by adele, who is no holder
  assert.deepEqual(rowIds(result), idsOf([during]));
});

test('other roles by parameter; Global Administrator alone ignores them', async () => {
  const add = roleChange('add', temp, 'Exchange Administrator', { CreationTime: '2026-03-01T00:00:00' });
  const act = exchangeAdmin('New-TransportRule', {}, by(temp, '2026-03-09T00:00:00'));
  assert.deepEqual(rowIds(await runOver(adminActivity, [add, act])), []);
  assert.deepEqual(
    rowIds(await runOver(adminActivity, [add, act], { roles: ['Global Administrator', 'exchange administrator'] })),
    idsOf([act]),
  );
});

test('Graph source: current holders count for the whole period, refined by logged removals; the source is named', async () => {
  const graph: RoleHolderSource = {
    holders: async (tenant) => {
      assert.equal(tenant, TENANT);
      return {
        source: 'graph',
        holders: [{ userPrincipalName: admin, role: 'Global Administrator', from: null, to: null }],
      };
    },
  };
  const act = exchangeAdmin('Set-Mailbox', {}, by(admin, '2026-03-06T00:00:00'));
  const removedAdd = roleChange('add', temp, 'Global Administrator', { CreationTime: '2026-03-01T00:00:00' });
  const removed = roleChange('remove', temp, 'Global Administrator', { CreationTime: '2026-03-09T00:00:00' });
  const tempAct = exchangeAdmin('Set-Mailbox', {}, by(temp, '2026-03-08T00:00:00'));
  const result = await runOver(adminActivity, [act, removedAdd, removed, tempAct], {}, { roleSource: graph });
  assert.deepEqual(rowIds(result), idsOf([act, tempAct]));
  assert.equal(result.summary.totals.roleSource, 'graph');
});

test('Graph refused (permission missing): falls back to the audit log and says so, once', async () => {
  const refused: RoleHolderSource = {
    holders: async () => Promise.reject(new AppError('PERMISSION_MISSING', 'no RoleManagement.Read.Directory')),
  };
  const add = roleChange('add', admin, 'Global Administrator', { CreationTime: '2026-01-01T00:00:00' });
  const act = exchangeAdmin('Set-Mailbox', {}, by(admin, '2026-03-06T00:00:00'));
  const logger = recordingLogger();
  const result = await runOver(adminActivity, [add, act], {}, { roleSource: refused, logger });
  assert.deepEqual(rowIds(result), idsOf([act]));
  assert.equal(result.summary.totals.roleSource, 'audit-log');
  assert.match(
    String(result.summary.totals.roleSourceNotes),
    new RegExp(`tenant ${TENANT}: Graph not used \\(PERMISSION_MISSING`),
  );
  // It says what to do, not only what failed.
  assert.match(String(result.summary.totals.roleSourceNotes), /tenantwatch tenant check /);
  // The note is the warning (the CLI prints it, the console shows it): a warn log would say it a second time.
  assert.deepEqual(
    logger.entries.filter((e) => e.level === 'warn'),
    [],
  );
  assert.ok(
    logger.entries.some((e) => e.level === 'info' && (e.obj as { code?: string }).code === 'PERMISSION_MISSING'),
  );
});

test('scope=all includes everything a holder did', async () => {
  const add = roleChange('add', admin, 'Global Administrator', { CreationTime: '2026-01-01T00:00:00' });
  const fileRead = spFile('FileAccessed', by(admin, '2026-03-09T13:00:00'));
  assert.deepEqual(rowIds(await runOver(adminActivity, [add, fileRead], { scope: 'all' })), idsOf([fileRead]));
});

test('a role no tenant can have is said with the names perhaps meant; built-in and logged custom roles are not', async () => {
  const custom = roleChange('add', temp, 'Mail Forwarding Auditors', { CreationTime: '2026-03-01T00:00:00' });
  const act = exchangeAdmin('Set-Mailbox', {}, by(temp, '2026-03-09T00:00:00'));
  const result = await runOver(adminActivity, [custom, act], {
    roles: ['Exchange Administartor', 'Nope Admin', 'security reader', 'mail forwarding auditors'],
  });
  assert.deepEqual(String(result.summary.totals.roleNotes).split(' | '), [
    'no Entra ID role is named "Exchange Administartor" (no built-in role, no role event stored), so it has no holders; did you mean "Exchange Administrator"?',
    'no Entra ID role is named "Nope Admin" (no built-in role, no role event stored), so it has no holders; did you mean "Global Administrator", "Privileged Role Administrator", "Exchange Administrator"?',
  ]);
  assert.equal((await runOver(adminActivity, [act])).summary.totals.roleNotes, undefined);
});
