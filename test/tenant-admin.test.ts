import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { tenantAdminApi } from '../src/cli/tenant-admin.js';
import { systemClock } from '../src/core/clock.js';
import type { NewTenant } from '../src/server/api-types.js';
import { addUser, signIn, type Browser } from '../src/server/auth/testing.js';
import type { ServerDeps } from '../src/server/deps.js';
import { buildServer } from '../src/server/index.js';
import { testDeps } from '../src/server/testing/fixtures.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';
import { keptLogLines } from './support/logs.js';
import { tempDir } from './support/paths.js';

/**
 * Issue 16 item 5: an admin adds a tenant from the console and tests its connection — against the
 * emulator's Entra ID and Management API, through the same code as `tenant add` / `tenant test`. Bad
 * input gets a clear error, the secret is never answered back or written in clear, and each step is in
 * the console audit trail with the admin's name. Only an admin of every tenant may add one.
 */
let t: TestEmulator;
let deps: ServerDeps;
let app: FastifyInstance;
let admin: Browser;
/** The same store served without --allow-tenant-endpoints (the default). */
let closed: FastifyInstance;
const dir = tempDir('tw-tenant-admin-');
const caFile = join(dir.dir, 'emulator-ca.pem');
const SECRET_MARK = 'never-shown-';
/** A file on the server that is no certificate, and a line of it no answer may quote. */
const FILE_MARK = 'file-content-never-shown';
const notPem = join(dir.dir, 'not-a-ca.pem');
writeFileSync(notPem, `-----BEGIN CERTIFICATE-----\n${FILE_MARK}\n-----END CERTIFICATE-----\n`);
const { logger, lines: logged } = keptLogLines();

before(async () => {
  t = await startTestEmulator({ tenants: 1, users: 2, days: 1 });
  writeFileSync(caFile, t.emu.caPem);
  deps = await testDeps({ logger });
  // Real time: the emulator's tokens are checked against it (the fixture's clock is in the past).
  deps.clock = systemClock;
  deps.tenantAdmin = tenantAdminApi({
    store: deps.store,
    clock: systemClock,
    logger,
    keyFile: join(dir.dir, 'secret.key'),
  });
  // The emulator is a base URL with its own CA: served as `serve --allow-tenant-endpoints` does.
  deps.allowTenantEndpoints = true;
  app = await buildServer(deps);
  await addUser(deps.store, deps.clock, { name: 'ada', role: 'admin' });
  await addUser(deps.store, deps.clock, { name: 'carol', role: 'admin', tenants: ['contoso'] });
  await addUser(deps.store, deps.clock, { name: 'ivan', role: 'investigator' });
  admin = await signIn(app, 'ada');
});
after(async () => {
  await app?.close();
  await closed?.close();
  await t?.close();
  dir.cleanup();
});

function emulated(over: Partial<NewTenant> = {}): NewTenant {
  const tenant = t.emu.tenants[0]!;
  return {
    name: 'emulated',
    tenantId: tenant.tenantId,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    baseUrl: t.emu.url,
    caFile,
    ...over,
  };
}

const add = (who: Browser, body: unknown) =>
  app.inject(who.with({ method: 'POST', url: '/api/tenants', payload: body as object }));
const testConnection = (who: Browser, name: string) =>
  app.inject(who.with({ method: 'POST', url: `/api/tenants/${name}/test` }));

describe('adding and testing a tenant from the console', () => {
  test('bad input is refused with what was wrong, and nothing is stored', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...emulated(), tenantId: 'not-a-guid' }, /is not a GUID/],
      [{ ...emulated(), certificatePem: 'x', privateKeyPem: 'y' }, /Give one credential/],
      [{ ...emulated(), clientSecret: undefined }, /Give one credential/],
      [{ ...emulated(), secretEnv: 'HOME' }, /Unknown field "secretEnv"/],
      [{ ...emulated(), constructor: 'x' }, /Unknown field "constructor"/],
      [{ ...emulated(), name: '' }, /The field name is required/],
      [{ ...emulated(), clientSecret: 42 }, /The field clientSecret must be text/],
      [{ ...emulated(), baseUrl: 'http://127.0.0.1:1' }, /must be https/],
      [{ ...emulated(), caFile: '/etc/hostname' }, /is not a readable PEM certificate/],
      [{ ...emulated(), cloud: 'mars' }, /is not a known cloud/],
      [[1, 2], /must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await add(admin, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`);
      assert.match(res.json().error.message, message);
      assert.ok(res.json().error.hint, 'says what to do');
      assert.ok(!res.body.includes(t.emu.tenants[0]!.clientSecret), 'the secret is not quoted back');
    }
    assert.equal(await deps.store.tenants.get('emulated'), null);
  });

  test('an admin adds the tenant, the secret is sealed and never answered, and the test connects', async () => {
    const secret = t.emu.tenants[0]!.clientSecret;
    const res = await add(admin, emulated());
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(Object.keys(res.json().tenant).sort(), [
      'addedAt',
      'authKind',
      'baseUrl',
      'clientId',
      'cloud',
      'domain',
      'name',
      'tenantId',
    ]);
    assert.ok(!res.body.includes(secret));
    const row = (await deps.store.tenants.get('emulated'))!;
    assert.equal(row.authKind, 'secret');
    assert.ok(!row.credential.includes(secret), 'sealed at rest, not in clear');

    const tested = await testConnection(admin, 'emulated');
    assert.equal(tested.statusCode, 200, tested.body);
    const result = tested.json();
    assert.equal(result.ok, true, tested.body);
    assert.equal(result.error, null);
    assert.ok(result.lines.some((l: string) => l.startsWith('sign-in: ok')));
    assert.ok(!tested.body.includes(secret));
    const listed = await app.inject(admin.with({ url: '/api/tenants' }));
    assert.ok(listed.json().tenants.some((x: { name: string }) => x.name === 'emulated'));
  });

  test('the same name or tenant id again is a conflict; a tenant that cannot sign in fails the test in plain words', async () => {
    assert.equal((await add(admin, emulated())).statusCode, 409);
    const again = await add(admin, emulated({ name: 'other' }));
    assert.equal(again.statusCode, 409);
    assert.match(again.json().error.message, /already registered as "emulated"/);

    const wrong = `${SECRET_MARK}${'z'.repeat(20)}`;
    const tenantId = '0f0f0f0f-0000-4000-8000-000000000001';
    const added = await add(admin, emulated({ name: 'wrong', tenantId, clientSecret: wrong }));
    assert.equal(added.statusCode, 200, added.body);
    const tested = await testConnection(admin, 'wrong');
    assert.equal(tested.statusCode, 200);
    assert.equal(tested.json().ok, false);
    assert.ok(tested.json().error.message.length > 10, tested.body);
    assert.ok(!tested.body.includes(wrong), 'the secret is not echoed in the failure');
    assert.equal((await testConnection(admin, 'nowhere')).statusCode, 404);
  });

  test('only admins may add or test, and adding needs every tenant', async () => {
    const ivan = await signIn(app, 'ivan');
    assert.equal((await add(ivan, emulated({ name: 'x1' }))).statusCode, 403);
    assert.equal((await testConnection(ivan, 'emulated')).statusCode, 403);
    const carol = await signIn(app, 'carol');
    const scoped = await add(carol, emulated({ name: 'x2', tenantId: '0f0f0f0f-0000-4000-8000-000000000002' }));
    assert.equal(scoped.statusCode, 403);
    assert.match(scoped.json().error.message, /administrator of every tenant/);
    assert.equal((await testConnection(carol, 'emulated')).statusCode, 403, 'not in her scope');
    const csrfless = await app.inject({
      method: 'POST',
      url: '/api/tenants',
      headers: { cookie: admin.cookie },
      payload: emulated({ name: 'x3' }),
    });
    assert.equal(csrfless.statusCode, 403);
  });

  test('every add and test is in the audit trail with the admin, the outcome, and no secret', async () => {
    const trail = await deps.store.consoleAudit.list({ limit: 1_000 });
    const mine = trail.filter((e) => e.action === 'tenant.add' || e.action === 'tenant.test');
    const seen = mine.map((e) => `${e.actor} ${e.action} ${e.outcome} ${e.target ?? ''}`);
    assert.ok(seen.includes('ada tenant.add ok emulated'), seen.join('\n'));
    assert.ok(
      seen.some((s) => s.startsWith('ada tenant.add failed')),
      'refused input is recorded too',
    );
    assert.ok(seen.includes('ada tenant.test ok emulated'));
    assert.ok(seen.includes('carol tenant.add denied x2'));
    assert.ok(seen.includes('ivan tenant.test denied emulated'));
    const wrongTest = mine.find((e) => e.action === 'tenant.test' && e.target === 'wrong')!;
    assert.notEqual(wrongTest.details.result, 'ok', 'the failed test is recorded as failed');
    const text = JSON.stringify(trail);
    assert.ok(!text.includes(t.emu.tenants[0]!.clientSecret));
    assert.ok(!text.includes(SECRET_MARK));
  });

  test('no secret given to the tenant routes reaches a log line, the refused and failed ones included', () => {
    const lines = logged.join('');
    assert.ok(
      logged.filter((l) => l.includes('"request_rejected"') || l.includes('server.request_rejected')).length >= 10,
      'the refused requests (bodies with secrets among them) were logged',
    );
    assert.ok(!lines.includes(t.emu.tenants[0]!.clientSecret), 'the real secret');
    assert.ok(!lines.includes(SECRET_MARK), 'the secrets of refused and failing attempts');
  });
});

describe('base URL and CA file over the API', () => {
  before(async () => {
    closed = await buildServer({ ...deps, allowTenantEndpoints: false });
  });

  test('are refused unless serve was started with --allow-tenant-endpoints, saying why and what to do', async () => {
    const ada = await signIn(closed, 'ada');
    const post = (body: object) => closed.inject(ada.with({ method: 'POST', url: '/api/tenants', payload: body }));
    const tenantId = '0f0f0f0f-0000-4000-8000-000000000003';
    for (const [body, named] of [
      [
        emulated({ name: 'c1', tenantId, caFile: undefined }),
        /takes no baseUrl for a tenant over the API \(a base URL reaches any host from the server\)/,
      ],
      [
        emulated({ name: 'c2', tenantId, baseUrl: undefined }),
        /takes no caFile for a tenant over the API \(a CA file is read on the server\)/,
      ],
      [emulated({ name: 'c3', tenantId, caFile: '/nonexistent/ca.pem' }), /takes no baseUrl or caFile/],
      [emulated({ name: 'c4', tenantId, caFile: notPem }), /takes no baseUrl or caFile/],
    ] as const) {
      const res = await post(body);
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'FORBIDDEN');
      assert.match(res.json().error.message, named);
      assert.match(
        res.json().error.hint,
        /tenantwatch tenant add .* on the server, or start tenantwatch serve --allow-tenant-endpoints/,
      );
      // Refused before the file is looked at: a missing file and a file that is no certificate answer alike.
      assert.ok(!res.body.includes(FILE_MARK) && !/readable|cannot be read/.test(res.body), res.body);
    }
    for (const name of ['c1', 'c2', 'c3', 'c4']) assert.equal(await deps.store.tenants.get(name), null);
    const trail = await deps.store.consoleAudit.list({ action: 'tenant.add', actor: 'ada', limit: 1_000 });
    assert.deepEqual(
      trail.filter((e) => /^c\d$/.test(e.target ?? '')).map((e) => `${e.target} ${e.outcome}`),
      ['c1 denied', 'c2 denied', 'c3 denied', 'c4 denied'],
    );
    // Without them, the tenant is added as before (Microsoft's own endpoints).
    const plain = await post(emulated({ name: 'c5', tenantId, baseUrl: undefined, caFile: undefined }));
    assert.equal(plain.statusCode, 200, plain.body);
    assert.equal(plain.json().tenant.baseUrl, null);
  });

  test("where they are allowed, a failed check or test names the CA file's path, never its content", async () => {
    const tenantId = '0f0f0f0f-0000-4000-8000-000000000004';
    const refused = await add(admin, emulated({ name: 'p1', tenantId, caFile: notPem }));
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.json().error.message, /is not a readable PEM certificate/);
    assert.ok(!refused.body.includes(FILE_MARK), refused.body);
    // A tenant the CLI registered with such a file (the operator's own): its test fails without quoting it.
    const row = (await deps.store.tenants.get('emulated'))!;
    await deps.store.tenants.upsert({ ...row, name: 'p2', tenantId, caFile: notPem });
    const tested = await testConnection(admin, 'p2');
    assert.equal(tested.statusCode, 200, tested.body);
    assert.equal(tested.json().ok, false, tested.body);
    assert.ok(!tested.body.includes(FILE_MARK), tested.body);
    const trail = JSON.stringify(await deps.store.consoleAudit.list({ limit: 1_000 }));
    assert.ok(!trail.includes(FILE_MARK));
    await deps.store.tenants.remove('p2');
  });
});
