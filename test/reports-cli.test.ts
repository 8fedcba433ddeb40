import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { AppError } from '../src/core/errors.js';
import { Command } from 'commander';
import { kebab, reportOptions, reportParams } from '../src/cli/commands/report-flags.js';
import { parseFlags, writeResult } from '../src/cli/commands/report.js';
import { withTenantNames } from '../src/reports/export.js';
import { buildProgram, main } from '../src/cli/main.js';
import { findReport, listReports } from '../src/reports/registry.js';
import type { ListingFormat } from '../src/cli/output.js';
import type { ReportResult } from '../src/reports/types.js';
import { repoRoot } from './support/paths.js';

test('report flags: repeated flags become lists, kebab-case becomes camelCase, --format is taken out', () => {
  const { params, format } = parseFlags(['--tenant', 'a', '--tenant=b', '--burst-threshold', '5', '--format', 'json']);
  assert.deepEqual(params, { tenant: ['a', 'b'], burstThreshold: '5' });
  assert.equal(format, 'json');
  assert.equal(parseFlags(['--format', 'JSONL']).format, 'jsonl');
  assert.throws(
    () => parseFlags(['--user']),
    (e: AppError) => e.code === 'USAGE',
  );
  assert.throws(
    () => parseFlags(['--format', 'xml']),
    (e: AppError) => e.code === 'USAGE',
  );
  assert.throws(
    () => parseFlags(['stray']),
    (e: AppError) => e.code === 'USAGE',
  );
});

const result: ReportResult = {
  report: 'inbox-rules',
  parameters: { start: '2026-03-05T00:00:00Z', end: '2026-03-12T00:00:00Z' },
  summary: {
    records: 1,
    rows: 1,
    byUser: [],
    byOperation: [],
    byWorkload: [],
    byDay: [],
    byTenant: [],
    totals: { flagged: 1 },
  },
  rows: [{ tenant: 't', id: 'r1', rule: '=HYPERLINK("x")', findings: 'deletes messages, marks read' }],
};

/** inbox-rules' declared columns, the tenant's name beside its key: every CSV of it has this header. */
const INBOX_RULES_HEADER =
  'tenant,tenantName,id,time,user,operation,workload,clientIp,objectId,kind,rule,mailbox,forwardsTo,external,findings';

async function printed(format: ListingFormat, shown: ReportResult = result): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString('utf8')));
  await writeResult({ out }, shown, format);
  return text;
}

test('--format json prints report, parameters, summary and rows', async () => {
  const parsed = JSON.parse(await printed('json'));
  assert.deepEqual(Object.keys(parsed), ['report', 'parameters', 'summary', 'rows']);
  assert.equal(parsed.rows[0].id, 'r1');
});

test('--format csv is the search CSV: BOM, header, quoting and defused formulas; jsonl is one row per line', async () => {
  const csv = await printed('csv');
  assert.equal(csv.split('\r\n')[0], `\uFEFF${INBOX_RULES_HEADER}`);
  assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`));
  assert.ok(csv.includes('"deletes messages, marks read"'));
  assert.deepEqual(
    (await printed('jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id),
    ['r1'],
  );
});

test('an empty report still prints its CSV header; json is the result with no rows, jsonl nothing', async () => {
  const empty = { ...result, rows: [] };
  assert.equal(await printed('csv', empty), `\uFEFF${INBOX_RULES_HEADER}\r\n`);
  assert.deepEqual(JSON.parse(await printed('json', empty)).rows, []);
  assert.equal(await printed('jsonl', empty), '');
});

test("exports name each row's tenant beside its key (CLI and console use withTenantNames); unknown keys stay as they are", async () => {
  const named = withTenantNames(
    { ...result, rows: [...result.rows, { tenant: 'import-label', id: 'r2' }] },
    new Map([['t', 'contoso']]),
  );
  assert.deepEqual(Object.keys(named.rows[0]!), ['tenant', 'tenantName', 'id', 'rule', 'findings']);
  assert.equal(named.rows[0]!.tenantName, 'contoso');
  assert.equal('tenantName' in named.rows[1]!, false);
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString('utf8')));
  await writeResult({ out }, named, 'csv');
  assert.equal(text.split('\r\n')[0], `\uFEFF${INBOX_RULES_HEADER}`);
  assert.match(text.split('\r\n')[1]!, /^t,contoso,r1,/);
});

test('--format table shows the period and totals, then the rows with a count', async () => {
  // One row of one record is "1 row, 1 record" (it said "1 rows, 1 records").
  assert.match(
    await printed('table'),
    /inbox-rules: 1 row, 1 record, [\s\S]*flagged: 1[\s\S]*tenant\s+id\s+rule[\s\S]*1 row\n$/,
  );
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString('utf8')));
  await writeResult({ out }, { ...result, rows: [] }, 'table');
  assert.match(text, /flagged: 1\n\nNo findings\.\n$/);
});

test('every report is a sub-command whose help lists each parameter as a kebab-case flag, in the reference too', () => {
  const program = buildProgram({ exitCode: 0, controller: new AbortController() });
  const report = program.commands.find((c) => c.name() === 'report')!;
  const reference = readFileSync(join(repoRoot, 'docs', 'reference', 'cli.md'), 'utf8');
  for (const info of listReports()) {
    const help = report.commands.find((c) => c.name() === info.id)?.helpInformation() ?? '';
    const section = reference.split(`## tenantwatch report ${info.id}\n`)[1]?.split('\n## ')[0] ?? '';
    for (const name of Object.keys(info.parameters.properties ?? {})) {
      const flag = new RegExp(`--${kebab(name)}[ ,\\n]`);
      assert.match(help, flag, `${info.id} --help lists --${kebab(name)}`);
      assert.match(section, flag, `docs/reference/cli.md lists --${kebab(name)} of ${info.id}`);
    }
  }
});

test('report --help and report ID --help print help and exit 0', async () => {
  const write = process.stdout.write.bind(process.stdout);
  let printed = '';
  process.stdout.write = (chunk: string) => ((printed += chunk), true);
  try {
    assert.equal(await main(['node', 'tenantwatch', 'report', '--help']), 0);
    assert.match(printed, /inbox-rules \[options\]/);
    printed = '';
    assert.equal(await main(['node', 'tenantwatch', 'report', 'sign-ins', '--help']), 0);
    assert.match(printed, /--burst-threshold <n>/);
  } finally {
    process.stdout.write = write;
  }
});

test('report flags: a yes/no flag needs no value, lists repeat, and the engine accepts what they carry', () => {
  const read = (id: string, args: string[]) => {
    const info = listReports().find((r) => r.id === id)!;
    const command = new Command().exitOverride();
    for (const option of reportOptions(info.parameters)) command.addOption(option);
    command.parse(args, { from: 'user' });
    return findReport(id).parameters.parse(reportParams(info.parameters, command.opts())) as Record<string, unknown>;
  };
  assert.equal(read('inbox-rules', ['--suspicious-only']).suspiciousOnly, true);
  assert.equal(read('inbox-rules', ['--suspicious-only', 'no']).suspiciousOnly, false);
  assert.equal(read('inbox-rules', []).suspiciousOnly, false);
  const signIns = read('sign-ins', ['--tenant', 'a', '--tenant', 'b', '--burst-threshold', '5']);
  assert.deepEqual([signIns.tenant, signIns.burstThreshold, signIns.burstMinutes], [['a', 'b'], 5, 10]);
  assert.deepEqual(read('admin-activity', ['--roles', 'Exchange Administrator']).roles, ['Exchange Administrator']);
});
