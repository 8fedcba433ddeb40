import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../core/errors.js';
import { DAY } from '../core/time.js';
import { MAX_VALUE_CHARS, MAX_VALUES_PER_FILTER, parseSearchFilters, type SearchFilterInput } from './filters.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

function rejects(input: SearchFilterInput, code: 'BAD_TIME' | 'BAD_FILTER', message: RegExp): void {
  assert.throws(
    () => parseSearchFilters(input, NOW),
    (e: unknown) => e instanceof AppError && e.code === code && message.test(e.message) && !!e.hint,
  );
}

test('the time range is required, read as ISO or relative, and must be non-empty', () => {
  assert.deepEqual(parseSearchFilters({ start: '7d', end: 'now' }, NOW).range, { start: NOW - 7 * DAY, end: NOW });
  assert.deepEqual(parseSearchFilters({ start: '2026-11-01', end: '2026-11-02T00:00:00+01:00' }, NOW).range, {
    start: Date.UTC(2026, 10, 1),
    end: Date.UTC(2026, 10, 1, 23),
  });
  assert.equal(
    parseSearchFilters({ start: '2026-11-01T08:30', end: 'now' }, NOW).range.start,
    Date.UTC(2026, 10, 1, 8, 30),
  );
  rejects({ end: 'now' }, 'BAD_TIME', /needs a start/);
  rejects({ start: '7d' }, 'BAD_TIME', /needs an end/);
  rejects({ start: ' ', end: 'now' }, 'BAD_TIME', /needs a start/);
  rejects({ start: 'yesterday', end: 'now' }, 'BAD_TIME', /"yesterday" is not a date/);
  rejects({ start: 'now', end: '7d' }, 'BAD_TIME', /is not before the end/);
  rejects({ start: '2026-11-01', end: '2026-11-01' }, 'BAD_TIME', /is not before the end/);
});

test('users are lower-cased; repeated and comma-separated values are OR-ed and de-duplicated', () => {
  const q = parseSearchFilters(
    { start: '1d', end: 'now', user: ['Alice@Contoso.com, bob@contoso.com', 'ALICE@contoso.com'] },
    NOW,
  );
  assert.deepEqual(q.users, ['alice@contoso.com', 'bob@contoso.com']);
  assert.equal(q.operations, undefined, 'absent filters stay absent');
});

test('operations accept exact names in any case and Purview friendly names, unknown names as given', () => {
  const q = parseSearchFilters(
    {
      start: '1d',
      end: 'now',
      operation: ['fileaccessed', 'Accessed file', 'Shared file, folder, or site', 'New-Widget,Set-Mailbox'],
    },
    NOW,
  );
  const ops = q.operations!;
  assert.ok(ops.includes('FileAccessed'), 'case-insensitive exact name resolved to its catalogue spelling');
  assert.ok(ops.includes('SharingSet'), 'a friendly name holding commas is not split');
  assert.ok(ops.includes('New-Widget'), 'an operation the catalogue does not know is searched as given');
  assert.ok(ops.includes('Set-Mailbox'));
  assert.equal(ops.filter((o) => o.toLowerCase() === 'fileaccessed').length, 1, 'no case duplicates');
});

test('record types by name or number; an unknown name lists close matches', () => {
  const q = parseSearchFilters(
    { start: '1d', end: 'now', recordType: ['SharePointFileOperation, 15', 'exchangeitem', '9999'] },
    NOW,
  );
  assert.deepEqual(q.recordTypes, [6, 15, 2, 9999]);
  assert.throws(
    () => parseSearchFilters({ start: '1d', end: 'now', recordType: ['SharePointFileOperations'] }, NOW),
    (e: unknown) => e instanceof AppError && e.code === 'BAD_FILTER' && /SharePointFileOperation\b/.test(e.hint ?? ''),
  );
  rejects({ start: '1d', end: 'now', recordType: ['qqqqzzzz'] }, 'BAD_FILTER', /record type "qqqqzzzz"/);
  // A number past PostgreSQL's integer column: refused here, not an error from the database.
  rejects({ start: '1d', end: 'now', recordType: ['3000000000'] }, 'BAD_FILTER', /record type "3000000000"/);
  // Record types are numbered from 0: a negative one matched nothing and read as "no such activity".
  for (const negative of ['-1', 'RecordType_-1', '-0.5e1'])
    rejects(
      { start: '1d', end: 'now', recordType: [negative] },
      'BAD_FILTER',
      /is not a record type number: a record type is a name or a whole number from 0 to 2147483647/,
    );
  assert.deepEqual(parseSearchFilters({ start: '1d', end: 'now', recordType: ['0'] }, NOW).recordTypes, [0]);
});

test('IPs: addresses with or without port, mapped IPv6 folded, CIDR blocks; garbage rejected', () => {
  const q = parseSearchFilters(
    { start: '1d', end: 'now', ip: ['203.0.113.7:443', '::ffff:203.0.113.7', '10.0.0.0/8,[2001:DB8::1]:443'] },
    NOW,
  );
  assert.deepEqual(q.ips, [
    { kind: 'address', address: '203.0.113.7' },
    { kind: 'cidr', network: '10.0.0.0', prefix: 8, family: 4 },
    { kind: 'address', address: '2001:db8::1' },
  ]);
  rejects({ start: '1d', end: 'now', ip: ['10.0.0.300'] }, 'BAD_FILTER', /IP filter "10.0.0.300"/);
  rejects({ start: '1d', end: 'now', ip: ['10.0.0.0/33'] }, 'BAD_FILTER', /not an IP address or CIDR/);
});

test('object and free text keep their commas; workloads and tenants split', () => {
  const q = parseSearchFilters(
    {
      start: '1d',
      end: 'now',
      object: ['/sites/a,b/Doc.docx'],
      freeText: ['Smith, John'],
      workload: ['SharePoint,exchange'],
      tenant: ['contoso,fabrikam'],
    },
    NOW,
  );
  assert.deepEqual(q.objects, ['/sites/a,b/Doc.docx']);
  assert.deepEqual(q.freeText, ['Smith, John']);
  assert.deepEqual(q.workloads, ['SharePoint', 'exchange']);
  assert.deepEqual(q.tenants, ['contoso', 'fabrikam']);
});

test('an empty value is refused naming the filter, in words that fit the CLI and the API alike', () => {
  // "Give each --tenant a value" was the answer to an API caller's tenant=a,,b too.
  assert.throws(() => parseSearchFilters({ start: '1d', end: 'now', tenant: ['a,,b'] }, NOW), {
    message: 'The tenant filter has an empty value in "a,,b"',
    hint: 'Leave no tenant value empty: separate several with single commas, or repeat the filter',
  });
});

test('empty values and absurd sizes are refused, naming the filter', () => {
  rejects({ start: '1d', end: 'now', user: [''] }, 'BAD_FILTER', /user filter has an empty value/);
  rejects(
    { start: '1d', end: 'now', workload: ['Exchange,'] },
    'BAD_FILTER',
    /workload filter has an empty value in "Exchange,"/,
  );
  rejects({ start: '1d', end: 'now', freeText: ['   '] }, 'BAD_FILTER', /free-text filter has an empty value/);
  rejects(
    { start: '1d', end: 'now', object: ['x'.repeat(MAX_VALUE_CHARS + 1)] },
    'BAD_FILTER',
    /object value is 2001 characters/,
  );
  const many = Array.from({ length: MAX_VALUES_PER_FILTER + 1 }, (_, i) => `u${i}@x.com`).join(',');
  rejects({ start: '1d', end: 'now', user: [many] }, 'BAD_FILTER', /user filter has 1001 values/);
  assert.equal(
    parseSearchFilters({ start: '1d', end: 'now', user: [many.split(',').slice(1).join(',')] }, NOW).users!.length,
    MAX_VALUES_PER_FILTER,
  );
});

test('a NUL character is refused in every filter (SQLite would read it as the end of the pattern)', () => {
  for (const key of ['user', 'operation', 'workload', 'object', 'freeText', 'tenant'] as const) {
    assert.throws(
      () => parseSearchFilters({ start: '7d', end: 'now', [key]: ['\u0000nul'] }, Date.UTC(2026, 10, 25)),
      (e: unknown) => e instanceof AppError && e.code === 'BAD_FILTER' && /NUL character/.test(e.message),
      key,
    );
  }
});
