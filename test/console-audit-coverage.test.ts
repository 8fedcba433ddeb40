import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ManualClock } from '../src/core/clock.js';
import { accountsOf, addUser, auditHookDone, signIn, TEST_ACTOR, type Browser } from '../src/server/auth/testing.js';
import { buildServer } from '../src/server/index.js';
import { CONTOSO, DAY, NOW, testDeps } from '../src/server/testing/fixtures.js';
import type { ServerDeps } from '../src/server/deps.js';

/**
 * What the console audit trail covers beyond the routes that name an action (ADR 0019, decision 9): every
 * read of records (the counts and timeline as well as the search, unless they only repeat a search just
 * recorded; the Search page's user suggestions under their own action), every refusal of a signed-in caller on any route, and a sign-in the rate limit refuses — once per
 * address and window; and what it leaves out (the overview the console loads, anyone not signed in).
 */
let deps: ServerDeps;
let app: FastifyInstance;
let clock: ManualClock;
let ivy: Browser;
let vic: Browser;

const range = 'start=7d&end=now';
async function entriesAfter(seq: number): Promise<string[]> {
  return (await deps.store.consoleAudit.list({ limit: 1_000 }))
    .filter((e) => e.seq > seq)
    .map((e) => `${e.actor} ${e.action} ${e.outcome} ${e.target ?? '-'}`);
}
async function lastSeq(): Promise<number> {
  return (await deps.store.consoleAudit.list({ limit: 1_000 })).at(-1)?.seq ?? 0;
}
let written: (res: LightMyRequestResponse) => Promise<void>;
async function get(browser: Browser, url: string, status: number): Promise<void> {
  const res = await app.inject(browser.with({ url }));
  assert.equal(res.statusCode, status, `${url}: ${res.body}`);
  await written(res);
}

before(async () => {
  deps = await testDeps({ auth: { loginRate: { max: 5, windowMs: 60_000 } } });
  clock = deps.clock as ManualClock;
  app = await buildServer(deps);
  written = auditHookDone(app);
  // A route added later gets the rule without naming an action.
  app.get('/api/new-read', { config: { role: 'investigator' } }, async () => ({ ok: true }));
  await addUser(deps.store, clock, { name: 'ivy', role: 'investigator', tenants: ['contoso'] });
  await addUser(deps.store, clock, { name: 'vic', role: 'viewer', tenants: ['contoso'] });
  ivy = await signIn(app, 'ivy');
  vic = await signIn(app, 'vic');
});

describe('console audit trail coverage', () => {
  test('counts, counts by a dimension and timelines are recorded, except the console repeating a search', async () => {
    const seq = await lastSeq();
    await get(ivy, `/api/search?${range}&user=adele@contoso.com&limit=50`, 200);
    await get(ivy, `/api/search/count?${range}&user=adele@contoso.com`, 200);
    await get(ivy, `/api/search/timeline?${range}&user=adele@contoso.com&bucket=day`, 200);
    await get(ivy, `/api/search/count?${range}&user=megan@contoso.com`, 200);
    await get(ivy, `/api/search/counts?${range}&by=user`, 200);
    await get(ivy, `/api/search/counts?${range}&by=clientIp`, 200);
    await get(ivy, `/api/search/timeline?${range}`, 200);
    clock.advance(61_000);
    await get(ivy, `/api/search/count?${range}&user=adele@contoso.com`, 200);
    await get(ivy, '/api/new-read', 200);
    assert.deepEqual(await entriesAfter(seq), [
      'ivy search ok -',
      'ivy search.count ok -',
      'ivy search.counts ok -',
      'ivy search.counts ok -',
      'ivy search.timeline ok -',
      'ivy search.count ok -',
      'ivy GET /api/new-read ok -',
    ]);
    const byUser = (await deps.store.consoleAudit.list({ action: 'search.counts' }))[0]!;
    assert.equal((byUser.details.query as Record<string, unknown>).by, 'user');
  });

  test('a search page with a cursor is recorded unless it continues a search just recorded', async () => {
    const seq = await lastSeq();
    const megan = `${range}&user=megan@contoso.onmicrosoft.com&limit=5`;
    const first = await app.inject(ivy.with({ url: `/api/search?${megan}` }));
    assert.equal(first.statusCode, 200, first.body);
    const next = first.json().next as string;
    assert.ok(next, 'the fixture has more than one page');
    // The console scrolling on: the same filters, the next page, within the half hour.
    clock.advance(20 * 60_000);
    vic = await signIn(app, 'vic'); // idle for half an hour: signed out
    await get(ivy, `/api/search?${megan}&cursor=${next}`, 200);
    // A cursor on other filters is no next page of anything recorded: an empty cursor is a first page, and a
    // cursor is only the last row's time, tenant and id, so one made up reads from wherever it says.
    await get(ivy, `/api/search?${range}&freeText=finance&cursor=`, 200);
    const madeUp = Buffer.from(JSON.stringify([9e15, '', ''])).toString('base64url');
    await get(ivy, `/api/search?${range}&freeText=calc&cursor=${madeUp}`, 200);
    await get(ivy, `/api/search?${range}&freeText=calc&cursor=${madeUp}`, 200);
    // A next page long after its search (no console scrolls on after half an hour) is recorded again.
    clock.advance(31 * 60_000);
    ivy = await signIn(app, 'ivy');
    vic = await signIn(app, 'vic');
    await get(ivy, `/api/search?${megan}&cursor=${next}`, 200);
    const searches = (await deps.store.consoleAudit.list({ action: 'search', limit: 1_000 })).filter(
      (e) => e.seq > seq,
    );
    assert.deepEqual(
      searches.map((e) => {
        const query = e.details.query as Record<string, unknown>;
        return `${e.actor} ${e.outcome} ${String(query.user ?? query.freeText)}${query.cursor === undefined ? '' : ' cursor'}`;
      }),
      [
        'ivy ok megan@contoso.onmicrosoft.com',
        'ivy ok finance cursor',
        'ivy ok calc cursor',
        'ivy ok megan@contoso.onmicrosoft.com cursor',
      ],
    );
  });

  test("a request made with an API token is recorded with the token's name, never its secret", async () => {
    const seq = await lastSeq();
    const made = await accountsOf(deps.store, clock).addToken(TEST_ACTOR, { name: 'siem-feed', user: 'ivy' });
    const bearer = { authorization: `Bearer ${made.token}` };
    assert.equal((await app.inject({ url: `/api/search/counts?${range}&by=user`, headers: bearer })).statusCode, 200);
    const [entry] = (await deps.store.consoleAudit.list({ action: 'search.counts', limit: 1_000 })).filter(
      (e) => e.seq > seq,
    );
    assert.equal(`${entry?.actor} ${entry?.via} ${String(entry?.details.tokenName)}`, 'ivy token siem-feed');
    assert.ok(!JSON.stringify(entry).includes(made.token.slice(20)), 'no secret in the trail');
  });

  test("a next page or count through another of the user's tokens is recorded, naming that token", async () => {
    await addUser(deps.store, clock, { name: 'tara', role: 'investigator' });
    const accounts = accountsOf(deps.store, clock);
    const narrow = await accounts.addToken(TEST_ACTOR, { name: 'tara-contoso', user: 'tara', tenants: ['contoso'] });
    const wide = await accounts.addToken(TEST_ACTOR, { name: 'tara-all', user: 'tara' });
    const as = async (token: string, url: string) => {
      const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      await written(res);
    };
    const seq = await lastSeq();
    await as(narrow.token, `/api/search?${range}&limit=5`);
    // The other token reads every tenant: its pages and counts are no follow-up of a search of contoso alone.
    const madeUp = Buffer.from(JSON.stringify([9e15, '', ''])).toString('base64url');
    await as(wide.token, `/api/search/count?${range}`);
    await as(wide.token, `/api/search?${range}&limit=5&cursor=${madeUp}`);
    assert.deepEqual(
      (await deps.store.consoleAudit.list({ limit: 1_000 }))
        .filter((e) => e.seq > seq)
        .map((e) => `${e.actor} ${e.action} ${String(e.details.tokenName)}`),
      ['tara search tara-contoso', 'tara search.count tara-all', 'tara search tara-all'],
    );
  });

  test('every refusal of a signed-in caller is recorded: tenant scope and role, on any route', async () => {
    const seq = await lastSeq();
    await get(ivy, '/api/coverage?tenant=fabrikam', 403);
    await get(ivy, '/api/posture/fabrikam', 403);
    await get(ivy, '/api/alerts?tenant=fabrikam', 403);
    await get(ivy, '/api/rule-history?tenant=fabrikam', 403);
    await get(ivy, `/api/search/counts?${range}&by=user&tenant=fabrikam`, 403);
    await get(vic, `/api/search/counts?${range}&by=user`, 403);
    await get(vic, '/api/admin/users', 403);
    await get(vic, '/api/new-read', 403);
    assert.deepEqual(await entriesAfter(seq), [
      'ivy access denied fabrikam',
      'ivy access denied fabrikam',
      'ivy access denied fabrikam',
      'ivy access denied fabrikam',
      'ivy search.counts denied fabrikam',
      'vic search.counts denied -',
      'vic access denied GET /api/admin/users',
      'vic access denied GET /api/new-read',
    ]);
    const posture = (await deps.store.consoleAudit.list({ action: 'access' })).find((e) => e.actor === 'ivy')!;
    assert.equal(posture.details.route, 'GET /api/coverage');
    assert.equal(posture.details.status, 403);
  });

  test("the Search page's user suggestions are recorded under their own action, and take no filter that would make them a search", async () => {
    const seq = await lastSeq();
    // One hour asked, the whole UTC day answered: from the day rollups, never narrower than a day.
    const hour = `start=${new Date(NOW - 2 * 3_600_000).toISOString()}&end=${new Date(NOW - 3_600_000).toISOString()}`;
    const res = await app.inject(ivy.with({ url: `/api/search/user-suggestions?${hour}` }));
    assert.equal(res.statusCode, 200, res.body);
    const day = { start: NOW - (NOW % DAY), end: NOW - (NOW % DAY) + DAY };
    const expected = await deps.store.records.countBy({ range: day, tenants: [CONTOSO] }, 'user', { limit: 500 });
    assert.ok(expected.length > 0);
    assert.deepEqual(res.json(), { users: expected });
    await get(ivy, `/api/search/user-suggestions?${range}&tenant=contoso`, 200);
    // A filter would turn it into a search: refused, not answered.
    for (const extra of ['user=adele@contoso.onmicrosoft.com', 'freeText=calc', 'ip=203.0.113.5', 'by=clientIp'])
      await get(ivy, `/api/search/user-suggestions?${range}&${extra}`, 400);
    // The role and the tenant scope hold, and their refusals are recorded as on any route.
    await get(ivy, `/api/search/user-suggestions?${range}&tenant=fabrikam`, 403);
    await get(vic, `/api/search/user-suggestions?${range}`, 403);
    assert.deepEqual(await entriesAfter(seq), [
      'ivy search.user-suggestions ok -',
      'ivy search.user-suggestions ok contoso',
      'ivy search.user-suggestions failed -',
      'ivy search.user-suggestions failed -',
      'ivy search.user-suggestions failed -',
      'ivy search.user-suggestions failed -',
      'ivy search.user-suggestions denied fabrikam',
      'vic search.user-suggestions denied -',
    ]);
    // What was asked is in the entry: the period and the tenants, as every recorded read's query.
    const first = (await deps.store.consoleAudit.list({ action: 'search.user-suggestions' }))[0]!;
    assert.equal(first.via, 'session');
    assert.deepEqual(Object.keys(first.details.query as object).sort(), ['end', 'start']);
    assert.equal(first.details.status, 200);
  });

  test("the Search page's user suggestions are recorded once per caller, period and tenants in half an hour", async () => {
    await addUser(deps.store, clock, { name: 'ines', role: 'investigator', tenants: ['contoso', 'fabrikam'] });
    const ines = await signIn(app, 'ines');
    const seq = await lastSeq();
    const week = '/api/search/user-suggestions?start=7d&end=now';
    const day = '/api/search/user-suggestions?start=1d&end=now';
    // The page opened, and asked again after each search run from it: one entry.
    await get(ines, week, 200);
    await get(ines, week, 200);
    clock.advance(10 * 60_000);
    await get(ines, week, 200);
    // Another period, other tenants (a set: in any order the same), another caller: recorded.
    await get(ines, day, 200);
    await get(ines, `${week}&tenant=contoso`, 200);
    await get(ines, `${week}&tenant=contoso&tenant=fabrikam`, 200);
    await get(ines, `${week}&tenant=fabrikam&tenant=contoso`, 200);
    await get(ivy, day, 200);
    // Refusals are recorded every time, as on any route.
    await get(ines, `${week}&user=adele@contoso.onmicrosoft.com`, 400);
    await get(ines, `${week}&user=adele@contoso.onmicrosoft.com`, 400);
    // Half an hour after its entry (not after the calls it covered) it is recorded again; the others are not yet.
    clock.advance(20 * 60_000);
    vic = await signIn(app, 'vic'); // idle for half an hour: signed out
    await get(ines, week, 200);
    await get(ines, `${week}&tenant=contoso`, 200);
    const entries = (await deps.store.consoleAudit.list({ action: 'search.user-suggestions', limit: 1_000 }))
      .filter((e) => e.seq > seq)
      .map((e) => {
        const { start, end, tenant } = e.details.query as Record<string, unknown>;
        return [e.actor, e.outcome, start, end, tenant];
      });
    assert.deepEqual(entries, [
      ['ines', 'ok', '7d', 'now', undefined],
      ['ines', 'ok', '1d', 'now', undefined],
      ['ines', 'ok', '7d', 'now', 'contoso'],
      ['ines', 'ok', '7d', 'now', ['contoso', 'fabrikam']],
      ['ivy', 'ok', '1d', 'now', undefined],
      ['ines', 'failed', '7d', 'now', undefined],
      ['ines', 'failed', '7d', 'now', undefined],
      ['ines', 'ok', '7d', 'now', undefined],
    ]);
  });

  test('the overview the console loads, and requests of nobody signed in, are not recorded', async () => {
    const seq = await lastSeq();
    for (const url of ['/api/tenants', '/api/coverage', '/api/posture', '/api/alerts', '/api/auth/me'])
      await get(vic, url, 200);
    assert.equal((await app.inject({ url: `/api/search?${range}` })).statusCode, 401);
    assert.equal((await app.inject({ url: `/api/search/counts?${range}&by=user` })).statusCode, 401);
    assert.deepEqual(await entriesAfter(seq), []);
  });

  test('a sign-in the rate limit refuses is recorded once per address and window', async () => {
    clock.advance(61_000);
    const seq = await lastSeq();
    const attempt = async () =>
      (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { name: 'ivy', password: 'guess-guess!' } }))
        .statusCode;
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push(await attempt());
    clock.advance(61_000);
    for (let i = 0; i < 7; i++) codes.push(await attempt());
    // ivy's fifth failure locks the account: later attempts that pass the rate limit are SIGNIN_LOCKED (429).
    assert.deepEqual(codes, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429, 429, 429, 429]);
    const trail = await deps.store.consoleAudit.list({ limit: 1_000 });
    const refused = trail.filter((e) => e.seq > seq && e.details.reason === 'rate limited');
    assert.deepEqual(
      refused.map((e) => `${e.actor} ${e.action} ${e.outcome} ${e.address}`),
      ['- signin denied 127.0.0.1', '- signin denied 127.0.0.1'],
    );
    assert.equal(refused[0]!.details.limit, '5 per minute');
  });
});
