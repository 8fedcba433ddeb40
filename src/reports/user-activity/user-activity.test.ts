import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppError } from '../../core/errors.js';
import { DOMAIN, entra, exchangeAdmin, signIn, spFile } from '../testing/builders.js';
import { idsOf, rowIds, runOver } from '../testing/harness.js';
import { userActivity } from './report.js';

const user = `adele@${DOMAIN}`;

test('--workload SharePoint returns the SharePoint and OneDrive records of that user only, in the period', async () => {
  const sp = spFile('FileModified');
  const od = spFile('FileUploaded', { Workload: 'OneDrive' });
  const mail = exchangeAdmin('Set-Mailbox', {});
  const other = spFile('FileModified', { UserId: `megan@${DOMAIN}` });
  const late = spFile('FileModified', { CreationTime: '2026-03-12T00:00:01' });
  const result = await runOver(userActivity, [sp, od, mail, other, late], {
    user: user.toUpperCase(),
    workload: 'SharePoint',
  });
  assert.deepEqual(rowIds(result), idsOf([sp, od]));
});

test('without --workload: every workload, rows grouped by workload largest group first', async () => {
  const records = [spFile('FileModified'), spFile('FileAccessed'), signIn(false), entra('Update user.')];
  const result = await runOver(userActivity, records, { user });
  assert.deepEqual(rowIds(result), idsOf(records));
  assert.equal(result.rows[0]?.workload, 'AzureActiveDirectory');
  assert.equal(result.summary.totals['workload:SharePoint'], 2);
});

test('a user with no records gives no rows', async () => {
  const result = await runOver(userActivity, [spFile('FileModified')], { user: 'nobody@contoso.onmicrosoft.com' });
  assert.equal(result.rows.length, 0);
  assert.equal(result.summary.records, 0);
});

test('--workload reads like search: a comma list, and an empty value is BAD_FILTER', async () => {
  const records = [spFile('FileAccessed'), exchangeAdmin('Set-Mailbox', {}), signIn(false)];
  const result = await runOver(userActivity, records, { user, workload: 'Exchange,AzureActiveDirectory' });
  assert.deepEqual(rowIds(result), idsOf(records.slice(1)));
  await assert.rejects(
    runOver(userActivity, records, { user, workload: ['SharePoint', ' '] }),
    (e: AppError) => e.code === 'BAD_FILTER',
  );
});
