import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffMfaMethods, losesMfaMethod } from './mfa-methods.js';

// The shape of the corpus's splunk example: pretty-printed JSON with CRLF.
const pretty = (methods: { MethodType: number; Default: boolean }[]) =>
  JSON.stringify(methods, null, 2).replace(/\n/g, '\r\n');

test('an added method is not a loss; a removed one, a replaced one and a cleared list are', () => {
  const app = { MethodType: 6, Default: true };
  const sms = { MethodType: 0, Default: false };
  const added = diffMfaMethods(pretty([app]), pretty([app, sms]))!;
  assert.deepEqual([added.change, added.added, losesMfaMethod(added)], ['added', [0], false]);
  const removed = diffMfaMethods(pretty([app, sms]), pretty([app]))!;
  assert.deepEqual([removed.change, removed.removed, losesMfaMethod(removed)], ['removed', [0], true]);
  const replaced = diffMfaMethods(pretty([app]), pretty([{ MethodType: 7, Default: true }]))!;
  assert.deepEqual([replaced.change, losesMfaMethod(replaced)], ['replaced', true]);
  const cleared = diffMfaMethods(pretty([app]), '[]')!;
  assert.deepEqual([cleared.change, losesMfaMethod(cleared)], ['cleared', true]);
  const first = diffMfaMethods('', pretty([app]))!;
  assert.deepEqual([first.change, losesMfaMethod(first)], ['added', false]);
});

test('values that are not method lists give no answer rather than a wrong one', () => {
  assert.equal(diffMfaMethods('not json', '[]'), null);
  assert.equal(diffMfaMethods('{"MethodType":1}', '[]'), null);
});
