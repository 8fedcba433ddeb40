import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import ts from 'typescript';
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

test("a sink's warning names the sink (a retry, a failure at start-up)", () => {
  const line = JSON.stringify({
    level: 40,
    event: 'sink.retry',
    sink: 'hec',
    msg: 'attempt 2 of at most 6 failed (the receiver failed (5xx): 500 internal boom); trying again in 1 s',
  });
  assert.equal(
    humanLogLine(line),
    'tenantwatch: warning: attempt 2 of at most 6 failed (the receiver failed (5xx): 500 internal boom); trying again in 1 s (sink hec)',
  );
  assert.equal(humanLogLine(JSON.stringify({ level: 40, event: 'sink.gave_up', sink: 'hec' })), null);
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

test('a per-blob conflict or reject is said once per tenant and feed; the summary counts the rest', () => {
  const out: string[] = [];
  const target = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
  const logger = pino({ level: 'warn', base: undefined }, humanLogStream(target));
  const conflict = (contentType: string) =>
    logger.warn({ event: 'collector.record.conflict', tenant: 't1', contentType, conflicts: 3 }, 'kept aside');
  conflict('Audit.SharePoint');
  conflict('Audit.SharePoint');
  conflict('Audit.General');
  logger.warn({ event: 'collector.record.rejected', tenant: 't1', contentType: 'Audit.General' }, 'rejected');
  logger.warn({ event: 'collector.blob.refused', tenant: 't1', contentType: 'Audit.General' }, 'blob refused');
  logger.warn({ event: 'collector.blob.refused', tenant: 't1', contentType: 'Audit.General' }, 'blob refused');
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.deepEqual(
        out.map((l) => l.replace(/; the summary counts the rest.*\n$/, ' [more counted]\n')),
        [
          'tenantwatch: warning: kept aside (t1, Audit.SharePoint) [more counted]\n',
          'tenantwatch: warning: kept aside (t1, Audit.General) [more counted]\n',
          'tenantwatch: warning: rejected (t1, Audit.General) [more counted]\n',
          'tenantwatch: warning: blob refused (t1, Audit.General)\n',
          'tenantwatch: warning: blob refused (t1, Audit.General)\n',
        ],
      );
      resolve();
    }),
  );
});

/**
 * Issue 17 item 7: `serve` printed "tenantwatch: warning: auth.host_refused" — a log line with no message
 * falls back to its event name. Every warning or error the code logs carries a sentence for people.
 */
test('every warning and error logged in src/ carries a message, so stderr never shows a bare event name', () => {
  const src = join(import.meta.dirname, '..');
  const bare: string[] = [];
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory()
        ? walk(join(dir, d.name))
        : d.name.endsWith('.ts') && !d.name.endsWith('.test.ts')
          ? [join(dir, d.name)]
          : [],
    );
  for (const file of walk(src)) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        ['warn', 'error', 'fatal'].includes(node.expression.name.text) &&
        /log/i.test(node.expression.expression.getText(sf)) &&
        node.arguments.length === 1 &&
        ts.isObjectLiteralExpression(node.arguments[0]!)
      )
        bare.push(`${relative(src, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  assert.deepEqual(bare, [], 'give each of these a message (the second argument)');
});

test('the console refusing a host name reads as a sentence with the host and what to do', () => {
  const line = JSON.stringify({
    level: 40,
    event: 'auth.host_refused',
    host: 'tw.example.net',
    hint: 'open the console by the address serve printed, or add --allow-host NAME',
    msg: 'refused a request addressed to the host "tw.example.net"',
  });
  assert.equal(
    humanLogLine(line),
    'tenantwatch: warning: refused a request addressed to the host "tw.example.net": open the console by the address serve printed, or add --allow-host NAME',
  );
});
