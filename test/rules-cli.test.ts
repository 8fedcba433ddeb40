import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';
import { BOMB } from '../src/detections/testing/rules.js';

const BAD = `title: Bad
logsource: {product: m365, service: audit}
detection:
  sel:
    Operation|containz: x
  condition: sel
level: low
`;

test('rules list, show, validate and test', async () => {
  const { dir, cleanup } = tempDir('tw-rules-');
  try {
    const data = { dataDir: dir };
    const list = await runCli(['rules', 'list', '--format', 'json'], data);
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as {
      count: number;
      rules: { name: string; severity: string; runbook: string | null }[];
    };
    assert.ok(listed.count >= 25);
    assert.ok(
      listed.rules.some((r) => r.name === 'unified-audit-log-disabled' && r.severity === 'critical' && r.runbook),
    );

    // A listing: jsonl (one rule a line, as json's rows) and csv (BOM, header) too.
    const jsonl = await runCli(['rules', 'list', '--format', 'jsonl'], data);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const lines = jsonl.stdout.trim().split('\n');
    assert.equal(lines.length, listed.count);
    assert.deepEqual(JSON.parse(lines[0]!), listed.rules[0]);
    const csv = await runCli(['rules', 'list', '--format', 'csv'], data);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /^\ufeffname,/);
    assert.equal(csv.stdout.trim().split('\n').length, listed.count + 1);

    const show = await runCli(['rules', 'show', 'mailbox-audit-bypass'], data);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /Runbook:/);
    assert.match(show.stdout, /Set-MailboxAuditBypassAssociation/);
    assert.equal((await runCli(['rules', 'show', 'no-such-rule'], data)).code, 1);

    const folder = join(dir, 'mine');
    mkdirSync(folder);
    writeFileSync(join(folder, 'bad.yml'), BAD);
    const validate = await runCli(['rules', 'validate', folder, '--format', 'json'], data);
    assert.equal(validate.code, 1);
    const problems = (JSON.parse(validate.stdout) as { problems: { file: string; line: number; message: string }[] })
      .problems;
    assert.deepEqual(
      problems.map((p) => [p.file.endsWith('bad.yml'), p.line, /unknown modifier "containz"/.test(p.message)]),
      [[true, 5, true]],
    );
    assert.equal((await runCli(['rules', 'validate'], data)).code, 0, 'the pack validates');

    const records = join(dir, 'records.ndjson');
    const base = {
      RecordType: 1,
      Workload: 'Exchange',
      OrganizationId: 'contoso',
      UserId: 'adele@contoso.com',
      ResultStatus: 'True',
    };
    writeFileSync(
      records,
      [
        {
          ...base,
          Id: 'a1',
          CreationTime: '2026-11-02T10:00:00',
          Operation: 'Set-AdminAuditLogConfig',
          Parameters: [{ Name: 'UnifiedAuditLogIngestionEnabled', Value: 'False' }],
        },
        {
          ...base,
          Id: 'a2',
          CreationTime: '2026-11-02T10:05:00',
          Operation: 'Set-AdminAuditLogConfig',
          Parameters: [{ Name: 'UnifiedAuditLogIngestionEnabled', Value: 'True' }],
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const tested = await runCli(['rules', 'test', records, '--format', 'json'], data);
    assert.equal(tested.code, 0, tested.stderr);
    const out = JSON.parse(tested.stdout) as { records: number; hits: { title: string; recordIds: string[] }[] };
    assert.equal(out.records, 2);
    assert.deepEqual(
      out.hits.map((h) => [h.title, h.recordIds]),
      [['Unified audit log ingestion switched off', ['a1']]],
    );
    assert.doesNotMatch(tested.stderr, /note/, 'no first-seen rule had a candidate');

    // Two sign-ins a day apart from different addresses: unseen before, but two days of records cannot
    // say an address is new for 30 days; the command says why nothing was found.
    const signIns = join(dir, 'sign-ins.ndjson');
    writeFileSync(
      signIns,
      ['2026-11-01T08:00:00', '2026-11-02T08:00:00']
        .map((CreationTime, i) =>
          JSON.stringify({
            ...base,
            RecordType: 15,
            Workload: 'AzureActiveDirectory',
            Operation: 'UserLoggedIn',
            Id: `s${i}`,
            CreationTime,
            ClientIP: `203.0.113.${i + 1}`,
          }),
        )
        .join('\n') + '\n',
    );
    const fresh = await runCli(['rules', 'test', signIns, '--rule', 'new-sign-in-address', '--format', 'json'], data);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal((JSON.parse(fresh.stdout) as { count: number }).count, 0);
    assert.match(
      fresh.stderr,
      /"Sign-in from an address new for the user": 2 values seen for the first time were not called new: .* 30-day look-back/,
    );
  } finally {
    cleanup();
  }
});

test('rule paths that do not exist stop the command; a YAML bomb or an empty folder is a problem of its own', async () => {
  const { dir, cleanup } = tempDir('tw-rules-');
  try {
    const data = { dataDir: dir };
    const missing = join(dir, 'nonexistent');
    const detect = await runCli(['detect', '--start', '30d', '--rules', missing], data);
    assert.equal(detect.code, 1, detect.stderr);
    assert.match(detect.stderr, /--rules: .*nonexistent: no such file or folder/);
    assert.doesNotMatch(detect.stderr, /rules?, \d+ hits?:/, 'nothing ran');
    const list = await runCli(['rules', 'list', '--rules', missing], data);
    assert.equal(list.code, 1, list.stderr);
    assert.equal(list.stdout, '');

    const bomb = join(dir, 'bomb.yml');
    const good = join(dir, 'good.yml');
    writeFileSync(bomb, BOMB);
    writeFileSync(good, BAD.replace('containz', 'contains').replace('title: Bad', 'title: Good'));
    const validate = await runCli(['rules', 'validate', bomb, good, '--format', 'json'], data);
    assert.equal(validate.code, 1, validate.stderr);
    const out = JSON.parse(validate.stdout) as { rules: number; problems: { file: string; line: number }[] };
    assert.equal(out.rules, 1, 'the good file loads');
    assert.deepEqual(
      out.problems.map((p) => [p.file, p.line]),
      [[bomb, 3]],
    );
    const listed = await runCli(['rules', 'list', '--no-pack', '--rules', bomb, '--rules', good], data);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /Good/);
    assert.match(listed.stderr, /1 rule problem/);
    const records = join(dir, 'one.ndjson');
    writeFileSync(
      records,
      '{"Id":"x","RecordType":1,"CreationTime":"2026-11-02T10:00:00","Operation":"Set-Mailbox"}\n',
    );
    const tested = await runCli(['rules', 'test', records, '--no-pack', '--rules', bomb, '--rules', good], data);
    assert.equal(tested.code, 0, tested.stderr);
    assert.match(tested.stderr, /1 rule problem: those rules did not run/, '"0 hits" is not their verdict');

    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const none = await runCli(['rules', 'validate', empty], data);
    assert.equal(none.code, 1, none.stdout);
    assert.match(none.stdout, /no Sigma rule files/);
  } finally {
    cleanup();
  }
});

test('rules test names the rows it could not read, with line and reason, as import counts them', async () => {
  const { dir, cleanup } = tempDir('tw-rules-');
  try {
    const file = join(dir, 'mixed.ndjson');
    const record = (id: string) =>
      JSON.stringify({
        Id: id,
        RecordType: 1,
        CreationTime: '2026-11-02T10:00:00',
        Operation: 'Set-Mailbox',
        OrganizationId: 'contoso',
        UserId: 'adele@contoso.com',
      });
    const lines = [record('r1'), '{"Id": "cut', 'not json', record('r2'), ...Array(6).fill('[1,2')];
    writeFileSync(file, lines.join('\n') + '\n');
    const tested = await runCli(['rules', 'test', file, '--format', 'json'], { dataDir: dir });
    assert.equal(tested.code, 0, tested.stderr);
    const out = JSON.parse(tested.stdout) as { records: number; rejected: number; rejects: { line: number }[] };
    assert.equal(out.records, 2);
    assert.equal(out.rejected, 8);
    assert.deepEqual(
      out.rejects.map((r) => r.line),
      [2, 3, 5, 6, 7],
    );
    assert.match(tested.stderr, /mixed\.ndjson: 8 rows are not records and were not tested\n {2}line 2: /);
    assert.match(tested.stderr, /… and 3 more/);
    // It said the path twice and, for a file that is not there, "Give JSON, NDJSON or a Purview CSV export".
    const missing = join(dir, 'nosuch.ndjson');
    const gone = await runCli(['rules', 'test', missing], { dataDir: dir });
    assert.equal(gone.code, 1, gone.stderr);
    assert.equal(gone.stderr, `tenantwatch: ${missing} does not exist. Check the path and the current folder\n`);
  } finally {
    cleanup();
  }
});
