import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonSchema } from '../api.js';
import { kindOf } from './ReportForm.js';

const text: JsonSchema = { type: 'string' };
const list: JsonSchema = { type: 'array', items: text };

test('a parameter that takes a string or a list of them is a comma-separated list field', () => {
  // Tenants and Users (zod's string-or-list, JSON schema anyOf [string, array]) read as plain text, so the field
  // gave no "comma-separated" hint and sent "contoso, fabrikam" as one value.
  assert.equal(kindOf({ anyOf: [text, list] }), 'list');
  assert.equal(kindOf({ anyOf: [list, text] }), 'list');
  assert.equal(kindOf(list), 'list');
  assert.equal(kindOf(text), 'text');
  assert.equal(kindOf({ anyOf: [text, { type: 'null' }] }), 'text');
  assert.equal(kindOf({ type: 'integer' }), 'number');
  assert.equal(kindOf({ type: 'string', enum: ['admin', 'all'] }), 'enum');
});
