import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keptLogLines } from '../../test/support/logs.js';
import { redactingLogger } from './sinks.js';

/**
 * A sink's secret never reaches a log line, whatever characters it holds. The logger redacted the JSON text of
 * what was logged, where a quote or a backslash of the secret is written escaped (`\"`, `\\`), so such a secret,
 * echoed back by a receiver in an error, was written whole.
 */
test('a secret holding quotes, backslashes or control characters is redacted from logged fields and messages', () => {
  const { logger, lines } = keptLogLines();
  const secrets = ['Tr0ub"4dor\\&3', 'tab\there-and-newline\nafter', 'plain-hec-token-1234'];
  const log = redactingLogger(logger, secrets);
  for (const s of secrets) {
    log.warn(
      { event: 'sink.failed', detail: `the receiver said: bad token ${s}`, nested: { again: [s] } },
      `sent ${s}`,
    );
    log.child({ sink: 'hec' }).error({ reason: `token=${s}` });
  }
  const written = lines.join('');
  for (const s of secrets) {
    assert.ok(!written.includes(JSON.stringify(s).slice(1, -1)), `the secret ${JSON.stringify(s)} was logged`);
    for (const part of s.split(/["\\\t\n]/)) if (part.length >= 4) assert.ok(!written.includes(part), part);
  }
  assert.equal(written.split('[redacted]').length - 1, secrets.length * 4);
});

test('a secret matched from inside an escape leaves the line without its fields, never a logger that throws', () => {
  const { logger, lines } = keptLogLines();
  // Logged as "\\n-secret-abcd": the secret matches from inside the escape of the newline before it.
  redactingLogger(logger, ['n-secret-abcd']).warn({ detail: 'x\n-secret-abcd' }, 'failed');
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes('secret-abcd'));
  assert.match(lines[0]!, /"msg":"failed"/);
});

test("an error logged through the sink's logger keeps its message and type, with the secret redacted", () => {
  const { logger, lines } = keptLogLines();
  const failure = new TypeError('fetch failed: the receiver said token plain-hec-token-1234 is wrong');
  redactingLogger(logger, ['plain-hec-token-1234']).error({ event: 'sink.failed', err: failure }, 'failed');
  const line = JSON.parse(lines[0]!) as { err?: { type?: string; message?: string } };
  assert.equal(line.err?.type, 'TypeError');
  assert.equal(line.err?.message, 'fetch failed: the receiver said token [redacted] is wrong');
  assert.ok(!lines[0]!.includes('plain-hec-token-1234'));
});
