import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordSummary } from '../api.js';
import { sortRows } from './columns.js';

const row = (over: Partial<RecordSummary>): RecordSummary => ({
  id: 'x',
  tenant: 'b0000000-0000-0000-0000-000000000000',
  creationTime: '2026-12-01T00:00:00.000Z',
  recordType: 6,
  recordTypeName: 'SharePointFileOperation',
  operation: 'FileAccessed',
  workload: 'SharePoint',
  userId: 'a@contoso.com',
  userType: 0,
  clientIp: null,
  clientPort: null,
  objectId: null,
  resultStatus: null,
  outcome: 'success',
  source: 'management-api',
  ...over,
});

test('a column sorts by what it shows: tenants by name, activities by their friendly name', () => {
  // The grid shows tenant names and Purview's activity names, but sorted by GUID and raw operation: a column
  // "sorted" A to Z read fabrikam, contoso, and "Deleted file" above "Accessed file".
  const names = new Map([
    ['a0000000-0000-0000-0000-000000000000', 'fabrikam'],
    ['b0000000-0000-0000-0000-000000000000', 'contoso'],
  ]);
  const tenants = [row({ id: '1', tenant: 'a0000000-0000-0000-0000-000000000000' }), row({ id: '2' })];
  assert.deepEqual(
    sortRows(tenants, 'tenant', 1, names, new Map()).map((r) => r.id),
    ['2', '1'],
  );
  const friendly = new Map([
    ['filedeleted', 'Deleted file'],
    ['mailitemsaccessed', 'Accessed mailbox items'],
  ]);
  const ops = [
    row({ id: 'del', operation: 'FileDeleted' }),
    row({ id: 'mail', operation: 'MailItemsAccessed' }),
    row({ id: 'raw', operation: 'Add-MailboxPermission' }),
  ];
  assert.deepEqual(
    sortRows(ops, 'operation', 1, names, friendly).map((r) => r.id),
    ['mail', 'raw', 'del'],
  );
  assert.deepEqual(
    sortRows(ops, 'operation', -1, names, friendly).map((r) => r.id),
    ['del', 'raw', 'mail'],
  );
});

test('times sort as instants and numbers as numbers; empty cells last either way', () => {
  const times = [
    row({ id: 'late', creationTime: '2026-12-02T00:00:00.000Z' }),
    row({ id: 'early', creationTime: '2026-11-30T23:00:00.000Z' }),
  ];
  assert.deepEqual(
    sortRows(times, 'creationTime', 1, new Map(), new Map()).map((r) => r.id),
    ['early', 'late'],
  );
  const ips = [row({ id: 'none' }), row({ id: 'ten', clientIp: '10.0.0.2' }), row({ id: 'nine', clientIp: '9.1.1.1' })];
  assert.deepEqual(
    sortRows(ips, 'clientIp', 1, new Map(), new Map()).map((r) => r.id),
    ['nine', 'ten', 'none'],
  );
  assert.deepEqual(
    sortRows(ips, 'clientIp', -1, new Map(), new Map()).map((r) => r.id),
    ['ten', 'nine', 'none'],
  );
});
