import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalKey, isGuid } from './guid.js';

test('a GUID is keyed in lower case; anything not shaped like one is kept exactly', () => {
  const guid = '0e8108b1-18e9-41a4-961b-dfcddf92ef08';
  assert.equal(canonicalKey(guid.toUpperCase()), guid);
  assert.equal(canonicalKey('0E8108b1-18e9-41A4-961b-dfcddf92ef08'), guid);
  assert.equal(canonicalKey(guid), guid);
  for (const kept of [
    `{${guid.toUpperCase()}}`,
    guid.toUpperCase().slice(1),
    'G' + guid.toUpperCase().slice(1),
    guid.toUpperCase().replace(/-/g, ''),
    'Case-2026',
    'ANONYMIZED',
    'derived:ABCDEF',
  ])
    assert.equal(canonicalKey(kept), kept, kept);
  assert.equal(isGuid(guid.toUpperCase()), true);
  assert.equal(isGuid('Case-2026'), false);
});
