import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../core/errors.js';
import { decodeCursor, encodeCursor, parseLimit, pickOne } from './params.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AppError);
    return e.code;
  }
  return 'no error';
}

test('a cursor round-trips and anything else is refused as BAD_INPUT', () => {
  const c = { creationTime: 1_763_640_000_000, tenant: 'contoso', id: 'a\'b"c' };
  assert.deepEqual(decodeCursor(encodeCursor(c)), c);
  assert.equal(decodeCursor(undefined), undefined);
  assert.equal(decodeCursor(''), undefined);
  for (const bad of [
    '%%%',
    'eyJhIjoxfQ',
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('["x","t","i"]').toString('base64url'),
    'a'.repeat(3000),
    // A time no row has (PostgreSQL's bigint refuses a fraction or 1e300: each was a 500) or text no row holds.
    ...[
      [1e300, 't', 'i'],
      [1.5, 't', 'i'],
      [-1e20, 't', 'i'],
      [1, 't\u0000', 'i'],
      [1, 't', 'i\u0000'],
    ].map((c) => Buffer.from(JSON.stringify(c)).toString('base64url')),
  ]) {
    assert.equal(
      code(() => decodeCursor(bad)),
      'BAD_INPUT',
      bad.slice(0, 20),
    );
  }
});

test('limits: positive whole numbers up to the cap; above it LIMIT_TOO_LARGE names the cap', () => {
  assert.equal(parseLimit(undefined, 200, 1000), 200);
  assert.equal(parseLimit('1000', 200, 1000), 1000);
  assert.equal(parseLimit(['5', '7'], 200, 1000), 7);
  for (const bad of ['0', '-1', '1.5', 'ten', '', '1e3', '99999999999999999999'])
    assert.equal(
      code(() => parseLimit(bad, 200, 1000)),
      'BAD_INPUT',
      bad,
    );
  try {
    parseLimit('1001', 200, 1000);
    assert.fail('expected LIMIT_TOO_LARGE');
  } catch (e) {
    assert.ok(e instanceof AppError && e.code === 'LIMIT_TOO_LARGE' && e.message.includes('1000'));
  }
});

test('enumerated parameters accept only their values', () => {
  assert.equal(pickOne(undefined, 'bucket', ['day', 'hour'] as const, 'day'), 'day');
  assert.equal(pickOne('hour', 'bucket', ['day', 'hour'] as const, 'day'), 'hour');
  assert.equal(
    code(() => pickOne("hour'--", 'bucket', ['day', 'hour'] as const, 'day')),
    'BAD_INPUT',
  );
});
