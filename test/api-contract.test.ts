import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { writeResult } from '../src/cli/commands/report.js';
import type { ApiResponse, ApiRoute, FileDownload, Redirect } from '../src/server/api-types.js';
import { buildServer, routesOf } from '../src/server/index.js';
import { CONTOSO, DAY, FABRIKAM, NOW, testDeps } from '../src/server/testing/fixtures.js';
import type { ReportResult } from '../src/reports/types.js';
import { api, files, links, searchFromUrl, type ApiCall, type Me } from '../web/src/api.js';
import { may, ROUTE_ROLES } from '../web/src/auth/roles.js';
import type { StoredRecord } from '../src/core/record.js';
import { silentLogger } from '../src/core/log.js';
import { raiseHits } from '../src/detections/alerts/raise.js';
import { fakeEvaluator } from '../src/detections/testing/hits.js';
import type { PostureResult } from '../src/posture/types.js';
import { addUser, signIn, TEST_PASSWORD, type Browser } from '../src/server/auth/testing.js';
import type { ServerDeps } from '../src/server/deps.js';

/** The route key of a path the client builds without parameters. */
const routeOf = (url: string): ApiRoute => `GET ${url.split('?')[0]}` as ApiRoute;
import { withTenantNames } from '../src/reports/export.js';

/**
 * The console's client (web/src/api.ts) against the server (src/server): every call the client can make
 * reaches a registered route and answers 200 with exactly the fields the contract (src/server/api-types.ts)
 * declares, and the server registers no /api route the client does not know. The typecheck holds the
 * types of both sides to the contract; this holds the running server to it (paths, parameter names,
 * fields added or dropped outside the types), so the console and the API cannot drift apart silently.
 */

/** A route's response fields, each listed once: the object literal fails typecheck when a field is missing or extra. */
type Shape<T> = T extends FileDownload ? 'file' : T extends Redirect ? 'redirect' : Record<keyof T, true>;

const RECORD = {
  id: true,
  tenant: true,
  creationTime: true,
  recordType: true,
  recordTypeName: true,
  operation: true,
  workload: true,
  userId: true,
  userType: true,
  clientIp: true,
  clientPort: true,
  objectId: true,
  resultStatus: true,
  outcome: true,
  source: true,
} as const;

const ALERT_STATE = {
  id: true,
  ruleId: true,
  tenant: true,
  severity: true,
  status: true,
  title: true,
  groupKey: true,
  recordIds: true,
  recordTotal: true,
  hits: true,
  firstSeen: true,
  lastSeen: true,
  statusBy: true,
  statusAt: true,
  snoozedUntil: true,
  facts: true,
  createdAt: true,
} as const;
const USER = {
  name: true,
  role: true,
  tenants: true,
  groups: true,
  externalId: true,
  failedAttempts: true,
  lockedUntil: true,
  createdAt: true,
  updatedAt: true,
  hasPassword: true,
} as const;
const GROUP = { name: true, tenants: true, updatedAt: true } as const;
const ME = { mode: true, signedIn: true, user: true, role: true, via: true, tenants: true, oidc: true } as const;
/** A signed-in caller of every tenant, whose role each check sets. */
const ME_OPEN: Me = {
  mode: 'accounts',
  signedIn: true,
  user: 'u',
  role: null,
  via: 'session',
  tenants: '*',
  oidc: null,
};

const SHAPES: { [K in ApiRoute]: Shape<ApiResponse<K>> } = {
  'GET /api': { routes: true },
  'GET /api/tenants': { now: true, tenants: true },
  'POST /api/tenants': { tenant: true },
  'POST /api/tenants/:tenant/test': { tenant: true, ok: true, lines: true, error: true },
  'GET /api/search': { records: true, returned: true, next: true },
  'GET /api/search/count': { count: true, notices: true },
  'GET /api/search/timeline': { bucket: true, start: true, end: true, rows: true },
  'GET /api/search/counts': { by: true, rows: true },
  'GET /api/search/user-suggestions': { users: true },
  'GET /api/records/:tenant/:id': { ...RECORD, auditData: true },
  'GET /api/export': 'file',
  'GET /api/activities': { categories: true },
  'GET /api/reports': { reports: true },
  'POST /api/reports/:id/run': { report: true, parameters: true, summary: true, rows: true, notices: true },
  'POST /api/reports/:id/export': 'file',
  'GET /api/posture': { snapshots: true },
  'POST /api/audit-config/:tenant/check': { result: true },
  'POST /api/audit-config/:tenant/enable': { applied: true, outcome: true },
  'GET /api/posture/:tenant': { name: true, tenantId: true, domain: true, auditing: true, checks: true },
  'GET /api/coverage': { streams: true, tenants: true },
  'GET /api/status': { now: true, collector: true },
  'GET /api/auth/me': ME,
  'POST /api/auth/login': ME,
  'POST /api/auth/logout': { signedIn: true },
  'GET /api/auth/oidc/start': 'redirect',
  'GET /api/auth/oidc/callback': 'redirect',
  'GET /api/admin/users': { users: true },
  'POST /api/admin/users': USER,
  'POST /api/admin/users/:name/reset': USER,
  'DELETE /api/admin/users/:name': { removed: true },
  'GET /api/admin/tokens': { tokens: true },
  'POST /api/admin/tokens': { token: true, view: true },
  'DELETE /api/admin/tokens/:name': { revoked: true },
  'GET /api/admin/groups': { groups: true },
  'PUT /api/admin/groups/:name': GROUP,
  'DELETE /api/admin/groups/:name': { removed: true },
  'GET /api/audit': { entries: true },
  'GET /api/audit/export': 'file',
  'GET /api/alerts': { count: true, more: true, alerts: true },
  'GET /api/alerts/:id': {
    alert: true,
    history: true,
    records: true,
    missing: true,
    recordsWithheld: true,
    rule: true,
    exclusionValues: true,
  },
  'POST /api/alerts/:id/status': ALERT_STATE,
  'POST /api/alerts/:id/snooze': ALERT_STATE,
  'POST /api/alerts/:id/exclude': { exclusion: true },
  'GET /api/alert-exclusions': { exclusions: true },
  'GET /api/rule-history': { rules: true },
  'POST /api/webhooks/management': { accepted: true, ignored: true },
  'GET /api/sinks': { now: true, sinks: true },
};

/** Routes the console never calls: the issuer's redirect back and Microsoft's webhook (each has its own tests). */
const CALLED_BY_OTHERS: readonly ApiRoute[] = ['GET /api/auth/oidc/callback', 'POST /api/webhooks/management'];

const TENANT: Shape<ApiResponse<'GET /api/tenants'>['tenants'][number]> = {
  name: true,
  tenantId: true,
  domain: true,
  cloud: true,
  authKind: true,
  posture: true,
  auditing: true,
  newestRecord: true,
  lagMs: true,
  state: true,
  errors: true,
  gaps: true,
  webhook: true,
};
const SUMMARY_ROW: Shape<ApiResponse<'GET /api/search'>['records'][number]> = RECORD;
const REPORT_INFO: Shape<ApiResponse<'GET /api/reports'>['reports'][number]> = {
  id: true,
  title: true,
  description: true,
  parameters: true,
};

const filters = { start: new Date(NOW - 3 * DAY).toISOString(), end: new Date(NOW).toISOString() };

/** A result with a cell Excel would run as a formula and one that needs quotes. */
const RESULT: ReportResult = {
  report: 'admin-activity',
  parameters: { start: '7d', end: 'now' },
  summary: { records: 1, rows: 2, byUser: [], byOperation: [], byWorkload: [], byDay: [], byTenant: [], totals: {} },
  rows: [
    { tenant: CONTOSO, id: 'r1', rule: '=HYPERLINK("x")', findings: 'deletes messages, marks read' },
    { tenant: CONTOSO, extra: 2 },
  ],
};

let app: FastifyInstance;
let deps: ServerDeps;
let admin: Browser;
before(async () => {
  deps = await testDeps({
    reports: {
      list: () => [{ id: 'admin-activity', title: 'A', description: 'B', parameters: {} }],
      run: async () => RESULT,
    },
    // The outside world faked at the server's own seams: posture, tenant registration, OpenID Connect, webhooks.
    posture: {
      check: async () => ({ verdict: 'ok' }) as unknown as PostureResult,
      enable: async (tenant, apply) => ({ tenant, dryRun: !apply, plan: [], results: [], after: null }),
    },
    tenantAdmin: {
      add: async (input) => ({ ...(await deps.store.tenants.get('contoso'))!, name: input.name }),
      test: async () => ({ ok: true, lines: ['sign-in: ok'], error: null }),
    },
    auth: {
      oidc: {
        name: 'Test issuer',
        groupRules: [],
        start: async (redirectUri) => ({
          url: 'https://issuer.example/authorize',
          pending: { codeVerifier: 'v', state: 's', nonce: 'n', redirectUri, createdAt: NOW },
        }),
        finish: async () => {
          throw new Error('not in this test');
        },
      },
    },
    webhooks: {
      authorized: (header) => header === 'auth-id',
      accept: (items) => ({ accepted: items.length, ignored: 0 }),
      refused: () => undefined,
      status: () => null,
    },
  });
  const records: StoredRecord[] = [];
  for await (const r of deps.store.records.search({ range: { start: 0, end: NOW } })) records.push(r);
  const hits = fakeEvaluator(['New-InboxRule']).push(records);
  await raiseHits({ store: deps.store, clock: deps.clock, logger: silentLogger }, hits);
  app = await buildServer(deps);
  await addUser(deps.store, deps.clock, { name: 'alice', role: 'admin' });
  admin = await signIn(app, 'alice');
});
after(async () => {
  await app.close();
});

/** A call as the signed-in console sends it (session cookie, CSRF header on state-changing requests). */
async function send(c: ApiCall<unknown>) {
  // Signing out ends the session it is sent with: it gets a session of its own.
  const browser = c.route === 'POST /api/auth/logout' ? await signIn(app, 'alice') : admin;
  return app.inject(
    browser.with({ method: c.method, url: c.url, ...(c.body !== undefined ? { payload: c.body as object } : {}) }),
  );
}

function keys(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

/** Every call the client can make, with arguments that match the fixture world, in an order that works. */
async function everyCall(): Promise<ApiCall<unknown>[]> {
  const page = (await send(api.search(filters, { limit: 1 }))).json<ApiResponse<'GET /api/search'>>();
  const first = page.records[0]!;
  const alert = (await deps.store.alerts.list({ tenants: [CONTOSO], limit: 1 }))[0]!.id;
  const args: { [F in keyof typeof api]: Parameters<(typeof api)[F]> } = {
    index: [],
    tenants: [],
    search: [filters, { limit: 5 }],
    searchCount: [filters],
    timeline: [filters, 'day'],
    counts: [filters, 'user', 3],
    userSuggestions: [{ ...filters, tenant: ['contoso'] }],
    record: [first.tenant, first.id],
    activities: [],
    reports: [],
    runReport: ['admin-activity', { start: '7d' }],
    posture: [],
    tenantPosture: ['contoso'],
    coverage: ['contoso'],
    status: [],
    addTenant: [{ name: 'northwind', tenantId: FABRIKAM, clientId: FABRIKAM, clientSecret: 'not shown' }],
    testTenant: ['contoso'],
    auditConfigCheck: ['contoso'],
    auditConfigEnable: ['contoso', false],
    me: [],
    login: ['alice', TEST_PASSWORD],
    logout: [],
    users: [],
    addUser: [{ name: 'bob', role: 'viewer', password: 'a long enough passphrase', tenants: ['contoso'] }],
    resetUser: ['bob', { role: 'investigator' }],
    removeUser: ['bob'],
    tokens: [],
    addToken: [{ name: 'ci', user: 'alice', expiresInDays: 7 }],
    revokeToken: ['ci'],
    groups: [],
    putGroup: ['eu', ['contoso']],
    removeGroup: ['eu'],
    auditTrail: [{ action: 'signin', limit: 5 }],
    alerts: [{ tenant: ['contoso'], status: ['new'] }],
    alert: [alert, ['contoso']],
    setAlertStatus: [alert, { status: 'acknowledged', note: 'looking' }, ['contoso']],
    snoozeAlert: [alert, { until: '4h', reason: 'maintenance' }, ['contoso']],
    excludeFromAlert: [alert, { kind: 'user', value: 'adele@contoso.onmicrosoft.com', reason: 'VIP' }, ['contoso']],
    alertExclusions: [['contoso']],
    ruleHistory: [['contoso']],
    sinks: [],
  };
  const fileArgs: { [F in keyof typeof files]: Parameters<(typeof files)[F]> } = {
    searchExport: [filters, 'csv'],
    reportExport: ['admin-activity', { start: '7d' }, 'csv'],
    auditExport: [{ actor: 'alice' }, 'csv'],
  };
  const call = (fn: unknown, a: unknown[]): ApiCall<unknown> => (fn as (...x: unknown[]) => ApiCall<unknown>)(...a);
  return [
    ...Object.entries(args).map(([name, a]) => call(api[name as keyof typeof api], a)),
    ...Object.entries(fileArgs).map(([name, a]) => call(files[name as keyof typeof files], a)),
  ];
}

describe('the console client and the server share one contract', () => {
  test('every client call answers 200 with exactly the fields the contract declares', async () => {
    for (const c of await everyCall()) {
      const res = await send(c);
      assert.equal(res.statusCode, 200, `${c.route} (${c.url}): ${res.body.slice(0, 300)}`);
      const shape = SHAPES[c.route];
      assert.notEqual(shape, 'redirect', c.route);
      if (shape === 'file') {
        assert.match(String(res.headers['content-disposition']), /^attachment; filename="/, c.route);
        continue;
      }
      assert.deepEqual(keys(res.json()), Object.keys(shape).sort(), `${c.route}: fields differ from the contract`);
    }
  });

  test('rows inside the answers have the contract fields too', async () => {
    const tenants = (await send(api.tenants())).json<ApiResponse<'GET /api/tenants'>>().tenants;
    assert.ok(tenants.length > 0);
    for (const t of tenants) assert.deepEqual(keys(t), Object.keys(TENANT).sort());
    const page = (await send(api.search(filters, { limit: 3 }))).json<ApiResponse<'GET /api/search'>>();
    assert.equal(page.records.length, 3);
    for (const r of page.records) assert.deepEqual(keys(r), Object.keys(SUMMARY_ROW).sort());
    const reports = (await send(api.reports())).json<ApiResponse<'GET /api/reports'>>().reports;
    assert.deepEqual(keys(reports[0]), Object.keys(REPORT_INFO).sort());
  });

  test('the server registers exactly the routes of the contract, and the client calls each of them', async () => {
    const listed = (await send(api.index())).json<ApiResponse<'GET /api'>>().routes.map((r) => r.split('?')[0]!);
    const called = new Set((await everyCall()).map((c) => c.route));
    // Every route is typed: none is served outside the contract.
    assert.deepEqual([...new Set(listed)].sort(), Object.keys(SHAPES).sort(), 'GET /api against the contract');
    const navigated = routeOf(links.oidcStart());
    assert.deepEqual(
      [...called, navigated, ...CALLED_BY_OTHERS].sort(),
      Object.keys(SHAPES).sort(),
      'the client against the contract',
    );
  });

  test('the console offers a route to the roles the server declared for it (web/src/auth/roles.ts)', () => {
    const declared = new Map(routesOf(app).map((r) => [`${r.method} ${r.url}`, r.role]));
    for (const route of Object.keys(SHAPES) as ApiRoute[]) {
      if (CALLED_BY_OTHERS.includes(route)) continue;
      assert.ok(declared.has(route), `${route} is registered`);
      // Undeclared is admin (fail closed); public needs no more than the sign-in the console already has.
      const role = declared.get(route) ?? 'admin';
      assert.equal(ROUTE_ROLES[route] ?? 'viewer', role === 'public' ? 'viewer' : role, route);
    }
    const as = (role: Me['role']): Me => ({ ...ME_OPEN, role });
    const triage: ApiRoute = 'POST /api/alerts/:id/status';
    assert.deepEqual(
      [null, 'viewer', 'investigator', 'admin'].map((r) => may(as(r as Me['role']), triage)),
      [false, false, true, true],
    );
    assert.equal(may(as('viewer'), 'GET /api/alerts'), true);
    assert.equal(may(as('investigator'), 'GET /api/sinks'), false);
  });

  test('the redirects and the webhook answer as the contract says', async () => {
    const start = await app.inject({ url: links.oidcStart() });
    assert.equal(start.statusCode, 302);
    assert.equal(start.headers.location, 'https://issuer.example/authorize');
    const back = await app.inject({ url: '/api/auth/oidc/callback?code=x&state=s' });
    assert.equal(back.statusCode, 302);
    // Back to the sign-in form, the reason in a cookie (never in the URL, where any link could write one).
    assert.equal(back.headers.location, '/#/signin');
    assert.ok(back.cookies.some((c) => c.name === 'tw_signin_error' && c.value !== ''));
    const hook = await app.inject({
      method: 'POST',
      url: '/api/webhooks/management',
      headers: { 'webhook-authid': 'auth-id' },
      payload: [{ tenantId: CONTOSO }],
    });
    assert.deepEqual(keys(hook.json()), Object.keys(SHAPES['POST /api/webhooks/management']).sort());
  });

  test("a report's CSV and JSON export are the CLI's bytes for the same result", async () => {
    for (const format of ['csv', 'json'] as const) {
      const res = await send(files.reportExport('admin-activity', {}, format));
      assert.equal(res.statusCode, 200);
      const out = new PassThrough();
      let cli = '';
      out.on('data', (d: Buffer) => (cli += d.toString('utf8')));
      await writeResult({ out }, withTenantNames(RESULT, new Map([[CONTOSO, 'contoso']])), format);
      assert.equal(res.body, cli, format);
    }
    const csv = (await send(files.reportExport('admin-activity', {}, 'csv'))).body;
    assert.equal(
      csv.split('\r\n')[0],
      // The report's declared columns, the tenant named beside its key; fields it does not declare after them.
      '\uFEFFtenant,tenantName,id,time,user,operation,workload,clientIp,objectId,category,roles,roleSource,rule,findings,extra',
      'the tenant named in the file',
    );
    assert.match(csv.split('\r\n')[1]!, new RegExp(`^${CONTOSO},contoso,r1,`));
    assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`));
  });

  test('the search in a page URL: filters by name, lists repeated, a typo refused as the server refuses it', () => {
    const read = (q: string) => searchFromUrl(new URLSearchParams(q));
    assert.deepEqual(read('start=7d&user=a&user=b&end=now').filters, { start: '7d', end: 'now', user: ['a', 'b'] });
    assert.deepEqual(read('user=a'), { filters: null, error: null });
    const typo = read('start=7d&usr=a');
    assert.equal(typo.filters, null);
    assert.equal(typo.error?.code, 'BAD_FILTER');
    // A period given twice is refused, as the server refuses it: the console searched the first one silently.
    for (const twice of ['start=7d&start=30d&end=now', 'start=7d&end=now&end=1d']) {
      assert.equal(read(twice).filters, null, twice);
      assert.equal(read(twice).error?.code, 'BAD_TIME', twice);
    }
    assert.equal(api.record('t/1', 'a b').url, '/api/records/t%2F1/a%20b');
  });
});
