import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppError } from './errors.js';
import { checkTenantLabel } from './tenant-label.js';

test('a label search can reach is kept as given', () => {
  for (const label of ['contoso', 'case-2026.11_a', '6f1c2b3a-0000-4000-8000-00000000abcd', 'Fabrikam Ltd'])
    assert.equal(checkTenantLabel(label), label);
});

test('blank, comma, control characters, spaces around and very long labels are refused, saying why', () => {
  const cases: [string, RegExp][] = [
    ['', /is blank/],
    ['   ', /is blank/],
    ['a, b', /contains a comma/],
    ['a\x1b[2Jb', /contains a control character/],
    ['a\nb', /contains a control character/],
    [' a', /begins or ends with a space/],
    ['x'.repeat(201), /longer than 200 characters/],
  ];
  for (const [label, why] of cases)
    assert.throws(
      () => checkTenantLabel(label),
      (e: AppError) => e.code === 'BAD_INPUT' && why.test(e.message) && /^--tenant /.test(e.message) && !!e.hint,
      JSON.stringify(label),
    );
});
