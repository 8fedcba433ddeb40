import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyStats } from '../../collector/context.js';
import { AppError } from '../../core/errors.js';
import { collectOptions, historyLeaseNote, runEnding } from './collect.js';

/** Issue 18.16: a run that left gaps says so in its exit status and its summary, not "done" and 0. */
test('a run that refused or failed blobs or windows exits 1 and names the tenant; a complete run exits 0', () => {
  const done = { ...emptyStats('t1', 'contoso'), state: 'done' as const, blobsFetched: 3 };
  const refused = { ...emptyStats('t2', 'fabrikam'), state: 'done' as const, blobsRefused: 1, windowsFailed: 2 };
  assert.deepEqual(runEnding({ tenants: [done], passes: 1, stopped: false, ok: true }), { code: 0, lines: [] });
  const ending = runEnding({ tenants: [done, refused], passes: 1, stopped: false, ok: true });
  assert.equal(ending.code, 1);
  assert.deepEqual(ending.lines, [
    'tenantwatch: fabrikam: 1 blob not fetched, 2 windows failed; see tenantwatch coverage fabrikam --gaps\n',
  ]);
});

/** Issue 17 item 6: an interrupted collect said "done"; it says it was interrupted and how to go on. */
test('a first run that started the subscriptions and listed nothing says why, and still exits 0', () => {
  const fresh = { ...emptyStats('t1', 'contoso'), state: 'done' as const, subscriptionsStarted: 5 };
  const ending = runEnding({ tenants: [fresh], passes: 1, stopped: false, ok: true });
  assert.equal(ending.code, 0);
  assert.deepEqual(ending.lines, [
    "tenantwatch: contoso: nothing listed yet: its subscriptions are new, and Microsoft lists a new subscription's first content up to 12 hours after it starts; no window is marked collected until then. Run the same command again later\n",
  ]);
  // A later run inside the 12 hours (the subscriptions were started by an earlier one) says the same.
  const waiting = { ...emptyStats('t1', 'contoso'), state: 'done' as const, windowsAwaitingFirstContent: 40 };
  assert.equal(runEnding({ tenants: [waiting], passes: 1, stopped: false, ok: true }).lines.length, 1);
  const listed = { ...fresh, blobsListed: 3, blobsFetched: 3 };
  assert.deepEqual(runEnding({ tenants: [listed], passes: 1, stopped: false, ok: true }).lines, []);
  // Some feeds listed content, one (DLP.All, which records nothing yet) still waits: that is said too.
  const partly = { ...listed, windowsAwaitingFirstContent: 8 };
  const said = runEnding({ tenants: [partly], passes: 1, stopped: false, ok: true });
  assert.equal(said.code, 0);
  assert.deepEqual(said.lines, [
    "tenantwatch: contoso: 8 windows of a new subscription wait for Microsoft's first content (listed up to 12 hours after it starts) and are not marked collected yet; they are listed again by the next run (tenantwatch coverage contoso --gaps)\n",
  ]);
  // One window: the sentence agrees with it (it said "1 window(s) … wait … are … they are").
  const one = runEnding({
    tenants: [{ ...partly, windowsAwaitingFirstContent: 1 }],
    passes: 1,
    stopped: false,
    ok: true,
  });
  assert.match(
    one.lines[0]!,
    /: 1 window of a new subscription waits for .* and is not marked collected yet; it is listed again/,
  );
});

test('an interrupted run says "interrupted — run the same command to continue" and exits 130, never done', () => {
  const stopped = { ...emptyStats('t1', 'contoso'), state: 'interrupted' as const, blobsFetched: 1, blobsListed: 4 };
  const ending = runEnding({ tenants: [stopped], passes: 0, stopped: true, ok: false });
  assert.equal(ending.code, 130);
  assert.deepEqual(ending.lines, [
    'tenantwatch: interrupted — run the same command to continue (nothing collected is lost)\n',
  ]);
  assert.doesNotMatch(ending.lines.join(''), /\bdone\b/);
});

const defaults: Parameters<typeof collectOptions>[0] = {
  since: '7d',
  interval: '60s',
  concurrency: '8',
  format: 'table',
  requestsPerMinute: '1800',
  lease: '2m',
  via: 'auto',
  retention: '180d',
  detect: true,
  forward: true,
};

test('every collect flag is checked up front; --via without --history is refused, not ignored', () => {
  const usage = (flags: Partial<Parameters<typeof collectOptions>[0]>, message: RegExp) =>
    assert.throws(
      () => collectOptions({ ...defaults, ...flags }),
      (e) => e instanceof AppError && e.code === 'USAGE' && message.test(e.message),
    );
  assert.equal(collectOptions(defaults).history, null);
  assert.equal(collectOptions({ ...defaults, history: '30d' }).history?.spanMs, 30 * 86_400_000);
  // It collected as if --via were not there, exit 0.
  usage({ via: 'bogus' }, /--via "bogus" is not a history source/);
  usage({ via: 'graph' }, /--via chooses where history comes from, and no --history was given/);
  // These were read only after a history fill had run to its end.
  usage({ history: '30d', since: '5x' }, /--since "5x"/);
  usage({ history: '30d', concurrency: '0' }, /--concurrency/);
  usage({ history: '30d', lease: 'soon' }, /--lease/);
  // "--since "0d" is not a duration" read as if 0d were misspelt.
  usage({ since: '0d' }, /^--since "0d" is zero: it needs a span longer than that$/);
  usage({ interval: '0s' }, /^--interval "0s" is zero/);
});

test('a --lease shorter than a history lease may be is said with --history (it is raised to 6m), not accepted in silence', () => {
  const note = (flags: Partial<Parameters<typeof collectOptions>[0]>) =>
    historyLeaseNote(collectOptions({ ...defaults, ...flags }), flags.lease ?? defaults.lease);
  assert.equal(
    note({ history: '30d', lease: '3m' }),
    "--lease 3m is shorter than a history lease may be: the history lease lasts 6m (three times the 120 s a request may take); the streams' leases last 3m",
  );
  assert.equal(note({ history: '30d', lease: '6m' }), null);
  assert.equal(note({ history: '30d', lease: '1h' }), null);
  // Without --history no history lease is taken: nothing to say.
  assert.equal(note({ lease: '3m' }), null);
});

test("a --lease shorter than one request's timeout is refused, naming the minimum (it ran out mid-request)", () => {
  const usage = (flags: Partial<Parameters<typeof collectOptions>[0]>, message: RegExp) =>
    assert.throws(
      () => collectOptions({ ...defaults, ...flags }),
      (e) => e instanceof AppError && e.code === 'USAGE' && message.test(e.message) && /--lease 2m/.test(e.hint ?? ''),
    );
  const expected =
    /^--lease "(1s|90s|1m)" is shorter than the 2m a lease must last: one request to Microsoft may take 120 s, and a lease is renewed only between requests$/;
  for (const lease of ['1s', '90s', '1m']) {
    usage({ lease }, expected);
    usage({ history: '30d', lease }, expected);
  }
  assert.equal(collectOptions({ ...defaults, lease: '2m' }).leaseMs, 120_000);
  assert.equal(collectOptions({ ...defaults, lease: '120s' }).leaseMs, 120_000);
});
