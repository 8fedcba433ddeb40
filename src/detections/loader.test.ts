import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/paths.js';
import { exchangeAdmin } from '../reports/testing/builders.js';
import { loadRuleSet } from './loader.js';
import { auditRule, BOMB, errorsOf, hitsOf, rulesFrom } from './testing/rules.js';

const GOOD = auditRule('  sel:\n    Operation: Set-Mailbox\n  condition: sel');

function only(set: ReturnType<typeof rulesFrom>, file: string) {
  return set.problems.filter((p) => p.file === file);
}

test('bad rules give a problem with file and line and never stop the good ones', () => {
  const set = rulesFrom(
    GOOD,
    'title: Broken\ndetection:\n  sel: [unclosed\n  condition: sel\n',
    auditRule('  sel:\n    Operation|containz: x\n  condition: sel').replace('0001', '0002'),
    auditRule('  sel:\n    Operation: x\n  condition: sel and other').replace('0001', '0003'),
    auditRule('  sel:\n    Operation: x\n  condition: 1 of filter_*').replace('0001', '0004'),
  );
  const broken = only(set, 'rule-2.yml');
  assert.equal(broken[0]?.severity, 'error');
  assert.match(broken[0].message, /broken YAML/);
  assert.equal(typeof broken[0]?.line, 'number');
  const [modifier] = errorsOf(only(set, 'rule-3.yml'));
  assert.match(modifier!.message, /unknown modifier "containz"/);
  assert.equal(modifier!.line, 9);
  assert.equal(modifier!.rule, 'Test rule');
  const [missing] = errorsOf(only(set, 'rule-4.yml'));
  assert.match(missing!.message, /"other" is not a selection/);
  assert.equal(missing!.line, 10);
  assert.match(errorsOf(only(set, 'rule-5.yml'))[0]!.message, /matches no selection/);
  assert.equal(set.rules.length, 1);
  assert.equal(hitsOf(set, [exchangeAdmin('Set-Mailbox', { Identity: 'a' })]).length, 1);
});

test('a field that exists in none of the record types a rule applies to is a warning with its line', () => {
  const set = rulesFrom(auditRule('  sel:\n    Operation: Set-Mailbox\n    Parameterz.ForwardTo: x\n  condition: sel'));
  const [warning] = set.problems;
  assert.equal(warning?.severity, 'warning');
  assert.match(warning.message, /field "Parameterz.ForwardTo" exists in none/);
  assert.equal(warning?.line, 10);
  assert.equal(set.rules.length, 1, 'a warning does not drop the rule');
  const fine = rulesFrom(
    auditRule('  sel:\n    Operation: UserLoggedIn\n    ApplicationId: x\n    RequestType: y\n  condition: sel'),
  );
  assert.deepEqual(fine.problems, []);
});

test('unsupported constructs are named: aggregation pipe, timeframe, expand, temporal_ordered, unknown logsource', () => {
  const pipe = rulesFrom(auditRule('  sel:\n    Operation: x\n  condition: sel | count() by UserId > 5'));
  assert.match(errorsOf(pipe.problems)[0]!.message, /aggregation pipe.*correlation rule/);
  const expand = rulesFrom(auditRule("  sel:\n    UserId|expand: '%admins%'\n  condition: sel"));
  assert.match(errorsOf(expand.problems)[0]!.message, /modifier "expand" is not supported/);
  const ordered = rulesFrom(
    `title: C\nname: c\ncorrelation:\n  type: temporal_ordered\n  rules: [a]\n  timespan: 1h\nlevel: low\n`,
  );
  assert.match(errorsOf(ordered.problems)[0]!.message, /temporal_ordered is not supported/);
  const windows = rulesFrom(auditRule('  sel:\n    Operation: x\n  condition: sel').replace('m365', 'windows'));
  assert.equal(windows.rules[0]?.applies, false);
  assert.match(windows.problems[0]!.message, /not Microsoft 365.*not evaluated/);
});

test('loadRuleSet reads folders recursively and names a missing one', () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'one.yml'), GOOD);
    writeFileSync(join(dir, 'notes.txt'), 'not a rule');
    const set = loadRuleSet({ builtin: false, paths: [dir, join(dir, 'missing')] });
    assert.equal(set.rules.length, 1);
    assert.equal(set.rules[0]?.info.file, join(dir, 'a', 'one.yml'));
    assert.match(set.problems[0]!.message, /no such file/);
  } finally {
    cleanup();
  }
});

test('a YAML alias bomb is a problem of its file, at its first alias; the other files still load', () => {
  const set = rulesFrom(BOMB, GOOD);
  assert.deepEqual(
    set.problems.map((p) => [p.file, p.line, p.severity]),
    [['rule-1.yml', 3, 'error']],
  );
  assert.match(set.problems[0]!.message, /aliases .* more than 100 copies.*billion laughs/);
  assert.equal(set.rules.length, 1);
});

test('a folder with no Sigma rule files is an error, not "0 rules, no problems"', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'notes.txt'), 'not a rule');
    const set = loadRuleSet({ builtin: false, paths: [dir] });
    assert.deepEqual(
      set.problems.map((p) => [p.file, p.severity]),
      [[dir, 'error']],
    );
    assert.match(set.problems[0]!.message, /no Sigma rule files/);
  } finally {
    cleanup();
  }
});
