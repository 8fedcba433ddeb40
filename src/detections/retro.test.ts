import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord } from '../core/record.js';
import { DAY, MINUTE } from '../core/time.js';
import { exchangeAdmin, signIn, spFile } from '../reports/testing/builders.js';
import { fixtureStore } from '../reports/testing/store.js';
import type { Store } from '../store/contract.js';
import type { Hit } from './contract.js';
import { createEvaluator } from './evaluator.js';
import { runRetro } from './retro.js';
import { PACK } from './testing/pack.js';
import { auditRule, rulesFrom, stored } from './testing/rules.js';

const T = Date.UTC(2026, 2, 10);
const at = (t: number) => new Date(t).toISOString().slice(0, 19);

/** Sign-ins from T − 3 days; with `since`, the tenant's records reach back 40 days (past the 30-day look-back). */
function history(since = true): AuditRecord[] {
  const out: AuditRecord[] = [];
  if (since) out.push(spFile('FileAccessed', { CreationTime: at(T - 40 * DAY) }));
  out.push(signIn(false, { CreationTime: at(T - 3 * DAY), UserId: 'megan@contoso.com', ClientIP: '192.0.2.1' }));
  out.push(signIn(false, { CreationTime: at(T + DAY), UserId: 'megan@contoso.com', ClientIP: '192.0.2.1' }));
  out.push(signIn(false, { CreationTime: at(T + DAY), UserId: 'megan@contoso.com', ClientIP: '203.0.113.8' }));
  for (let i = 0; i < 11; i++)
    out.push(
      signIn(true, {
        CreationTime: at(T + 2 * DAY + i * 30_000),
        UserId: 'megan@contoso.com',
        ClientIP: '203.0.113.8',
      }),
    );
  out.push(
    exchangeAdmin(
      'Set-Mailbox',
      { Identity: 'megan', ForwardingSmtpAddress: 'smtp:m@evil.example' },
      { CreationTime: at(T + 3 * DAY) },
    ),
  );
  out.push(
    exchangeAdmin(
      'Set-Mailbox',
      { Identity: 'megan', ForwardingSmtpAddress: 'smtp:m@evil.example' },
      { CreationTime: at(T - DAY) },
    ),
  );
  for (let i = 0; i < 50; i++) out.push(spFile('FileAccessed', { CreationTime: at(T + i * MINUTE) }));
  return out;
}

/** Counts the records the store hands out, to see what the prefilter saved. */
function counting(store: Store): { store: Store; read: () => number } {
  let n = 0;
  const search = store.records.search.bind(store.records);
  const records = Object.create(store.records) as Store['records'];
  records.search = async function* (...args: Parameters<typeof search>) {
    for await (const r of search(...args)) {
      n++;
      yield r;
    }
  };
  return { store: { ...store, records }, read: () => n };
}

const key = (h: Hit) => `${h.ruleId} ${h.groupKey} ${[...h.recordIds].sort().join(',')}`;

test('retro over the store gives the hits of the same records pushed live, in the range only', async () => {
  const records = history();
  const store = await fixtureStore(records);
  try {
    const { store: spy, read } = counting(store);
    const retro = await runRetro(spy, PACK, { start: T, end: T + 5 * DAY });
    const live = createEvaluator(PACK);
    const inRange = records.filter((r) => r.creationTime >= T && r.creationTime < T + 5 * DAY);
    live.observe(records.filter((r) => r.creationTime < T).map((r) => stored(r)));
    const liveHits = [...live.push(inRange.map((r) => stored(r))), ...live.flush()];
    assert.deepEqual(retro.map(key).sort(), liveHits.map(key).sort());
    const titles = retro.map((h) => h.title);
    assert.ok(titles.includes('Brute force against one account'));
    assert.ok(titles.includes('Mailbox forwarding set to an address outside the organisation'));
    assert.equal(
      titles.filter((t) => t === 'Sign-in from an address new for the user').length,
      1,
      'the look-back knows 192.0.2.1',
    );
    assert.ok(read() < records.length - 40, `read ${read()} of ${records.length}: FileAccessed is no rule's`);
  } finally {
    await store.close();
  }
});

test('a first-seen value is not called new while the stored history is shorter than the look-back', async () => {
  const store = await fixtureStore(history(false));
  try {
    const withheld: { title: string; values: number }[] = [];
    const hits = await runRetro(store, PACK, {
      start: T,
      end: T + 5 * DAY,
      onWithheld: (list) => withheld.push(...list.map((w) => ({ title: w.rule.info.title, values: w.values }))),
    });
    const titles = hits.map((h) => h.title);
    assert.ok(titles.includes('Brute force against one account'), 'the other rules raise as before');
    assert.equal(titles.filter((t) => t === 'Sign-in from an address new for the user').length, 0);
    // 192.0.2.1 is known from T − 3 days; 203.0.113.8 is unseen, but 3 days of records say nothing of 30.
    assert.deepEqual(withheld, [{ title: 'Sign-in from an address new for the user', values: 1 }]);
  } finally {
    await store.close();
  }
});

test('retro runs a rule without a prefilter over every record, and honours tenants', async () => {
  const set = rulesFrom(auditRule("  sel:\n    ObjectId|contains: 'Budget'\n  condition: sel"));
  const store = await fixtureStore([
    spFile('FileAccessed', { CreationTime: at(T + MINUTE), ObjectId: 'https://x/Budget.xlsx' }),
  ]);
  try {
    assert.equal((await runRetro(store, set, { start: T, end: T + DAY })).length, 1);
    assert.equal((await runRetro(store, set, { start: T, end: T + DAY, tenants: ['other'] })).length, 0);
  } finally {
    await store.close();
  }
});
