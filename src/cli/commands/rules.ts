import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import type { StoredRecord } from '../../core/record.js';
import type { Hit } from '../../detections/contract.js';
import { createEvaluator } from '../../detections/evaluator.js';
import { requireRulePaths, withheldLine } from './detect.js';
import { append } from '../../detections/hits.js';
import { loadRuleSet } from '../../detections/loader.js';
import type { Rule, RuleSet } from '../../detections/types.js';
import { parseFile } from '../../ingest/import/parse-file.js';
import type { CliContext } from '../context.js';
import {
  countOf,
  formatOption,
  LISTING_FORMATS,
  noteIfEmpty,
  parseFormat,
  writeListing,
  type ListingColumn,
} from '../output.js';
import type { Runner } from '../run.js';

/**
 * `tenantwatch rules list|show|validate|test`: the Sigma rules tenantwatch runs — the shipped pack
 * plus any `--rules DIR` — what each says and does, what is wrong with a folder of rules, and what a
 * rule finds in a file of records (JSON, NDJSON or a Purview CSV export), without touching the store.
 */
interface RuleFlags {
  rules: string[];
  pack: boolean;
  /** As typed; each action checks it with parseFormat against the formats it was given. */
  format: string;
}

const collect = (value: string, prior: string[]): string[] => [...prior, value];

/** `rules list` is a listing, so it takes jsonl and csv too; show, validate and test print table or json. */
function withRuleFlags(command: Command, formats: readonly string[] = ['table', 'json']): Command {
  return command
    .option('--rules <dir>', 'a folder (or file) of Sigma rules, repeatable', collect, [])
    .option('--no-pack', 'leave out the rule pack shipped with tenantwatch')
    .addOption(formatOption(formats));
}

function load(flags: RuleFlags): RuleSet {
  requireRulePaths(flags.rules, '--rules');
  return loadRuleSet({ paths: flags.rules, builtin: flags.pack });
}

export function register(program: Command, run: Runner): void {
  const rules = program.command('rules').description('Sigma detection rules: rules list|show|validate|test');
  withRuleFlags(rules.command('list').description('the rules that run: the pack and every --rules folder'), [
    ...LISTING_FORMATS,
  ]).action(
    run(async (ctx: CliContext, flags: RuleFlags) => {
      const format = parseFormat(flags.format);
      const set = load(flags);
      const rows = set.rules.map(ruleRow);
      if (format === 'json') ctx.out.write(JSON.stringify({ count: rows.length, rules: rows }, null, 2) + '\n');
      else if (format === 'jsonl') for (const row of rows) ctx.out.write(JSON.stringify(row) + '\n');
      else await writeListing(format, LIST_COLUMNS, rows, ctx.out, { noun: 'rule' });
      noteIfEmpty(ctx.err, format, rows.length, 'no rule loaded: leave out --no-pack, or give --rules DIR');
      const errors = set.problems.filter((p) => p.severity === 'error').length;
      if (errors) ctx.err.write(`tenantwatch: ${countOf(errors, 'rule problem')}; see tenantwatch rules validate\n`);
    }),
  );
  withRuleFlags(
    rules.command('show').description('one rule: metadata, runbook and source').argument('<rule>', 'id or name'),
  ).action(
    run(async (ctx: CliContext, wanted: string, flags: RuleFlags) => {
      const format = parseFormat(flags.format, ['table', 'json']);
      const rule = find(load(flags), wanted);
      const source = readFileSync(rule.info.file, 'utf8');
      if (format === 'json') return void ctx.out.write(JSON.stringify({ rule: ruleRow(rule), source }, null, 2) + '\n');
      ctx.out.write(showText(rule, source));
    }),
  );
  withRuleFlags(
    rules
      .command('validate')
      .description('load rules and list every problem with file and line; exit 1 on an error')
      .argument('[paths...]', 'rule files or folders (same as --rules)'),
  ).action(
    run(async (ctx: CliContext, paths: string[], flags: RuleFlags) => {
      const format = parseFormat(flags.format, ['table', 'json']);
      const set = loadRuleSet({
        paths: [...flags.rules, ...paths],
        builtin: flags.pack && !paths.length && !flags.rules.length,
      });
      const rows = set.problems.map((p) => ({ ...p, line: p.line ?? '' }));
      if (format === 'json')
        ctx.out.write(JSON.stringify({ rules: set.rules.length, problems: set.problems }, null, 2) + '\n');
      else if (rows.length) await writeListing('table', PROBLEM_COLUMNS, rows, ctx.out, { noun: 'problem' });
      else ctx.out.write(`${countOf(set.rules.length, 'rule')}, no problems\n`);
      return set.problems.some((p) => p.severity === 'error') ? 1 : 0;
    }),
  );
  withRuleFlags(
    rules
      .command('test')
      .description('run the rules over records in files (JSON, NDJSON, Purview CSV) and print the hits')
      .argument('<files...>', 'record files')
      .option('--rule <rule>', 'only this rule (id or name), repeatable', collect, [])
      .option('--tenant <tenant>', 'tenant key for records that carry none'),
  ).action(
    run(async (ctx: CliContext, files: string[], flags: RuleFlags & { rule: string[]; tenant?: string }) => {
      const format = parseFormat(flags.format, ['table', 'json']);
      const set = load(flags);
      const chosen = flags.rule.length ? only(set, flags.rule) : set;
      const evaluator = createEvaluator(chosen, { lateness: Infinity });
      const hits: Hit[] = [];
      let records = 0;
      const rejected = new Map<string, number>();
      const rejects: RejectSample[] = [];
      for (const file of files) {
        for await (const event of parseFile(file, {
          batchSize: 5000,
          ...(flags.tenant ? { tenant: flags.tenant } : {}),
        })) {
          if (event.kind === 'facts') {
            // The reader's own message names the file and its hint fits the failure (a path, a format), as import says.
            if (event.error) throw new AppError(event.error.code, event.error.message, { hint: event.error.hint });
            continue;
          }
          records += event.records.length;
          rejected.set(file, (rejected.get(file) ?? 0) + event.rejects.length);
          for (const r of event.rejects.slice(0, REJECT_SAMPLES - rejects.length))
            rejects.push({ file, line: r.line, reason: r.reason });
          append(hits, evaluator.push(event.records.map((r): StoredRecord => ({ ...r, ingestedAt: r.creationTime }))));
        }
      }
      append(hits, evaluator.flush());
      const unread = [...rejected.values()].reduce((a, b) => a + b, 0);
      if (format === 'json')
        ctx.out.write(JSON.stringify({ records, rejected: unread, rejects, count: hits.length, hits }, null, 2) + '\n');
      else await writeListing('table', HIT_COLUMNS, hits.map(hitRow), ctx.out, { noun: 'hit' });
      for (const [file, count] of rejected) if (count) ctx.err.write(rejectedLine(file, count, rejects));
      for (const { rule, values } of evaluator.withheld()) ctx.err.write(withheldLine(rule, values));
      // A rule that did not load found nothing: "0 hits" must not read as the rule's verdict.
      const errors = set.problems.filter((p) => p.severity === 'error').length;
      if (errors)
        ctx.err.write(
          `tenantwatch: ${countOf(errors, 'rule problem')}: those rules did not run; see tenantwatch rules validate\n`,
        );
    }),
  );
}

/** How many unreadable rows `rules test` names with line and reason (the rest are counted). */
const REJECT_SAMPLES = 5;

interface RejectSample {
  file: string;
  line: number;
  reason: string;
}

/**
 * Rows of a file that are no record were not tested: said with the count and the first few (line, reason),
 * as import counts them, so "0 hits" over a file that was mostly unreadable is not taken for a clean result.
 */
function rejectedLine(file: string, count: number, samples: readonly RejectSample[]): string {
  const mine = samples.filter((r) => r.file === file);
  const more = count - mine.length;
  return (
    `tenantwatch: ${file}: ${countOf(count, 'row')} ${count === 1 ? 'is not a record and was' : 'are not records and were'} not tested` +
    mine.map((r) => `\n  line ${r.line}: ${r.reason}`).join('') +
    (more > 0
      ? `\n  … and ${more.toLocaleString('en-US')} more (tenantwatch import writes every one to its rejects file)`
      : '') +
    '\n'
  );
}

function find(set: RuleSet, wanted: string): Rule {
  const lower = wanted.toLowerCase();
  const rule = set.rules.find((r) => r.info.id.toLowerCase() === lower || r.name?.toLowerCase() === lower);
  if (!rule)
    throw new AppError('NOT_FOUND', `No rule has the id or name "${wanted}"`, { hint: 'See tenantwatch rules list' });
  return rule;
}

/** The chosen rules and the rules their correlations need. */
function only(set: RuleSet, wanted: string[]): RuleSet {
  const chosen = new Set(wanted.map((w) => find(set, w)));
  for (const r of [...chosen]) if (r.kind === 'correlation') r.rules.forEach((x) => chosen.add(x));
  return { rules: set.rules.filter((r) => chosen.has(r)), problems: set.problems };
}

const LIST_COLUMNS: ListingColumn[] = [
  { key: 'name', title: 'NAME', max: 34 },
  { key: 'severity', title: 'LEVEL' },
  { key: 'kind', title: 'KIND' },
  { key: 'title', title: 'TITLE', max: 60 },
  { key: 'runs', title: 'RUNS' },
];

const PROBLEM_COLUMNS: ListingColumn[] = [
  { key: 'severity', title: 'SEVERITY' },
  { key: 'file', title: 'FILE', max: 60 },
  { key: 'line', title: 'LINE' },
  { key: 'rule', title: 'RULE', max: 40 },
  // A problem says what to do after what is wrong: cut at 100 characters, the remedy was lost.
  { key: 'message', title: 'PROBLEM', max: 400 },
];

const HIT_COLUMNS: ListingColumn[] = [
  { key: 'time', title: 'FIRST SEEN' },
  { key: 'severity', title: 'LEVEL' },
  { key: 'title', title: 'RULE', max: 50 },
  { key: 'group', title: 'GROUP', max: 30 },
  { key: 'records', title: 'RECORDS' },
  { key: 'facts', title: 'FACTS', max: 80 },
];

function ruleRow(r: Rule): Record<string, unknown> {
  return {
    ...r.info,
    name: r.name ?? r.info.id,
    line: r.line,
    runs: !r.applies ? `no: ${r.why ?? ''}` : r.kind !== 'correlation' && !r.generate ? 'for correlations' : 'yes',
    ...(r.kind === 'correlation' ? { correlates: r.rules.map((x) => x.name ?? x.info.id) } : {}),
  };
}

function hitRow(h: Hit): Record<string, unknown> {
  return {
    time: new Date(h.firstSeen).toISOString().replace('.000Z', 'Z'),
    severity: h.severity,
    title: h.title,
    group: h.groupKey,
    records: h.recordIds.length,
    facts: Object.entries(h.facts)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  };
}

function showText(rule: Rule, source: string): string {
  const i = rule.info;
  const lines = [
    `${i.title}`,
    `  id:          ${i.id}${rule.name ? `  (name: ${rule.name})` : ''}`,
    `  level:       ${i.severity}`,
    `  kind:        ${i.kind}`,
    `  runs:        ${String(ruleRow(rule).runs)}`,
    `  file:        ${i.file}${rule.line ? `:${rule.line}` : ''}`,
    `  tags:        ${i.tags.join(', ')}`,
    ...i.references.map((r, n) => `  ${n ? '             ' : 'references:  '}${r}`),
    '',
    i.description,
    '',
    ...(i.runbook ? ['Runbook:', ...i.runbook.split('\n').map((l) => `  ${l}`), ''] : []),
    'Source:',
    ...source
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
  ];
  return lines.join('\n') + '\n';
}
