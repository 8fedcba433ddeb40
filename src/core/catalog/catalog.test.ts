import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activityCategories,
  activityFor,
  contentTypeForRecordType,
  recordTypeInfo,
  recordTypeName,
  resolveOperations,
  resolveRecordType,
  resolveUserType,
  userTypeName,
} from './index.js';

test('record type numbers map to names, unknown numbers to a label that resolves back', () => {
  assert.equal(recordTypeName(6), 'SharePointFileOperation');
  assert.equal(recordTypeName(15), 'AzureActiveDirectoryStsLogon');
  assert.equal(recordTypeName(999), 'RecordType_999');
  assert.equal(resolveRecordType('RecordType_999'), 999);
  assert.deepEqual(recordTypeInfo(1), {
    value: 1,
    name: 'ExchangeAdmin',
    workload: 'Exchange',
    description: recordTypeInfo(1)!.description,
  });
  assert.ok(recordTypeInfo(1)!.description.length > 10);
  assert.equal(recordTypeInfo(999), undefined);
});

test('record types resolve from numbers, numeric strings, names, aliases and Graph members', () => {
  assert.equal(resolveRecordType(15), 15);
  assert.equal(resolveRecordType('15'), 15);
  assert.equal(resolveRecordType(' 20 '), 20);
  assert.equal(resolveRecordType('sharepointfileoperation'), 6);
  assert.equal(resolveRecordType('SharePoint File Operation'), 6);
  assert.equal(resolveRecordType('azureActiveDirectoryStsLogon'), 15);
  assert.equal(resolveRecordType('Yammer'), 22, 'old name kept as an alias');
  assert.equal(resolveRecordType('Viva Engage'), 22);
  assert.equal(resolveRecordType('SharepointListOperation'), 36, 'casing drift alias');
  assert.equal(
    resolveRecordType('MicrosoftGraphDataConnectConsent'),
    217,
    'documented number wins over the Graph-order guess',
  );
  assert.equal(resolveRecordType('no such type'), null);
  assert.equal(resolveRecordType(''), null);
  assert.equal(resolveRecordType(1.5), null);
});

test('user types map both ways, Graph lowerCamel included', () => {
  assert.equal(userTypeName(0), 'Regular');
  assert.equal(userTypeName(10), 'Guest');
  assert.equal(userTypeName(42), 'UserType_42');
  assert.equal(resolveUserType('regular'), 0);
  assert.equal(resolveUserType('servicePrincipal'), 6);
  assert.equal(resolveUserType('dcAdmin'), 3);
  assert.equal(resolveUserType('2'), 2);
  assert.equal(resolveUserType(5), 5);
  assert.equal(resolveUserType('nobody'), null);
});

test('content type routing follows the spec rule', () => {
  assert.equal(contentTypeForRecordType(8), 'Audit.AzureActiveDirectory');
  assert.equal(contentTypeForRecordType(15), 'Audit.AzureActiveDirectory');
  assert.equal(contentTypeForRecordType(1), 'Audit.Exchange');
  assert.equal(contentTypeForRecordType(50), 'Audit.Exchange');
  assert.equal(contentTypeForRecordType(6), 'Audit.SharePoint');
  assert.equal(contentTypeForRecordType(11), 'DLP.All');
  assert.equal(contentTypeForRecordType(13), 'DLP.All');
  assert.equal(contentTypeForRecordType(25), 'Audit.General', 'Teams');
  assert.equal(contentTypeForRecordType(20), 'Audit.General', 'Power BI');
  assert.equal(contentTypeForRecordType(9999), 'Audit.General');
});

test('operations resolve from operation names in any case and from Purview friendly names', () => {
  assert.deepEqual(resolveOperations('Accessed file'), ['FileAccessed']);
  assert.deepEqual(resolveOperations('accessedfile'), ['FileAccessed']);
  assert.deepEqual(resolveOperations('fileaccessed'), ['FileAccessed']);
  assert.deepEqual(resolveOperations('New-InboxRule'), ['New-InboxRule']);
  assert.deepEqual(resolveOperations('update user'), ['Update user.'], 'Entra trailing period');
  assert.deepEqual(resolveOperations('Made up thing'), []);
  assert.deepEqual(resolveOperations('  '), []);
});

test('activities are keyed on operation and workload', () => {
  const sp = activityFor('FileDownloaded', 'SharePoint');
  const yammer = activityFor('FileDownloaded', 'Yammer');
  assert.equal(sp?.workload, 'SharePoint');
  assert.equal(yammer?.workload, 'Yammer');
  assert.notEqual(sp?.category, yammer?.category);
  assert.equal(activityFor('FileAccessed')?.friendly, 'Accessed file');
  assert.equal(
    activityFor('FileAccessed', 'OneDrive')?.friendly,
    'Accessed file',
    'single entry serves other workloads',
  );
  assert.equal(activityFor('NoSuchOperation'), undefined);
});

test('activity categories group the whole catalogue for the picker', () => {
  const groups = activityCategories();
  const total = groups.reduce((n, g) => n + g.activities.length, 0);
  assert.equal(total, 1502);
  const files = groups.find((g) => g.category === 'File and page activities');
  assert.ok(files?.activities.some((a) => a.operation === 'FileAccessed'));
  groups[0]!.activities.pop();
  assert.equal(activityCategories()[0]!.activities.length, groups[0]!.activities.length + 1, 'callers get copies');
});
