import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { StoredRecord } from '../../core/record.js';
import { fakeEvaluator } from '../../detections/testing/hits.js';
import type { Store } from '../../store/contract.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { record, tenantRow } from '../../store/testing/fixtures.js';
import { tempDir } from '../../../test/support/paths.js';
import type { CliContext } from '../context.js';
import { listCommand, register, snoozeEnd } from './alerts.js';
import { detectCommand, register as registerDetect, type DetectEngine } from './detect.js';
import { Command } from 'commander';
import type { Action, Runner } from '../run.js';
import { toAppError } from '../../core/errors.js';

const NOW = Date.UTC(2026, 9, 2);
const TENANT = '6f1c2b3a-0000-4000-8000-00000000abcd';
let store: Store;
let dir: ReturnType<typeof tempDir>;
let out = '';
let err = '';

function context(): CliContext {
  out = '';
  err = '';
  return {
    locations: { dataDir: dir.dir, dbUrl: 'sqlite::memory:', secretKeyFile: join(dir.dir, 'k') },
    clock: new ManualClock(NOW),
    logger: silentLogger,
    out: new PassThrough().on('data', (d: Buffer) => (out += d.toString())),
    err: new PassThrough().on('data', (d: Buffer) => (err += d.toString())),
    store: async () => store,
    signal: new AbortController().signal,
    close: async () => undefined,
  };
}

/** The engine as detect sees it, with the fake evaluator over every stored record in the range. */
const engine: DetectEngine = {
  async run(s, _dirs, range) {
    const records: StoredRecord[] = [];
    for await (const r of s.records.search({ range: { start: range.start, end: range.end } })) records.push(r);
    const hits = fakeEvaluator(['Set-Mailbox']).push(records.reverse());
    return {
      rules: [],
      problems: [{ file: 'bad.yml', line: 3, rule: null, severity: 'error', message: 'unknown modifier |foo' }],
      hits,
    };
  },
};

/** Runs `tenantwatch alerts ARGS` through commander as the binary would, in process; returns the exit status. */
const alertsCli = (...args: string[]): Promise<number> => cli('alerts', ...args);

/** Runs `tenantwatch ARGS` (alerts or detect, with the real rule engine) in process; returns the exit status. */
async function cli(...args: string[]): Promise<number> {
  let code = 0;
  const ctx = context();
  const runner = (<A extends unknown[]>(action: Action<A>) =>
    async (...a: A): Promise<void> => {
      try {
        code = ((await action(ctx, ...a)) as number | undefined) ?? 0;
      } catch (e) {
        const error = toAppError(e);
        err += `tenantwatch: ${error.toLine()}\n`;
        code = error.exitCode;
      }
    }) as Runner;
  const program = new Command('tenantwatch').exitOverride();
  register(program, runner);
  registerDetect(program, runner);
  await program.parseAsync(['node', 'tenantwatch', ...args]);
  return code;
}

beforeEach(async () => {
  dir = tempDir('tw-alerts-');
  store = openSqliteStore(':memory:');
  await store.tenants.upsert(tenantRow({ name: 'contoso', tenantId: TENANT }));
  await store.records.insert([
    record({ tenant: TENANT, operation: 'Set-Mailbox', creationTime: NOW - 3_600_000, id: 'rec-a' }),
    record({ tenant: TENANT, operation: 'Set-Mailbox', creationTime: NOW - 1_800_000, id: 'rec-b' }),
    record({ tenant: TENANT, operation: 'FileAccessed', creationTime: NOW - 600_000, id: 'rec-c' }),
  ]);
});
afterEach(async () => {
  await store.close();
  dir.cleanup();
});

describe('detect and alerts commands', () => {
  test('detect --format json prints the alerts with rule, tenant, severity and record ids; a second run counts nothing twice', async () => {
    assert.equal(await detectCommand(context(), { start: '30d', format: 'json', tenant: ['contoso'] }, engine), 0);
    const first = JSON.parse(out) as {
      alerts: { ruleId: string; tenant: string; severity: string; recordIds: string[]; hits: number }[];
    };
    assert.deepEqual(
      first.alerts.map((a) => [a.ruleId, a.tenant, a.severity, a.recordIds, a.hits]),
      [['r1', TENANT, 'medium', ['rec-a', 'rec-b'], 2]],
    );
    assert.match(err, /bad\.yml:3: unknown modifier/, 'rule problems are named on stderr');
    await detectCommand(context(), { start: '30d', format: 'json' }, engine);
    const second = JSON.parse(out) as { alerts: { hits: number }[]; summary: { duplicates: number } };
    assert.equal(second.alerts[0]?.hits, 2);
    assert.equal(second.summary.duplicates, 2);
    await listCommand(context(), { status: ['new'], format: 'json' });
    const listed = JSON.parse(out) as { alerts: unknown[] };
    assert.deepEqual(listed.alerts, first.alerts, 'alerts list prints the same shape');
    // An hour of records: the pack's 30-day new-address rule says it calls nothing new yet, and until when.
    assert.match(
      err,
      /note: "Sign-in from an address new for the user" looks back 30 days .*: contoso \(until 2026-10-31\)\n/,
    );
    await assert.rejects(detectCommand(context(), { format: 'json' }, engine), { code: 'USAGE' });
    await assert.rejects(detectCommand(context(), { start: '1d', end: '2d' }, engine), { code: 'BAD_TIME' });
    await assert.rejects(detectCommand(context(), { start: '1d', tenant: ['nobody'] }, engine), {
      code: 'UNKNOWN_TENANT',
    });
  });

  test('detect takes every listing format: csv opens safely in Excel, jsonl is one alert a line', async () => {
    assert.equal(await detectCommand(context(), { start: '30d', format: 'csv' }, engine), 0);
    const lines = out.split('\r\n');
    assert.equal(lines[0], '\ufeffid,severity,status,tenant,ruleId,title,hits,recordTotal,lastSeen');
    assert.match(lines[1]!, /^al_[^,]+,medium,new,contoso,r1,/);
    assert.match(err, /0 rules, 2 hits: 1 alert raised/, 'the summary stays on stderr');
    assert.equal(await detectCommand(context(), { start: '30d', format: 'jsonl' }, engine), 0);
    assert.equal((JSON.parse(out.trim()) as { ruleId: string }).ruleId, 'r1');
    // Through commander, with the rule pack: a header even when nothing is raised.
    assert.equal(await cli('detect', '--start', '30d', '--format', 'csv', '--no-deliver'), 0, err);
    assert.ok(out.startsWith('\ufeffid,severity,status,tenant,'));
  });
  test('ack, resolve, exclude, snooze and show: clear errors for unknown ids and bad input', async () => {
    assert.equal(await alertsCli('exclusions'), 0);
    assert.equal(out, '', 'stdout keeps the (empty) listing');
    assert.match(
      err,
      /^tenantwatch: note: no exclusions: make one with tenantwatch alerts exclude/,
      'none is said on stderr, not an empty screen',
    );
    await detectCommand(context(), { start: '30d', format: 'json' }, engine);
    const id = (JSON.parse(out) as { alerts: { id: string }[] }).alerts[0]!.id;
    assert.equal(await alertsCli('ack', 'al_nope'), 1);
    assert.match(err, /No alert has the id "al_nope".*alerts list/);
    assert.equal(await alertsCli('ack', id, '--by', 'ann'), 0);
    assert.match(out, /acknowledged \(by ann\)/);
    assert.equal(await alertsCli('resolve', id, '--false-positive', '--by', 'bob', '--note', 'test mailbox'), 0);
    assert.equal((await store.alerts.get(id))?.status, 'false_positive');
    assert.equal(await alertsCli('exclude', id, '--user', 'x@y'), 2, 'no reason');
    assert.equal(await alertsCli('exclude', id, '--address', 'not-an-ip', '--reason', 'r'), 2);
    assert.match(err, /not an address or CIDR/);
    assert.equal(await alertsCli('exclude', id, '--address', '203.0.113.0/24', '--reason', 'office', '--by', 'ann'), 0);
    assert.equal((await store.alerts.listExclusions())[0]?.value, '203.0.113.0/24');
    assert.equal(
      await alertsCli('exclude', '--user', 'svc@x', '--reason', 'r', '--rule', '*', '--tenant', 'nobody'),
      1,
    );
    assert.equal(await alertsCli('snooze', id, '--until', 'yesterday'), 2);
    assert.equal(await alertsCli('snooze', id, '--until', '4h', '--reason', 'change window'), 0);
    assert.equal((await store.alerts.get(id))?.snoozedUntil, NOW + 4 * 3_600_000);
    assert.equal(await alertsCli('list', '--format', 'json'), 0);
    assert.deepEqual((JSON.parse(out) as { alerts: unknown[] }).alerts, [], 'a snoozed alert is hidden…');
    assert.equal(await alertsCli('list', '--snoozed', '--status', 'false_positive', '--format', 'json'), 0);
    assert.equal((JSON.parse(out) as { alerts: unknown[] }).alerts.length, 1, '…unless asked for');
    assert.equal(await alertsCli('list', '--status', 'open'), 2);
    assert.equal(await alertsCli('show', id), 0);
    // The tenant by its name, as alerts list shows it, not only a GUID.
    assert.match(out, new RegExp(`^tenant {3}contoso \\(${TENANT}\\)`, 'm'));
    assert.match(
      out,
      /Records \(2 of 2\)[\s\S]*Set-Mailbox[\s\S]*History:[\s\S]*acknowledged[\s\S]*false_positive: test mailbox/,
    );
    assert.equal(await alertsCli('show', id, '--format', 'json'), 0);
    assert.deepEqual(
      (JSON.parse(out) as { records: { id: string }[] }).records.map((r) => r.id),
      ['rec-a', 'rec-b'],
    );
    assert.throws(() => snoozeEnd('2020-01-01', NOW), { code: 'BAD_TIME' });
  });
  test('exclude --rule refuses a rule that is neither loaded nor named by an alert (exit 1, says how to list rules)', async () => {
    const exclude = (...rest: string[]): Promise<number> =>
      alertsCli('exclude', '--user', 'svc@x', '--reason', 'r', '--tenant', '*', ...rest);
    assert.equal(await exclude('--rule', 'nosuch'), 1);
    assert.match(err, /No rule has the id "nosuch".*tenantwatch rules list/);
    assert.deepEqual(await store.alerts.listExclusions(), [], 'nothing stored');
    assert.equal(await exclude('--rule', '*'), 0, 'every rule');
    assert.equal(await exclude('--rule', '9c3a4d5e-6f70-4b81-8c92-d4e5f6a7b801'), 0, "a rule of tenantwatch's pack");
    await detectCommand(context(), { start: '30d', format: 'json' }, engine);
    assert.equal(await exclude('--rule', 'r1'), 0, 'the rule of a stored alert');
    const own = join(dir.dir, 'own.yml');
    writeFileSync(
      own,
      'title: Own rule\nid: own-rule-1\nlogsource: {product: m365}\ndetection:\n  sel: {Operation: X}\n  condition: sel\n',
    );
    assert.equal(await exclude('--rule', 'own-rule-1'), 1);
    assert.equal(await exclude('--rule', 'own-rule-1', '--rules', own), 0, 'a rule of a --rules folder');
    assert.deepEqual((await store.alerts.listExclusions()).map((e) => e.ruleId).sort(), [
      '*',
      '9c3a4d5e-6f70-4b81-8c92-d4e5f6a7b801',
      'own-rule-1',
      'r1',
    ]);
  });
  test('show, ack and exclusions print record fields and notes without control characters; json keeps them exact', async () => {
    const evil = 'mallory\x1b]0;pwned\x07\x1b[2J\r\nFORGED line\u202e';
    await store.records.insert([
      record({
        tenant: TENANT,
        operation: 'Set-Mailbox',
        creationTime: NOW - 900_000,
        id: 'rec-e',
        userId: evil,
        objectId: evil,
      }),
    ]);
    await detectCommand(context(), { start: '30d', format: 'json' }, engine);
    const id = (JSON.parse(out) as { alerts: { id: string }[] }).alerts[0]!.id;
    assert.equal(await alertsCli('ack', id, '--by', evil, '--note', evil), 0);
    assert.equal(await alertsCli('exclude', id, '--user', evil, '--reason', evil, '--by', evil), 0);
    assert.equal(await alertsCli('exclusions'), 0);
    const exclusions = out;
    assert.match(exclusions, /by mallory .*: mallory /);
    // A listing: jsonl keeps the text exact (JSON escapes it), csv gives a header and one row.
    assert.equal(await alertsCli('exclusions', '--format', 'jsonl'), 0);
    assert.equal((JSON.parse(out) as { value: string; kind: string }).value, evil.trim());
    assert.equal(await alertsCli('exclusions', '--format', 'csv'), 0);
    assert.match(out, /^\ufeffid,kind,value,ruleId,tenant,hits,lastHitAt,author,reason,createdAt\r?\n/);
    assert.equal(await alertsCli('show', id), 0);
    const shown = out;
    for (const text of [shown, exclusions]) assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f\u202e]/);
    assert.match(shown, /mallory \]0;pwned {2}\[2J {2}FORGED line/, 'the text stays readable, on its own line');
    assert.doesNotMatch(shown, /^FORGED/m);
    assert.match(shown, /History:[\s\S]*acknowledged: mallory/);
    assert.equal(await alertsCli('show', id, '--format', 'json'), 0);
    const json = JSON.parse(out) as { records: { userId: string }[]; history: { note?: string }[] };
    assert.ok(
      json.records.some((r) => r.userId === evil),
      'json keeps the field exact',
    );
    assert.ok(json.history.some((h) => h.note === evil));
  });
  test('exclude with an alert id refuses --rule and --tenant: they were dropped without a word', async () => {
    await detectCommand(context(), { start: '30d', format: 'json' }, engine);
    const id = (JSON.parse(out) as { alerts: { id: string }[] }).alerts[0]!.id;
    // "--rule *" made an exclusion for the alert's rule only, and said so only in the line it printed.
    assert.equal(await alertsCli('exclude', id, '--user', 'svc@x', '--reason', 'r', '--rule', '*'), 2);
    assert.match(err, /--rule and --tenant are for an exclusion without an alert id\. .*--all-tenants/);
    assert.equal(await alertsCli('exclude', id, '--user', 'svc@x', '--reason', 'r', '--tenant', '*'), 2);
    assert.deepEqual(await store.alerts.listExclusions(), [], 'nothing stored');
    assert.equal(await alertsCli('exclude', id, '--user', 'svc@x', '--reason', 'r', '--all-tenants'), 0);
    assert.equal((await store.alerts.listExclusions())[0]?.tenant, '*');
  });

  test('exclusions --format json gives times as jsonl and csv do (ISO), not milliseconds', async () => {
    await detectCommand(context(), { start: '30d', format: 'json' }, engine);
    const id = (JSON.parse(out) as { alerts: { id: string }[] }).alerts[0]!.id;
    assert.equal(await alertsCli('exclude', id, '--user', 'svc@x', '--reason', 'backup'), 0);
    assert.equal(await alertsCli('exclusions', '--format', 'json'), 0);
    const json = JSON.parse(out) as { count: number; exclusions: { createdAt: unknown; lastHitAt: unknown }[] };
    assert.equal(await alertsCli('exclusions', '--format', 'jsonl'), 0);
    const line = JSON.parse(out) as { createdAt: unknown; lastHitAt: unknown };
    assert.equal(json.count, 1);
    assert.equal(json.exclusions[0]!.createdAt, new Date(NOW).toISOString());
    assert.deepEqual(json.exclusions[0], line, 'one exclusion, the same fields in json and jsonl');
  });
});
