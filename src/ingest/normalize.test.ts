import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord } from '../core/record.js';
import { normalizeRecord, type NormalizeContext } from './normalize.js';
import { DERIVED_ID_PREFIX } from './record-id.js';

/** A realistic SharePoint record; tests override a few fields. */
const BASE = {
  CreationTime: '2024-02-22T16:06:53',
  Id: '5c4a2b1e-0f3d-4c55-9a8b-1d2e3f405162',
  Operation: 'FileAccessed',
  OrganizationId: 'b7c3a9e2-1111-4222-8333-944455566677',
  RecordType: 6,
  UserKey: 'i:0h.f|membership|10032000aaaa@live.com',
  UserType: 0,
  Version: 1,
  Workload: 'SharePoint',
  ClientIP: '203.0.113.7',
  ObjectId: 'https://contoso.sharepoint.com/sites/hr/Shared Documents/pay.xlsx',
  UserId: 'Alice@Contoso.com',
  SourceFileName: 'pay.xlsx',
};
const CTX: NormalizeContext = { source: 'import' };

function rec(overrides: Record<string, unknown> = {}, remove: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = { ...BASE, ...overrides };
  for (const key of remove) delete out[key];
  return out;
}

function ok(input: string | object, ctx: NormalizeContext = CTX): AuditRecord {
  const result = normalizeRecord(input, ctx);
  if (!result.ok) assert.fail(`rejected: ${result.reason}`);
  return result.record;
}

function rejected(input: string | object, ctx: NormalizeContext = CTX): string {
  const result = normalizeRecord(input, ctx);
  assert.equal(result.ok, false, 'expected a reject');
  return result.ok ? '' : result.reason;
}

test('a PascalCase record becomes an AuditRecord with raw kept byte for byte', () => {
  const text = JSON.stringify(rec()).replace(',', ' ,  ');
  const r = ok(text);
  assert.equal(r.raw, text);
  assert.equal(r.tenant, BASE.OrganizationId);
  assert.equal(r.id, BASE.Id);
  assert.equal(r.creationTime, Date.UTC(2024, 1, 22, 16, 6, 53));
  assert.equal(r.recordType, 6);
  assert.equal(r.operation, 'FileAccessed');
  assert.equal(r.workload, 'SharePoint');
  assert.equal(r.userId, 'Alice@Contoso.com');
  assert.equal(r.userKey, 'alice@contoso.com');
  assert.equal(r.userType, 0);
  assert.equal(r.clientIp, '203.0.113.7');
  assert.equal(r.clientPort, null);
  assert.equal(r.objectId, BASE.ObjectId);
  assert.equal(r.outcome, 'success');
  assert.equal(r.source, 'import');
  assert.equal(r.contentType, 'Audit.SharePoint', 'routing rule when no content type is given');
});

test('an object input keeps JSON.stringify of it as raw; ctx.tenant and contentType win', () => {
  const r = ok(rec(), { tenant: 'contoso', source: 'management-api', contentType: 'Audit.General' });
  assert.equal(r.raw, JSON.stringify(rec()));
  assert.equal(r.tenant, 'contoso');
  assert.equal(r.organizationId, BASE.OrganizationId);
  assert.equal(r.contentType, 'Audit.General');
  assert.equal(ok(rec(), { source: 'import', contentType: null }).contentType, null);
});

test('CreationTime without offset is UTC; with an offset it is honoured; AIP CreationDate is read', () => {
  assert.equal(
    ok(rec({ CreationTime: '2024-02-22T16:06:53.1234567' })).creationTime,
    Date.UTC(2024, 1, 22, 16, 6, 53, 123),
  );
  assert.equal(ok(rec({ CreationTime: '2024-02-22T18:06:53+02:00' })).creationTime, Date.UTC(2024, 1, 22, 16, 6, 53));
  const aip = rec({ CreationDate: '2022-12-06T20:51:58' }, ['CreationTime']);
  assert.equal(ok(aip).creationTime, Date.UTC(2022, 11, 6, 20, 51, 58));
  assert.match(
    rejected(rec({ CreationTime: '12/6/2022 8:51:58 PM' })),
    /CreationTime "12\/6\/2022 8:51:58 PM" is not an ISO 8601/,
  );
  assert.match(rejected(rec({}, ['CreationTime'])), /no CreationTime/);
  assert.equal(
    ok(rec({ CreationTime: '2023-10-10T17:08:65' })).creationTime,
    Date.UTC(2023, 9, 10, 17, 9, 5),
    'seconds past 59 roll over',
  );
  assert.match(rejected(rec({ CreationTime: '2023-10-10T17:61:00' })), /not an ISO 8601/);
});

test('lower-case keys and numbers sent as strings are read', () => {
  const lower = Object.fromEntries(
    Object.entries(rec({ RecordType: '6', UserType: '2' })).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const r = ok(lower);
  assert.equal(r.recordType, 6);
  assert.equal(r.userType, 2);
  assert.equal(r.operation, 'FileAccessed');
  assert.equal(r.id, BASE.Id);
  assert.equal(ok(rec({ RecordType: '1e1' })).recordType, 10);
});

test('RecordType as a name or Graph member; unknown numbers kept; nonsense refused', () => {
  assert.equal(ok(rec({ RecordType: 'SharePointFileOperation' })).recordType, 6);
  assert.equal(ok(rec({ RecordType: 'sharePointFileOperation' })).recordType, 6);
  assert.equal(ok(rec({ RecordType: 4242 })).recordType, 4242);
  assert.match(rejected(rec({ RecordType: 'NotAType' })), /RecordType "NotAType" is neither a number nor a known/);
  assert.match(rejected(rec({}, ['RecordType'])), /no RecordType/);
  // Past the stores' 32-bit integer columns: PostgreSQL refused the whole batch (the import stopped).
  assert.match(rejected(rec({ RecordType: 3_000_000_000 })), /RecordType 3000000000 is neither a number nor/);
  assert.match(rejected(rec({ RecordType: '3000000000' })), /RecordType "3000000000" is neither/);
  assert.equal(ok(rec({ RecordType: 2_147_483_647 })).recordType, 2_147_483_647);
  assert.equal(ok(rec({}, ['Operation'])).operation, '', 'kept: the record is still evidence');
});

test('a Graph auditLogRecord is read from its envelope and auditData; raw is the auditData', () => {
  const auditData = rec({}, ['ClientIP', 'UserId']);
  const graph = {
    id: BASE.Id,
    createdDateTime: '2024-02-22T16:06:53Z',
    auditLogRecordType: 'sharePointFileOperation',
    operation: 'FileAccessed',
    service: 'SharePoint',
    objectId: BASE.ObjectId,
    clientIp: '[2001:db8::7]:443',
    userId: 'alice@contoso.com',
    userPrincipalName: 'alice@contoso.com',
    userType: 'regular',
    organizationId: BASE.OrganizationId,
    administrativeUnits: [],
    auditData,
  };
  const r = ok(JSON.stringify(graph), { source: 'graph' });
  assert.equal(r.raw, JSON.stringify(auditData));
  assert.equal(r.clientIp, '2001:db8::7');
  assert.equal(r.clientPort, 443);
  assert.equal(r.userId, 'alice@contoso.com');
  assert.equal(r.recordType, 6);
  // Graph's OData annotation inside auditData is not part of the record: raw is the Management API's JSON.
  const annotated = {
    ...graph,
    auditData: { '@odata.type': '#microsoft.graph.security.defaultAuditData', ...auditData },
  };
  assert.equal(ok(JSON.stringify(annotated), { source: 'graph' }).raw, JSON.stringify(auditData));
  const asText = { ...graph, auditData: JSON.stringify(annotated.auditData) };
  assert.equal(ok(asText, { source: 'graph' }).raw, JSON.stringify(auditData));
  assert.equal(
    ok({ ...graph, auditData: JSON.stringify(auditData) }, { source: 'graph' }).raw,
    JSON.stringify(auditData),
  );
  const bare = ok({ ...graph, auditData: undefined, userType: 'guest' }, { source: 'graph' });
  assert.equal(bare.recordType, 6);
  assert.equal(bare.userType, 10);
  assert.equal(bare.creationTime, Date.UTC(2024, 1, 22, 16, 6, 53));
});

test('a Search-UnifiedAuditLog row (ConvertTo-Json) is its AuditData, as the same row exported to CSV is', () => {
  const auditData = JSON.stringify(rec());
  // Windows PowerShell writes CreationDate as /Date(ms)/, PowerShell 7 in local time; Identity is not named Id.
  const row = {
    RunspaceId: '3f1c0a52-7d1e-4a4b-9b8e-0c7f1e2d3a4b',
    RecordType: 'SharePointFileOperation',
    CreationDate: '/Date(1708618013000)/',
    UserIds: 'Alice@Contoso.com',
    Operations: 'FileAccessed',
    AuditData: auditData,
    ResultIndex: 1,
    ResultCount: 1,
    Identity: BASE.Id,
    IsValid: true,
    ObjectState: 'Unchanged',
  };
  const fromCsvCell = ok(auditData);
  for (const input of [JSON.stringify(row), JSON.stringify({ ...row, CreationDate: '2024-02-22T08:06:53-08:00' })]) {
    const r = ok(input);
    assert.deepEqual(r, fromCsvCell);
    assert.equal(r.id, BASE.Id);
    assert.equal(r.operation, 'FileAccessed');
    assert.equal(r.raw, auditData);
  }
  // AuditData already parsed (ConvertFrom-Json before saving) is read the same way.
  assert.equal(ok({ ...row, AuditData: rec() }).id, BASE.Id);
  assert.match(
    rejected({ ...row, AuditData: 'not json' }),
    /AuditData property is not a JSON object \(a Search-UnifiedAuditLog row holds its record there\)$/,
  );
  // ConvertTo-Json past its -Depth writes an object as its type name: the reason says so and what to do.
  assert.match(rejected({ ...row, AuditData: '@{Id=5c4a2b1e; Operation=FileAccessed}' }), /ConvertTo-Json -Depth 20/);
  const graph = { id: BASE.Id, createdDateTime: '2024-02-22T16:06:53Z', auditData: 'System.Collections.Hashtable' };
  assert.match(
    rejected(graph),
    /auditData is not a JSON object: it reads "System.Collections.Hashtable", what PowerShell/,
  );
  // One level up, the records of a page themselves.
  assert.match(rejected('"System.Collections.Hashtable"'), /but a string: an audit record is an object: it reads/);
  // Export-Csv of the same objects: the AuditData cell holds the bare type name.
  assert.match(
    rejected('System.Collections.Hashtable'),
    /^not valid JSON \(.*\): it reads "System.Collections.Hashtable"/,
  );
});

test('raw writes needless \\u escapes as their characters and keeps the rest as received (file, blob, Graph auditData text)', () => {
  const head = JSON.stringify(rec()).slice(0, -1);
  // Python's json.dumps (ensure_ascii), .NET's System.Text.Json (& < > upper-case hex, " as \u0022).
  const tail = String.raw`,"Site":"\u00c9quipe Caf\u00e9 R\u0026D \u003Cx\u003E","Q":"\u0022\\u0041\n\u0000","Pair":"\ud83d\ude00","Lone":"\ud800", "Size": 12345678901234567890, "Ratio": 1.50}`;
  const wanted = String.raw`,"Site":"Équipe Café R&D <x>","Q":"\u0022\\u0041\n\u0000","Pair":"😀","Lone":"\ud800", "Size": 12345678901234567890, "Ratio": 1.50}`;
  const r = ok(head + tail);
  assert.equal(r.raw, head + wanted);
  assert.equal(r.id, BASE.Id);
  // A Graph record's auditData sent as a JSON string holds the writer's escapes one level down: the same rule.
  const graph = { createdDateTime: '2024-02-22T16:06:53Z', auditLogRecordType: 'sharePointFileOperation' };
  assert.equal(ok(JSON.stringify({ ...graph, auditData: head + tail }), { source: 'graph' }).raw, head + wanted);
  // A record without Id keeps the derived id it had (computed from the parsed record, not from raw's text).
  const noId = JSON.stringify(rec({}, ['Id'])).slice(0, -1);
  assert.equal(ok(noId + tail).id, ok(noId + wanted).id);
});

test('client addresses: every corpus spelling, first usable field wins', () => {
  const ip = (v: Record<string, unknown>) => {
    const r = ok({ ...rec({}, ['ClientIP']), ...v });
    return [r.clientIp, r.clientPort];
  };
  assert.deepEqual(ip({ ClientIP: '1.2.3.4:8085' }), ['1.2.3.4', 8085]);
  assert.deepEqual(ip({ ClientIP: '::ffff:1.2.3.4' }), ['1.2.3.4', null]);
  assert.deepEqual(ip({ ClientIP: '[::ffff:1.2.3.4]:80' }), ['1.2.3.4', 80]);
  assert.deepEqual(ip({ ClientIP: 'FE80::' }), ['fe80::', null]);
  assert.deepEqual(ip({ ClientIP: '[2001:db8::abcd]' }), ['2001:db8::abcd', null]);
  assert.deepEqual(ip({ ClientIP: ' 52.159.112.221' }), ['52.159.112.221', null]);
  assert.deepEqual(ip({ ClientIP: '<null>', ActorIpAddress: '192.0.2.9' }), ['192.0.2.9', null]);
  assert.deepEqual(ip({ ClientIP: '' }), [null, null]);
  assert.deepEqual(ip({ ClientIPAddress: '[SERVER (10.90.0.1)]' }), ['10.90.0.1', null]);
  assert.deepEqual(ip({ ClientIPAddress: 'NOTANIPV4 (10.9000.0.1)' }), [null, null]);
  assert.deepEqual(ip({ ClientIP: '192.0.2.1', ClientIPAddress: '2603:1026::5' }), ['192.0.2.1', null]);
  assert.deepEqual(ip({ SenderIp: '198.51.100.3' }), ['198.51.100.3', null]);
  assert.deepEqual(ip({ ClientIP: 'host.example:443' }), [null, 443]);
});

test('outcome: UserLoginFailed and STS logon errors are failures whatever ResultStatus says', () => {
  const outcome = (v: Record<string, unknown>, remove: string[] = []) => ok(rec(v, remove)).outcome;
  assert.equal(outcome({ RecordType: 15, Operation: 'UserLoginFailed', ResultStatus: 'Success' }), 'failure');
  assert.equal(
    outcome({
      RecordType: 15,
      Operation: 'UserLoggedIn',
      ResultStatus: 'Succeeded',
      LogonError: 'InvalidPasswordExpiredPassword',
    }),
    'failure',
  );
  assert.equal(
    outcome({ RecordType: 15, Operation: 'UserLoggedIn', ResultStatus: 'Succeeded', ErrorCode: '50126' }),
    'failure',
  );
  assert.equal(
    outcome({ RecordType: 15, Operation: 'UserLoggedIn', ResultStatus: 'Succeeded', ErrorNumber: '0' }),
    'success',
  );
  assert.equal(outcome({ ResultStatus: 'failed' }), 'failure');
  assert.equal(outcome({ ResultStatus: 'False' }), 'failure');
  assert.equal(outcome({ ResultStatus: 'TRUE' }), 'success');
  assert.equal(outcome({ ResultStatus: 'PartiallySucceeded' }), 'success');
  assert.equal(outcome({ ResultStatus: 2 }), 'failure', 'Planner numeric enum');
  assert.equal(outcome({}, ['ResultStatus']), 'success', 'absent: the action was recorded');
  assert.equal(outcome({ ResultStatus: 'InProgress' }), 'unknown');
});

test('tenant comes from ctx or OrganizationId; neither is refused with a hint', () => {
  assert.match(rejected(rec({}, ['OrganizationId'])), /no tenant.*--tenant/);
  assert.equal(ok(rec({}, ['OrganizationId']), { tenant: 'contoso', source: 'import' }).tenant, 'contoso');
});

test('a GUID tenant or Id is keyed in lower case whatever case the source wrote; raw and other keys stay as given', () => {
  const upper = rec({ Id: BASE.Id.toUpperCase(), OrganizationId: BASE.OrganizationId.toUpperCase() });
  const r = ok(upper);
  assert.equal(r.tenant, BASE.OrganizationId);
  assert.equal(r.id, BASE.Id);
  assert.deepEqual(r.receivedKey, { tenant: BASE.OrganizationId.toUpperCase(), id: BASE.Id.toUpperCase() });
  assert.equal(r.raw, JSON.stringify(upper), 'raw is never altered');
  assert.equal(r.organizationId, BASE.OrganizationId.toUpperCase(), 'the OrganizationId column stays as given');
  const mixed = ok(rec({ Id: '5C4a2b1e-0F3d-4c55-9A8b-1d2E3f405162' }));
  assert.equal(mixed.id, BASE.Id);
  assert.deepEqual(mixed.receivedKey, { tenant: BASE.OrganizationId, id: '5C4a2b1e-0F3d-4c55-9A8b-1d2E3f405162' });
  const graph = ok({
    id: BASE.Id.toUpperCase(),
    createdDateTime: '2024-02-22T16:06:53Z',
    organizationId: BASE.OrganizationId.toUpperCase(),
    auditLogRecordType: 'sharePointFileOperation',
    operation: 'FileAccessed',
    auditData: rec({ Id: BASE.Id.toUpperCase() }),
  });
  assert.deepEqual([graph.tenant, graph.id], [BASE.OrganizationId, BASE.Id], 'Graph envelope');
  const given = ok(rec(), { source: 'import', tenant: BASE.OrganizationId.toUpperCase() });
  assert.equal(given.tenant, BASE.OrganizationId, '--tenant with an unregistered GUID');
  assert.deepEqual(given.receivedKey, { tenant: BASE.OrganizationId.toUpperCase(), id: BASE.Id });
  assert.equal(ok(rec()).receivedKey, undefined, 'lower case: nothing to remember');
  for (const kept of ['ANONYMIZED', 'Case-2026', 'ABCDEF12-3456-7890-ABCD-EF123456789', 'urn:Zap:AB12'])
    assert.equal(
      ok(rec({ Id: kept }), { source: 'import', tenant: kept }).id,
      kept,
      `${kept} is no GUID: kept as given`,
    );
  assert.equal(ok(rec(), { source: 'import', tenant: 'Case-2026' }).tenant, 'Case-2026');
});

test('a record without Id gets a stable derived id that cannot look like a GUID', () => {
  const a = ok(rec({}, ['Id']));
  const b = ok(JSON.stringify(Object.fromEntries(Object.entries(rec({}, ['Id'])).reverse())));
  const c = ok(rec({ Operation: 'FileDownloaded' }, ['Id']));
  assert.ok(a.id.startsWith(DERIVED_ID_PREFIX));
  assert.equal(a.id, b.id, 'key order does not matter');
  assert.notEqual(a.id, c.id);
  assert.doesNotMatch(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-/i);
});

test('inputs that are not records are refused with a reason', () => {
  assert.match(rejected('{"CreationTime": "2024-'), /not valid JSON/);
  assert.match(rejected('[1,2]'), /not a JSON object but an array/);
  assert.match(rejected('"text"'), /not a JSON object but a string/);
  assert.match(rejected({ auditData: '{broken' }), /auditData is not a JSON object/);
  assert.equal(ok(rec({ UserId: '' })).userId, null);
});

test('a tenant, Id, Operation or UserId too long for an index is refused (PostgreSQL refused the whole batch)', () => {
  for (const field of ['Id', 'Operation', 'UserId', 'OrganizationId'])
    assert.match(rejected(rec({ [field]: 'é'.repeat(513) })), /is longer than 1024 bytes/, field);
  assert.match(rejected(rec(), { source: 'import', tenant: 'x'.repeat(1025) }), /the tenant is longer/);
  assert.equal(ok(rec({ UserId: 'é'.repeat(512) })).userId, 'é'.repeat(512), '1,024 bytes pass');
  assert.equal(ok(rec({ ObjectId: 'x'.repeat(9_000) })).objectId!.length, 9_000, 'unindexed values are kept whole');
});

test('a UserType or LogonType past a 32-bit integer is no value (PostgreSQL refused the whole batch)', () => {
  const r = ok(rec({ UserType: 99_999_999_999, LogonType: 4_294_967_296 }));
  assert.deepEqual([r.userType, r.logonType], [null, null]);
  assert.equal(ok(rec({ UserType: '99999999999' })).userType, null);
  assert.equal(ok(rec({ LogonType: '-5e20' })).logonType, null);
  assert.deepEqual([ok(rec({ UserType: 2, LogonType: '1' })).userType, ok(rec({ LogonType: '1' })).logonType], [2, 1]);
});

test('user agent, acting application and logon type are kept as columns, whatever the casing or encoding', () => {
  const facts = (r: AuditRecord) => ({ userAgent: r.userAgent, appId: r.appId, logonType: r.logonType });
  assert.deepEqual(facts(ok(rec({ UserAgent: 'Microsoft Office/16.0' }))), {
    userAgent: 'Microsoft Office/16.0',
    appId: null,
    logonType: null,
  });
  const signIn = {
    ExtendedProperties: [
      { Name: 'ResultStatusDetail', Value: 'Success' },
      { Name: 'userAgent', Value: 'Mozilla/5.0 (iPhone)' },
    ],
  };
  assert.equal(
    ok(rec(signIn)).userAgent,
    'Mozilla/5.0 (iPhone)',
    'Entra sign-ins: ExtendedProperties, name in any case',
  );
  assert.equal(
    ok(rec({ ExtendedProperties: JSON.stringify(signIn.ExtendedProperties) })).userAgent,
    'Mozilla/5.0 (iPhone)',
    'the array JSON-encoded',
  );
  assert.equal(ok(rec({ ...signIn, UserAgent: 'top level wins' })).userAgent, 'top level wins');
  const mailbox = ok(rec({ logontype: '1', AppId: 'AAAA-1', ClientAppId: 'D3590ED6-52B3-4102-AEFF-AAD2292AB01C' }));
  assert.deepEqual(
    facts(mailbox),
    { userAgent: null, appId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c', logonType: 1 },
    'ClientAppId first, lower case; LogonType from a string',
  );
  assert.equal(ok(rec({ AppId: 'Abc', ClientAppId: '' })).appId, 'abc', 'an empty ClientAppId is none');
  assert.deepEqual(facts(ok(rec({ UserAgent: '', AppId: '', LogonType: 'owner', ExtendedProperties: 'text' }))), {
    userAgent: null,
    appId: null,
    logonType: null,
  });
});
