import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { builtinRulesDir } from '../loader.js';
import { PACK } from '../testing/pack.js';

test('the pack loads without a problem', () => {
  assert.deepEqual(PACK.problems, []);
});

test('the pack has at least 25 alerting rules, each with its metadata, ATT&CK tags and runbook', () => {
  const alerting = PACK.rules.filter((r) => r.kind !== 'record' || r.generate);
  assert.ok(alerting.length >= 25, `${alerting.length} alerting rules`);
  for (const r of alerting) {
    const what = `${r.name ?? r.info.id} (${r.info.file})`;
    assert.ok(r.info.description.length > 20, `${what}: description`);
    assert.ok(r.info.references.length > 0, `${what}: references`);
    assert.ok(
      r.info.tags.some((t) => /^attack\.t\d{4}/.test(t)),
      `${what}: an ATT&CK technique tag`,
    );
    assert.ok((r.info.runbook ?? '').length > 40, `${what}: runbook`);
    assert.match(r.info.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, `${what}: a UUID id`);
  }
});

test('each rule file is named after its rule and each rule is tested beside it', () => {
  for (const r of PACK.rules) {
    const area = dirname(r.info.file);
    const tests = readdirSync(area).filter((f) => f.endsWith('.test.ts'));
    assert.equal(tests.length, 1, `${area} has one test file`);
    const text = readFileSync(join(area, tests[0]!), 'utf8');
    assert.ok(text.includes(`'${r.name}'`), `${r.name} is tested in ${tests[0]}`);
    const names = PACK.rules.filter((x) => x.info.file === r.info.file).map((x) => x.name);
    assert.ok(names.includes(basename(r.info.file, '.yml')), `${r.info.file} is named after one of its rules`);
  }
  assert.ok(PACK.rules.every((r) => r.info.file.startsWith(builtinRulesDir())));
  assert.ok(PACK.rules.some((r) => basename(r.info.file) === 'brute-force.yml'));
});
