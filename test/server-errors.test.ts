import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/server/index.js';
import { CONTOSO, DAY, FABRIKAM, NOW, testDeps } from '../src/server/testing/fixtures.js';
import { loggedUrl } from '../src/server/errors.js';
import { addUser } from '../src/server/auth/testing.js';
import { keptLogLines } from './support/logs.js';

/**
 * Bad input never becomes a 500: bad dates, unknown tenants, huge limits, and injection attempts in
 * every filter answer 4xx with a code, a message and a hint — or, where the value is merely unusual,
 * a 200 that matches nothing (the value is bound, never spliced into SQL).
 */
let app: FastifyInstance;
const range = `start=${new Date(NOW - 4 * DAY).toISOString()}&end=${new Date(NOW).toISOString()}`;

before(async () => {
  app = await buildServer(await testDeps());
});
after(async () => {
  await app.close();
});

async function get(url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies of many shapes
type Json = any;

function assertClientError(res: { status: number; body: Json }, code?: string): void {
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 10, 'a message that says what failed');
  if (code) assert.equal(res.body.error.code, code);
}

describe('bad input → 4xx with a clear message', () => {
  const cases: [string, string, string][] = [
    ['no time range', '/api/search?user=a', ''],
    ['bad start', '/api/search?start=yesterday-ish&end=now', 'BAD_TIME'],
    ['February 31st', '/api/search?start=2026-02-31&end=now', 'BAD_TIME'],
    [
      'start after end',
      `/api/search?start=${new Date(NOW).toISOString()}&end=${new Date(NOW - DAY).toISOString()}`,
      '',
    ],
    ['start given twice', `/api/search?start=7d&start=2d&end=now`, 'BAD_TIME'],
    ['huge limit', `/api/search?${range}&limit=1000001`, 'LIMIT_TOO_LARGE'],
    ['negative limit', `/api/search?${range}&limit=-5`, 'BAD_INPUT'],
    ['limit not a number', `/api/search?${range}&limit=ten`, 'BAD_INPUT'],
    ['forged cursor', `/api/search?${range}&cursor=eyJhIjoxfQ`, 'BAD_INPUT'],
    ['cursor with quotes', `/api/search?${range}&cursor=%27%20OR%201%3D1`, 'BAD_INPUT'],
    ['unknown tenant', `/api/search?${range}&tenant=nowhere`, 'UNKNOWN_TENANT'],
    ['unknown parameter', `/api/search?${range}&usr=adele`, 'BAD_FILTER'],
    // Names every object has (Object.prototype's) are parameters like any other: unknown, not silently dropped.
    ['parameter named constructor', `/api/search?${range}&constructor=x`, 'BAD_FILTER'],
    ['parameter named toString', `/api/search/count?${range}&toString=x`, 'BAD_FILTER'],
    ['parameter named __proto__', `/api/export?${range}&__proto__=x`, 'BAD_FILTER'],
    // A misspelt filter must not answer as if no filter were given (every tenant's alerts, every stream).
    ['misspelt alert filter', `/api/alerts?tenants=contoso`, 'BAD_INPUT'],
    ['misspelt alert severity', `/api/alerts?severty=high`, 'BAD_INPUT'],
    ['unknown parameter of an alert', `/api/alerts/al_0000000000000000?tenants=contoso`, 'BAD_INPUT'],
    ['unknown parameter of exclusions', `/api/alert-exclusions?tenants=contoso`, 'BAD_INPUT'],
    ['audit trail page that is no number', `/api/audit?before=latest`, 'BAD_INPUT'],
    // A repeated filter was dropped as a whole: every actor's entries answered for "alice or bob".
    ['audit trail filter given twice', `/api/audit?actor=alice&actor=bob`, 'BAD_INPUT'],
    ['snoozed that is neither true nor false', `/api/alerts?snoozed=yes`, 'BAD_INPUT'],
    ['unknown parameter of rule history', `/api/rule-history?tenants=contoso`, 'BAD_INPUT'],
    ['misspelt coverage filter', `/api/coverage?tenants=contoso`, 'BAD_INPUT'],
    ['bad IP', `/api/search?${range}&ip=300.1.2.3`, 'BAD_FILTER'],
    ['IP with SQL', `/api/search?${range}&ip=1.2.3.4%27%20OR%20%271%27%3D%271`, 'BAD_FILTER'],
    ['unknown record type', `/api/search?${range}&recordType=NotAType`, 'BAD_FILTER'],
    ['negative record type', `/api/search?${range}&recordType=-1`, 'BAD_FILTER'],
    ['huge value', `/api/search?${range}&freeText=${'x'.repeat(10_000)}`, 'BAD_FILTER'],
    ['bad bucket', `/api/search/timeline?${range}&bucket=minute`, 'BAD_INPUT'],
    ['bad dimension', `/api/search/counts?${range}&by=password`, 'BAD_INPUT'],
    ['bad export format', `/api/export?${range}&format=xlsx`, 'BAD_INPUT'],
    ['unknown tenant on coverage', `/api/coverage?tenant=nowhere`, 'UNKNOWN_TENANT'],
    ['unknown route', `/api/nothing-here`, 'NOT_FOUND'],
    ['path traversal to a record', `/api/records/..%2F..%2Fetc/passwd`, ''],
    // Fastify's router refuses it before any hook: its own body ({"error":"Bad Request"}) was not the API's shape.
    ['broken percent-encoding in the path', `/api/records/%E0%A4%A/x`, 'BAD_INPUT'],
    ['a path part over the router limit', `/api/alerts/${'a'.repeat(1_500)}`, 'BAD_INPUT'],
    ['huge record id', `/api/records/contoso/${'a'.repeat(900)}`, 'BAD_INPUT'],
  ];
  for (const [name, url, code] of cases) {
    test(name, async () => assertClientError(await get(url), code || undefined));
  }
});

describe('injection attempts in every filter match nothing and never fail', () => {
  const attempts = [
    "' OR '1'='1",
    '"; DROP TABLE records; --',
    '%',
    '_',
    '\\',
    '%%_\\%',
    '../../../etc/passwd',
    '..\\..\\windows',
    'ü𝔘ñíçødé ✓',
    '\u0000nul',
    '*',
    '(|(uid=*))',
    '${jndi:ldap://x}',
  ];
  const filters = ['user', 'operation', 'workload', 'object', 'freeText', 'recordType', 'ip', 'tenant'];
  for (const filter of filters) {
    test(filter, async () => {
      for (const value of attempts) {
        const res = await get(`/api/search?${range}&${filter}=${encodeURIComponent(value)}`);
        assert.ok(res.status < 500, `${filter}=${value} → ${res.status} ${JSON.stringify(res.body)}`);
        if (res.status === 200) assert.deepEqual(res.body.records, [], `${filter}=${value} matched records`);
        else assertClientError(res);
      }
    });
  }
});

test('a route of one answer for every tenant refuses a query parameter rather than answer every tenant', async () => {
  // GET /api/posture?tenant=contoso answered every tenant's snapshots: a script reading the first read another's.
  for (const url of [
    '/api/tenants?tenant=contoso',
    '/api/posture?tenant=contoso',
    '/api/posture/contoso?start=7d',
    '/api/status?tenant=contoso',
  ]) {
    const res = await get(url);
    assertClientError(res, 'BAD_INPUT');
    assert.match(res.body.error.message, /Unknown parameter "(tenant|start)"/, url);
  }
  assert.equal((await get('/api/tenants')).status, 200);
});

describe('reports routes', () => {
  test('a report run names several tenants in one text, comma-separated, as search and the CLI take them', async () => {
    // The console's Tenants field sends "contoso, fabrikam" as one text: UNKNOWN_TENANT 'No tenant is named
    // "contoso, fabrikam"', where `search --tenant` and `report --tenant` read two tenants.
    let asked: unknown;
    const deps = await testDeps();
    const own = await buildServer({
      ...deps,
      reports: { ...deps.reports!, run: async (id, p, o) => ((asked = p.tenant), deps.reports!.run(id, p, o)) },
    });
    try {
      for (const tenant of ['contoso, fabrikam', ['contoso,fabrikam'], ['contoso', ' fabrikam ,']]) {
        const res = await own.inject({ method: 'POST', url: '/api/reports/admin-activity/run', payload: { tenant } });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(asked, [CONTOSO, FABRIKAM], JSON.stringify(tenant));
      }
      const empty = await own.inject({
        method: 'POST',
        url: '/api/reports/admin-activity/run',
        payload: { tenant: ' , ' },
      });
      assertClientError({ status: empty.statusCode, body: empty.json() }, 'BAD_INPUT');
    } finally {
      await own.close();
    }
  });
  test('a query parameter a run or an export does not take is refused, not dropped to run over every tenant', async () => {
    // The parameters are the body's: ?tenant=contoso was dropped and the report ran over every tenant.
    for (const url of [
      '/api/reports/admin-activity/run?tenant=contoso',
      '/api/reports/admin-activity/export?format=csv&tenant=contoso',
      '/api/reports/admin-activity/export?formt=json',
    ]) {
      const res = await app.inject({ method: 'POST', url, payload: {} });
      assertClientError({ status: res.statusCode, body: res.json() }, 'BAD_INPUT');
      assert.match(res.json().error.message, /Unknown parameter "(tenant|formt)"/, url);
      assert.match(res.json().error.hint, /JSON body/, url);
    }
  });
  test('an unknown report is a 404 UNKNOWN_REPORT', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/reports/nope/run', payload: {} });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'UNKNOWN_REPORT');
  });
  test('a body that is not JSON is a 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/reports/admin-activity/run',
      payload: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    assertClientError({ status: res.statusCode, body: res.json() });
    assert.match(res.json().error.message, /not valid JSON/);
    assert.match(res.json().error.hint, /JSON object/);
    // A key that would poison Object.prototype is refused by the parser: said, not reported as broken JSON alone.
    const poisoned = await app.inject({
      method: 'POST',
      url: '/api/reports/admin-activity/run',
      payload: '{"__proto__":{"x":1}}',
      headers: { 'content-type': 'application/json' },
    });
    assert.match(poisoned.json().error.message, /__proto__/);
  });
  test('a body that is not sent as JSON is refused as such, not read as an empty request', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/reports/admin-activity/run',
      payload: '{"start":"7d"}',
      headers: { 'content-type': 'text/plain' },
    });
    assertClientError({ status: res.statusCode, body: res.json() }, 'BAD_INPUT');
    assert.equal(res.json().error.message, 'The body is not sent as JSON; the API reads JSON only');
    assert.match(res.json().error.hint, /Content-Type: application\/json/);
  });
  test('a tenant parameter that is not text is a 400 saying so, not a tenant named "[object Object]"', async () => {
    for (const tenant of [[{ a: 1 }], [1], 7]) {
      const res = await app.inject({ method: 'POST', url: '/api/reports/admin-activity/run', payload: { tenant } });
      assertClientError({ status: res.statusCode, body: res.json() }, 'BAD_INPUT');
      assert.match(res.json().error.message, /tenant/);
      assert.doesNotMatch(res.json().error.message, /object Object/);
    }
  });
  test('a body over the limit is refused with the limit named', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/reports/admin-activity/run',
      payload: JSON.stringify({ user: 'x'.repeat(1_100_000) }),
      headers: { 'content-type': 'application/json' },
    });
    assertClientError({ status: res.statusCode, body: res.json() }, 'BAD_INPUT');
    assert.match(res.json().error.message, /larger than the 1 MB/);
  });
  test('parameters that are not an object are a 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/reports/admin-activity/run', payload: [1, 2] });
    assertClientError({ status: res.statusCode, body: res.json() }, 'BAD_INPUT');
  });
});

describe('what the log keeps of a request URL', () => {
  test('a secret pasted into the query string never reaches a log line, whatever its parameter is called', async () => {
    const { logger, lines } = keptLogLines();
    const deps = await testDeps({ logger });
    const logged = await buildServer(deps);
    await addUser(deps.store, deps.clock, { name: 'alice' });
    const token = `tw_${'0123456789abcdef'}_${'S'.repeat(43)}`;
    const urls = [
      `/api/tenants?token=${token}`,
      `/api/tenants?access_token=eyJsecretjwt&code=one-time-code&state=st4te&password=hunter22hunter`,
      `/api/tenants?${token}`,
      `/api/search?start=7d&end=now&sig=s1gnature&${token}=x`,
    ];
    for (const url of urls) assert.equal((await logged.inject({ url })).statusCode, 401, url);
    await logged.close();
    const rejected = lines.filter((l) => l.includes('server.request_rejected')).map((l) => JSON.parse(l).url);
    assert.deepEqual(rejected, [
      '/api/tenants?token=…',
      '/api/tenants?access_token=…&code=…&state=…&password=…',
      '/api/tenants?…=…',
      '/api/search?start=…&end=…&sig=…&…=…',
    ]);
    for (const secret of [token, 'S'.repeat(43), 'eyJsecretjwt', 'one-time-code', 'st4te', 'hunter22', 's1gnature'])
      assert.ok(!lines.join('').includes(secret), `${secret.slice(0, 6)}… reached the log`);
  });

  test('input quoted in a message shows a direction control escaped, never the control itself', async () => {
    // U+202E would show "ab\u202Ecd" as "abdc" in the console or a terminal: the message would lie about the input.
    const urls = [
      `/api/search?${range}&recordType=ab%E2%80%AEcd`,
      `/api/search?${range}&ip=ab%E2%80%8Fcd`,
      `/api/search?${range}&tenant=ab%E2%81%A6cd`,
      `/api/search?${range}&usr%E2%80%AE=1`,
      `/api/alerts?severity=hi%E2%80%AEgh`,
    ];
    for (const url of urls) {
      const res = await get(url);
      assertClientError(res);
      const text = `${res.body.error.message} ${res.body.error.hint ?? ''}`;
      assert.doesNotMatch(text, /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/, url);
      assert.match(text, /\\u(?:202E|200F|2066)/, `${url}: ${text}`);
    }
  });

  test('loggedUrl keeps the path and the parameter names only', () => {
    assert.equal(loggedUrl('/api/coverage'), '/api/coverage');
    assert.equal(loggedUrl('/api/search?user=adele%40contoso.com&&x'), '/api/search?user=…&x=…');
  });
});

test("a request Node refuses before fastify sees it (headers over 16 KB, not HTTP) answers the API's error shape", async () => {
  // The address is a header: a search for a long list of users pasted into the Search page passed 16 KB, and
  // fastify's own answer ({"error":"Request Header Fields Too Large",…}) read as "undefined" in the console.
  const server = await buildServer(await testDeps());
  try {
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as AddressInfo;
    const users = Array.from({ length: 800 }, (_, i) => `user=someone.${i}@contoso.onmicrosoft.com`).join('&');
    for (const [request, status] of [
      [`GET /api/search?start=7d&${users} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 431],
      ['NOT HTTP AT ALL\r\n\r\n', 400],
    ] as const) {
      const answer = await rawRequest(port, request);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      assert.match(head, new RegExp(`^HTTP/1.1 ${status} `), answer.slice(0, 200));
      const error = (JSON.parse(body) as { error: { code: string; message: string; hint?: string } }).error;
      assert.equal(error.code, 'BAD_INPUT', body);
      assert.ok(error.message.length > 10 && error.hint, body);
    }
  } finally {
    await server.close();
  }
});

/** Sends `text` as it is on a new connection and reads the whole answer (the server closes the connection). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve(answer));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve(answer) : reject(e)));
  });
}
