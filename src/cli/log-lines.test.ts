import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { humanLogLine, humanLogStream } from './log-lines.js';

test('a warning reads as a sentence with where and why, never as JSON', () => {
  const line = JSON.stringify({
    level: 40,
    event: 'collector.blob.refused',
    tenant: 'f0e1',
    contentType: 'Audit.Exchange',
    reason: 'contentUri host is not the Management API base',
    msg: 'blob refused',
  });
  assert.equal(
    humanLogLine(line),
    'tenantwatch: warning: blob refused (f0e1, Audit.Exchange): contentUri host is not the Management API base',
  );
});

test("a tenant's failure is said once, by the command's summary, not again by the log", () => {
  assert.equal(
    humanLogLine(JSON.stringify({ level: 50, event: 'collector.tenant.failed', msg: 'tenant failed' })),
    null,
  );
});

test('through pino: what reaches stderr has no JSON', () => {
  const out: string[] = [];
  const target = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
  const logger = pino({ level: 'warn', base: undefined }, humanLogStream(target));
  logger.warn({ event: 'x', err: new Error('disk full') }, 'could not write');
  logger.info({ event: 'y' }, 'not shown');
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.deepEqual(out, ['tenantwatch: warning: could not write: disk full\n']);
      resolve();
    }),
  );
});
