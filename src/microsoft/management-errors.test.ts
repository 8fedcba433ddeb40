import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure } from './management-errors.js';

const body = (code: string, message = 'm'): string => JSON.stringify({ error: { code, message } });

test('the AF table maps codes to dispositions (spec §2.11)', () => {
  const cases: [number, string, string][] = [
    [401, 'AF10001', 'fatal'],
    [400, 'AF20022', 'subscribe-and-retry'],
    [400, 'AF20023', 'subscribe-and-retry'],
    [400, 'AF20024', 'success'],
    [400, 'AF20030', 'shift-window'],
    [400, 'AF20055', 'shift-window'],
    [400, 'AF20031', 'retry-later'],
    [404, 'AF20050', 'skip-blob'],
    [400, 'AF20051', 'skip-blob'],
    [500, 'AF50000', 'retry-later'],
    [400, 'AF20013', 'fatal'],
  ];
  for (const [status, code, disposition] of cases)
    assert.equal(classifyFailure(status, body(code)).disposition, disposition, code);
  assert.equal(classifyFailure(400, body('AF20051')).blobStatus, 'expired');
  assert.equal(classifyFailure(401, body('AF10001')).error.code, 'PERMISSION_MISSING');
});

test('throttling is recognised as 403 AF429, as 429, and by its text; a "retry after 14m 56s" is honoured', () => {
  const documented = classifyFailure(
    403,
    body('AF429', 'Too many requests. Method=GetBlob, PublisherId=00000000-0000-0000-0000-000000000000'),
  );
  assert.equal(documented.throttled, true);
  assert.equal(documented.disposition, 'retry-later');
  assert.equal(documented.retryAfterMs, null);
  const start = classifyFailure(
    429,
    body('AF429', 'Too many frequent subscription start requests. Please retry again after 14m 56s'),
  );
  assert.equal(start.retryAfterMs, (14 * 60 + 56) * 1000);
  assert.equal(classifyFailure(503, 'too many requests, slow down').throttled, true);
});

test('the unified-audit-log-off 400 (code split mid-token) is AUDIT_DISABLED with a plain message', () => {
  const text = JSON.stringify({
    error: {
      code: 'StartSubscription [CorrId=1][TenantId=t,ContentType=Audit.General,ApplicationId=a,PublisherId=p][AppId',
      message:
        '] failed. Exception: Microsoft.Office.Compliance.Audit.DataServiceException: Tenant 3509e8a3-4d87-4795-8f58-150ac9ed451b does not exist.\r\n   at x',
    },
  });
  const f = classifyFailure(400, text);
  assert.equal(f.disposition, 'fatal');
  assert.equal(f.error.code, 'AUDIT_DISABLED');
  assert.match(f.error.message, /Unified audit logging is off/);
  assert.match(f.error.hint ?? '', /UnifiedAuditLogIngestionEnabled/);
});

test('bare statuses: 401 renews the token, 5xx and 408 retry, 404 skips, other 4xx are fatal', () => {
  assert.equal(classifyFailure(401, '').disposition, 'renew-token');
  assert.equal(classifyFailure(502, '<html>bad gateway</html>').disposition, 'retry-later');
  assert.equal(classifyFailure(408, '').disposition, 'retry-later');
  assert.equal(classifyFailure(404, '').disposition, 'skip-blob');
  assert.equal(classifyFailure(400, body('AF99999')).disposition, 'fatal');
});
