import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../store/open.js';
import { DAY, record, T0 } from '../store/testing/fixtures.js';
import { parseSearchFilters } from './filters.js';
import { noticeLine, unseenFilterValues } from './unseen.js';

async function storeWith() {
  const store = await openStore('sqlite::memory:');
  await store.records.insert([
    record({ operation: 'FileAccessed', userId: 'Alice@Contoso.com' }),
    record({ operation: 'Set-CASMailbox', workload: 'Exchange', userId: 'bob@contoso.com' }),
  ]);
  return store;
}

const range = { start: T0 - DAY, end: T0 + DAY };

test('an operation, workload or user never seen is said, with what was perhaps meant', async () => {
  const store = await storeWith();
  try {
    const notices = await unseenFilterValues(store.records, {
      range,
      operations: ['FileAccesed'],
      workloads: ['Sharepoint Online'],
      users: ['alce@contoso.com'],
    });
    assert.deepEqual(
      notices.map((n) => [n.filter, n.value, n.suggestions[0]]),
      [
        ['operation', 'FileAccesed', 'FileAccessed'],
        ['workload', 'Sharepoint Online', 'SharePoint'],
        ['user', 'alce@contoso.com', 'alice@contoso.com'],
      ],
    );
    assert.match(
      noticeLine(notices[0]!),
      /no stored record has the operation "FileAccesed".*did you mean "FileAccessed"/,
    );
  } finally {
    await store.close();
  }
});

test('an empty tenant list (a scope that holds no tenant) searches nothing and suggests nothing from other tenants', async () => {
  const store = await storeWith();
  try {
    const query = { range, operations: ['FileAccesed'], users: ['alce@contoso.com'] };
    assert.equal((await unseenFilterValues(store.records, query)).length, 2, 'without a tenant list it suggests');
    assert.deepEqual(await unseenFilterValues(store.records, { ...query, tenants: [] }), []);
  } finally {
    await store.close();
  }
});

test('values that exist, or that Microsoft logs, give no notice (a cmdlet is an operation once seen)', async () => {
  const store = await storeWith();
  try {
    const notices = await unseenFilterValues(store.records, {
      range,
      operations: ['fileaccessed', 'Set-CASMailbox', 'MailItemsAccessed'],
      workloads: ['exchange', 'OneDrive', 'sharepoint'],
      users: ['alice@contoso.com'],
    });
    assert.deepEqual(notices, []);
  } finally {
    await store.close();
  }
});

test('SharePoint without OneDrive says that OneDrive is separate here and included by the report', async () => {
  const store = await storeWith();
  try {
    const notices = await unseenFilterValues(store.records, { range, workloads: ['SharePoint'] });
    assert.equal(notices.length, 1);
    assert.match(notices[0]!.message, /OneDrive .* not included; add the workload OneDrive/);
  } finally {
    await store.close();
  }
});

/** The README's own example: "Accessed file" found thousands of records, and a notice said it did not exist. */
test('a Purview friendly name, as the filter parser passes it on beside its operations, gives no notice', async () => {
  const store = await storeWith();
  try {
    const query = parseSearchFilters(
      {
        start: new Date(range.start).toISOString(),
        end: new Date(range.end).toISOString(),
        operation: ['Accessed file'],
      },
      T0,
    );
    assert.ok(query.operations?.includes('Accessed file'), 'the parser keeps the name as given beside FileAccessed');
    assert.deepEqual(await unseenFilterValues(store.records, query), []);
  } finally {
    await store.close();
  }
});
