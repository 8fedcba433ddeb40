import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exchangeAdmin } from '../../reports/testing/builders.js';
import { auditRule, errorsOf, hitsOf, rulesFrom } from '../testing/rules.js';
import { regexHazard } from './regex-safety.js';

test('patterns that can backtrack catastrophically are named with the reason', () => {
  assert.match(regexHazard('^(a+)+$', '')!, /nests a quantifier/);
  assert.match(regexHazard('(x+x+)+y', '')!, /nests a quantifier/);
  assert.match(regexHazard('^(\\w|\\d)+$', '')!, /alternatives that can match the same text/);
  assert.match(regexHazard('^(a|aa)+$', '')!, /alternatives that can match the same text/);
  assert.match(regexHazard('(A|a)+$', 'i')!, /alternatives that can match the same text/);
  assert.match(regexHazard('(a)\\1', '')!, /backreference/);
  assert.match(regexHazard('(?<x>a)\\k<x>', '')!, /backreference/);
  assert.match(regexHazard('(?<=a)b', '')!, /cannot be checked/);
  assert.match(regexHazard('a?'.repeat(26), '')!, /26 quantifiers/);
  // Exact counts are written out, and what they repeat is still judged.
  assert.match(regexHazard('^(a{2}|a)+$', '')!, /alternatives that can match the same text/);
  assert.match(regexHazard('^(a|a){30}$', '')!, /alternatives that can match the same text/);
  assert.match(regexHazard('^((a+){2})+$', '')!, /nests a quantifier/);
  assert.match(regexHazard('^(a{1,3}){2,}$', '')!, /nests a quantifier/);
  assert.match(regexHazard('(a+){26}', '')!, /26 quantifiers/);
  assert.match(regexHazard('(?:x{100}){100}', '')!, /written out only up to 4000 tokens/);
  // Star height 1, but polynomial of a high degree: a 200-character ObjectId of a's kept rules test busy for minutes.
  assert.match(
    regexHazard('^.*a.*a.*a.*a.*a.*a.*a.*a.*a.*b$', '')!,
    /^has 10 repetitions in a row that can take the same/,
  );
  assert.match(regexHazard('^\\w*\\d*\\w*$', '')!, /^has 3 repetitions in a row.*different characters/);
  assert.match(regexHazard('^(?:x|.*a.*a.*b)$', '')!, /^has 3 repetitions in a row/);
  // Without ^ the engine tries every start: that search is the first repetition of the chain.
  assert.match(
    regexHazard('a.*a.*b', '')!,
    /^has 3 repetitions .*the search for where a match starts.*begin it with \^/,
  );
  assert.match(regexHazard('^.*a.*b', 'm')!, /^has 3 repetitions/);
});

test('an exact count is no choice to backtrack over: written out, a counted group in a counted group passes', () => {
  for (const safe of [
    '^(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$',
    '(ab{2}c){3}',
    '(?:x{2}){100}',
    '(?:\\d{1,3}\\.){3}\\d{1,3}',
  ])
    assert.equal(regexHazard(safe, ''), null, safe);
  const guid = new RegExp('^(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$');
  assert.ok(guid.test('abcd-0123-4567-0123456789ab'));
});

test('ordinary patterns pass: one level of repetition, alternatives that cannot overlap', () => {
  for (const safe of [
    '^\\s*([0-8]?[0-9])(\\.|\\s*$)', // the pack's audit-age-limit-lowered rule
    '[\\w-]+@contoso\\.com$',
    '(foo|foobar)+',
    '(A|a)+',
    '^(?:ab|cd){2}$',
    '.*\\.onmicrosoft\\.com',
    '^.*a.*b', // quadratic at most
    'foo.*bar',
    '\\d+\\.\\d+\\.\\d+\\.\\d+', // a repetition the next character cannot be taken by ends the chain
    '^[^/]*/[^/]*/[^/]*$',
    'https?://[^/]+/sites/[^/]+/.*\\.exe$',
  ])
    assert.equal(regexHazard(safe, ''), null, safe);
});

test('a rule with an unsafe regex is a problem with file and line; the other rules still load and run', () => {
  const set = rulesFrom(
    auditRule("  sel:\n    ObjectId|re: '^(a+)+$'\n  condition: sel"),
    auditRule('  sel:\n    Operation: Set-Mailbox\n  condition: sel').replace('0001', '0002'),
  );
  const [problem] = errorsOf(set.problems);
  assert.equal(problem?.file, 'rule-1.yml');
  assert.equal(problem?.line, 9);
  assert.match(problem.message, /"\^\(a\+\)\+\$" nests a quantifier.*not loaded; write it without nested/);
  assert.equal(set.rules.length, 1);
  const record = exchangeAdmin('Set-Mailbox', { Identity: 'a' });
  assert.equal(hitsOf(set, [{ ...record, objectId: `${'a'.repeat(40)}!` }]).length, 1);
});
