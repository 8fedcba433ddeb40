import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../core/errors.js';
import { RetryPolicy, type RetryOptions } from '../net/retry.js';
import { apiRetryClass, classifyFailure, type ApiFailure } from './management-errors.js';

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
  // `tenant test` shows these without retrying them: no hint may claim a retry already made.
  for (const f of [classifyFailure(502, ''), classifyFailure(500, body('AF50000'))])
    assert.doesNotMatch(f.error.hint ?? '', /retried/i);
});

/** The AF table through the generic retry policy (net/retry): the numbers the collector lives by. */
const policy = (options: RetryOptions) => new RetryPolicy(apiRetryClass, options);
const failed = (f: ApiFailure) => ({ thrown: false as const, failure: f });

test('capped exponential backoff with jitter, then a give-up that says why', () => {
  const p = policy({ baseMs: 1000, capMs: 8000, maxAttempts: 6, random: () => 1 });
  const f = failed(classifyFailure(500, '{"error":{"code":"AF50000","message":"An internal error occurred."}}'));
  const delays = [1, 2, 3, 4, 5].map((n) => p.decide(f, n)).map((d) => (d.retry ? d.delayMs : -1));
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000]);
  const low = policy({ baseMs: 1000, random: () => 0 }).decide(f, 1);
  assert.ok(low.retry && low.delayMs === 500);
  const last = p.decide(f, 6);
  assert.equal(last.retry, false);
  assert.match(last.why, /gave up after 6 attempts/);
});

test('fatal dispositions are not retried; throttling waits the hint or a short pause', () => {
  const p = policy({ throttleMs: 4000, random: () => 0.5 });
  assert.equal(p.decide(failed(classifyFailure(401, '{"error":{"code":"AF10001","message":"x"}}')), 1).retry, false);
  const hinted = p.decide(
    failed(classifyFailure(429, '{"error":{"code":"AF429","message":"Please retry again after 1m 5s"}}')),
    3,
  );
  assert.deepEqual(hinted, { retry: true, delayMs: 65_000, why: 'throttled', throttled: true });
  const plain = p.decide(failed(classifyFailure(403, '{"error":{"code":"AF429","message":"Too many requests."}}')), 50);
  assert.ok(plain.retry && plain.delayMs === 4000);
  assert.equal(p.decide({ thrown: true, error: new AppError('NETWORK', 'reset') }, 1).retry, true);
  assert.equal(p.decide({ thrown: true, error: new AppError('REFUSED_URL', 'elsewhere') }, 1).retry, false);
});
