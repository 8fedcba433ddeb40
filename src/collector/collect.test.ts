import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { join } from 'node:path';
import { pgSkip, tempDir } from '../../test/support/paths.js';
import { dropSchema, isolatedPgUrl } from '../../test/support/pg.js';
import { ManualClock, type Clock } from '../core/clock.js';
import { recordingLogger } from '../core/log.js';
import type { ContentType } from '../core/record.js';
import { endpointsFor, type TenantConnection } from '../microsoft/types.js';
import type { HttpRequest, HttpResponse } from '../net/types.js';
import { openStore } from '../store/open.js';
import { collect, isDeadLocalOwner, type CollectTenant } from './collect.js';

/**
 * The collector over a canned Management API (no network): a refused contentUri, a record that
 * cannot be normalized, the checkpoint rule, and Ctrl-C stopping after the blob in hand.
 */
const TENANT = '3509e8a3-4d87-4795-8f58-150ac9ed451b';
const NOW = Date.UTC(2026, 2, 10, 12);
const BASE = 'https://manage.office.com';
const rec = (id: string, tenant = TENANT): string =>
  `{"Id":"${id}","CreationTime":"2026-03-10T09:00:00","Operation":"FileAccessed","OrganizationId":"${tenant}","RecordType":6,"UserId":"a@b.c","Workload":"SharePoint"}`;

interface Fake {
  blobs: { id: string; uri?: string; body: string }[];
  seen: HttpRequest[];
  onBlob?: (id: string) => void;
}

function reply(status: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers,
    body: Readable.from([Buffer.from(body)]),
    text: async () => body,
    json: async () => JSON.parse(body) as unknown,
  };
}

function fakeTenant(fake: Fake, tenant = TENANT): CollectTenant {
  const conn: TenantConnection = {
    tenantId: tenant,
    endpoints: endpointsFor('commercial'),
    publisherId: null,
    tokens: { token: async () => 'token-123' },
    http: {
      async request(req) {
        fake.seen.push(req);
        const url = new URL(req.url);
        if (url.pathname.endsWith('/subscriptions/list'))
          return reply(200, JSON.stringify([{ contentType: 'Audit.SharePoint', status: 'enabled', webhook: null }]));
        if (url.pathname.endsWith('/subscriptions/content')) {
          const start = Date.parse(`${url.searchParams.get('startTime')}Z`);
          const end = Date.parse(`${url.searchParams.get('endTime')}Z`);
          const created = NOW - 3_600_000;
          const items =
            created >= start && created < end
              ? fake.blobs.map((b) => ({
                  contentType: 'Audit.SharePoint',
                  contentId: b.id,
                  contentUri: b.uri ?? `${BASE}/api/v1.0/${tenant}/activity/feed/audit/${b.id}`,
                  contentCreated: new Date(created).toISOString(),
                  contentExpiration: new Date(created + 7 * 86_400_000).toISOString(),
                }))
              : [];
          return reply(200, JSON.stringify(items));
        }
        const blob = fake.blobs.find((b) => url.pathname.endsWith(`/audit/${b.id}`));
        if (!blob) return reply(404, '{"error":{"code":"AF20050","message":"no"}}');
        fake.onBlob?.(blob.id);
        return reply(200, blob.body);
      },
    },
  };
  return { tenantId: tenant, name: 'contoso', connect: () => conn };
}

const only: ContentType[] = ['Audit.SharePoint'];

test('a record whose Id is stored with other content is counted as a conflict, logged, and kept aside (ADR 0030)', async () => {
  const store = await openStore('sqlite::memory:');
  const changed = rec('r1').replace('FileAccessed', 'FileDeleted');
  const fake: Fake = {
    seen: [],
    blobs: [
      { id: 'b1', body: `[${rec('r1')},${rec('r2')}]` },
      { id: 'b2', body: `[${rec('r2')},${changed}]` },
    ],
  };
  const logger = recordingLogger();
  const summary = await collect({
    tenants: [fakeTenant(fake)],
    store,
    clock: new ManualClock(NOW, true),
    logger,
    signal: new AbortController().signal,
    sinceMs: 86_400_000,
    tuning: { contentTypes: only },
  });
  const t = summary.tenants[0]!;
  assert.deepEqual([t.records, t.newRecords, t.recordsInConflict], [4, 2, 1]);
  assert.equal((await store.records.get(TENANT, 'r1'))?.operation, 'FileAccessed', 'the first content stays');
  assert.deepEqual(
    (await store.records.conflictsOf(TENANT, 'r1')).map((c) => [c.raw, c.source]),
    [[changed, 'management-api']],
  );
  const logged = logger.entries.find((e) => (e.obj as { event?: string }).event === 'collector.record.conflict');
  assert.deepEqual((logged?.obj as { ids?: string[] } | undefined)?.ids, ['r1']);
  // The warning a person reads names the tenant as registered (cli/log-lines.ts uses `name`), not only its GUID.
  assert.equal((logged?.obj as { name?: string } | undefined)?.name, 'contoso');
  await store.close();
});

test('a contentUri on another host is refused into the ledger and never called; a bad record is visible; the checkpoint follows the commit', async () => {
  const store = await openStore('sqlite::memory:');
  const fake: Fake = {
    seen: [],
    blobs: [
      { id: 'b1', body: `[${rec('r1')},${rec('r2')}]` },
      { id: 'b2', uri: `https://attacker.example/api/v1.0/${TENANT}/activity/feed/audit/b2`, body: '[]' },
      { id: 'b3', body: `[${rec('r2')},{"broken":true}]` },
    ],
  };
  const logger = recordingLogger();
  const summary = await collect({
    tenants: [fakeTenant(fake)],
    store,
    clock: new ManualClock(NOW, true),
    logger,
    signal: new AbortController().signal,
    sinceMs: 86_400_000,
    tuning: { contentTypes: only },
  });
  assert.equal(summary.ok, true, JSON.stringify(summary));
  assert.ok(!fake.seen.some((r) => r.url.includes('attacker.example')), 'the token never left the Management API');
  const blobs = await store.ledger.listBlobs({ tenant: TENANT });
  const by = new Map(blobs.map((b) => [b.contentId, b]));
  assert.equal(by.get('b2')?.status, 'refused');
  assert.match(by.get('b2')?.reason ?? '', /not the Management API/);
  assert.equal(by.get('b3')?.status, 'fetched');
  assert.match(by.get('b3')?.reason ?? '', /1 record could not be normalized/);
  assert.equal(summary.tenants[0]!.recordsRejected, 1);
  assert.equal(summary.tenants[0]!.newRecords, 2);
  assert.equal(await store.records.count({ range: { start: 0, end: NOW * 2 }, tenants: [TENANT] }), 2);
  const cp = await store.ledger.getCheckpoint(TENANT, 'Audit.SharePoint');
  assert.ok(cp && cp.position > NOW - 3_600_000);
  assert.ok(logger.entries.some((e) => (e.obj as { event?: string }).event === 'collector.blob.refused'));
  // A second run re-lists but fetches nothing already committed.
  const fetchesBefore = fake.seen.filter((r) => r.url.includes('/audit/')).length;
  await collect({
    tenants: [fakeTenant(fake)],
    store,
    clock: new ManualClock(NOW + 60_000, true),
    logger,
    signal: new AbortController().signal,
    tuning: { contentTypes: only },
  });
  assert.equal(fake.seen.filter((r) => r.url.includes('/audit/')).length, fetchesBefore);
  await store.close();
});

test('Ctrl-C stops after the blob being fetched: it is committed, no other starts, the checkpoint stays', async () => {
  const store = await openStore('sqlite::memory:');
  const controller = new AbortController();
  const fake: Fake = {
    seen: [],
    blobs: [1, 2, 3, 4].map((i) => ({ id: `b${i}`, body: `[${rec(`r${i}`)}]` })),
    onBlob: () => controller.abort(),
  };
  const summary = await collect({
    tenants: [fakeTenant(fake)],
    store,
    clock: new ManualClock(NOW, true),
    logger: recordingLogger(),
    signal: controller.signal,
    concurrency: 1,
    sinceMs: 86_400_000,
    tuning: { contentTypes: only },
  });
  assert.equal(summary.stopped, true);
  assert.equal(summary.tenants[0]!.state, 'interrupted', 'an interrupted run never reads "done"');
  const fetched = (await store.ledger.listBlobs({ tenant: TENANT })).filter((b) => b.status === 'fetched');
  assert.equal(fetched.length, 1);
  assert.equal(await store.records.count({ range: { start: 0, end: NOW * 2 }, tenants: [TENANT] }), 1);
  // The empty window before may complete; the window holding the unfetched blobs must not.
  const cp = await store.ledger.getCheckpoint(TENANT, 'Audit.SharePoint');
  assert.ok(!cp || cp.position <= NOW - 3_600_000, `checkpoint ${cp?.position}`);
  const windows = await store.ledger.listWindows({ tenant: TENANT });
  assert.notEqual(windows.at(-1)!.state, 'fetched');
  await store.close();
});

test("every request of a stream starts with at least one request's timeout left of its lease", async () => {
  // A request renews nothing while in flight (up to 120 s): the lease was renewed only before a window and before a
  // blob's turn, so a blob that waited for another's 100 s request started on 20 s of a 2 min lease, and ran out.
  const store = await openStore('sqlite::memory:');
  const clock = new ManualClock(NOW, true);
  const key = `collect/${TENANT}/Audit.SharePoint`;
  const left: number[] = [];
  const fake: Fake = { seen: [], blobs: [1, 2, 3, 4].map((i) => ({ id: `b${i}`, body: `[${rec(`r${i}`)}]` })) };
  const tenant = fakeTenant(fake);
  const conn = tenant.connect();
  const slow: CollectTenant = {
    ...tenant,
    connect: () => ({
      ...conn,
      http: {
        async request(req) {
          const holder = await store.ledger.leaseHolder(key);
          if (!req.url.endsWith('/subscriptions/list')) left.push((holder?.until ?? 0) - clock.now());
          clock.advance(100_000);
          return conn.http.request(req);
        },
      },
    }),
  };
  const summary = await collect({
    tenants: [slow],
    store,
    clock,
    logger: recordingLogger(),
    signal: new AbortController().signal,
    concurrency: 1,
    sinceMs: 86_400_000,
    tuning: { contentTypes: only, leaseMs: 120_000 },
  });
  assert.equal(summary.ok, true, JSON.stringify(summary));
  assert.equal(fake.seen.filter((r) => r.url.includes('/audit/')).length, 4);
  assert.ok(left.length >= 5, `${left.length} requests`);
  assert.ok(
    left.every((ms) => ms >= 120_000),
    `lease left at each request: ${left.map((ms) => ms / 1000).join(', ')} s`,
  );
  await store.close();
});

test("a request sent again after a 401 and a new token starts with at least one request's timeout left of its lease", async () => {
  // The bearer client renews the token on a 401 and sends the request again within one attempt: the lease was renewed
  // only before the attempt, so after a first try of 100 s and a sign-in of 30 s the second ran on a lease run out.
  const store = await openStore('sqlite::memory:');
  const clock = new ManualClock(NOW, true);
  const key = `collect/${TENANT}/Audit.SharePoint`;
  const sent: { url: string; left: number; status: number }[] = [];
  const fake: Fake = { seen: [], blobs: [1, 2].map((i) => ({ id: `b${i}`, body: `[${rec(`r${i}`)}]` })) };
  const tenant = fakeTenant(fake);
  const conn = tenant.connect();
  let refused = false;
  const expiring: CollectTenant = {
    ...tenant,
    connect: () => ({
      ...conn,
      tokens: {
        async token(_resource, options) {
          if (options?.forceRefresh) clock.advance(30_000);
          return 'token-123';
        },
      },
      http: {
        async request(req) {
          const holder = await store.ledger.leaseHolder(key);
          const left = (holder?.until ?? 0) - clock.now();
          clock.advance(100_000);
          // The first blob's first try: the service no longer accepts the token.
          const status = req.url.includes('/audit/b1') && !refused ? 401 : 0;
          if (!req.url.endsWith('/subscriptions/list')) sent.push({ url: req.url, left, status });
          if (status) {
            refused = true;
            return reply(401, '{"Message":"Authorization has been denied for this request."}');
          }
          return conn.http.request(req);
        },
      },
    }),
  };
  const summary = await collect({
    tenants: [expiring],
    store,
    clock,
    logger: recordingLogger(),
    signal: new AbortController().signal,
    concurrency: 1,
    sinceMs: 86_400_000,
    tuning: { contentTypes: only, leaseMs: 120_000 },
  });
  assert.equal(summary.ok, true, JSON.stringify(summary));
  const b1 = sent.filter((r) => r.url.includes('/audit/b1'));
  assert.deepEqual(
    b1.map((r) => r.status),
    [401, 0],
    'sent again after the 401, within one attempt',
  );
  assert.ok(
    sent.every((r) => r.left >= 120_000),
    `lease left at each request: ${sent.map((r) => r.left / 1000).join(', ')} s`,
  );
  await store.close();
});

for (const db of [
  {
    name: 'SQLite',
    skip: false,
    url: async (): Promise<[string, () => Promise<void>]> => {
      const dir = tempDir();
      return [`sqlite:${join(dir.dir, 'collect.db')}`, async () => dir.cleanup()];
    },
  },
  {
    name: 'PostgreSQL',
    skip: pgSkip,
    url: async (): Promise<[string, () => Promise<void>]> => {
      const url = isolatedPgUrl('collect_401');
      return [url, () => dropSchema(url)];
    },
  },
])
  for (const letGo of [false, true])
    test(
      `${db.name}: a collector that took the stream over while a request was refused with 401 ${letGo ? 'and let it go' : 'holds it'}: not sent again`,
      { skip: db.skip },
      async () => {
        // First try 100 s, a new token 30 s: the 2-minute lease ran out meanwhile and another collector took the stream
        // (and, quick, let it go again: what it did may be what this one would do now, so this one stops too).
        const [url, drop] = await db.url();
        const [store, other] = [await openStore(url), await openStore(url)];
        const clock = new ManualClock(NOW, true);
        const key = `collect/${TENANT}/Audit.SharePoint`;
        const fake: Fake = { seen: [], blobs: [{ id: 'b1', body: `[${rec('r1')}]` }] };
        const tenant = fakeTenant(fake);
        const conn = tenant.connect();
        const blobTries: string[] = [];
        const takenOver: CollectTenant = {
          ...tenant,
          connect: () => ({
            ...conn,
            tokens: {
              async token(_resource, options) {
                if (options?.forceRefresh) {
                  clock.advance(30_000);
                  const until = clock.now() + 120_000;
                  assert.equal(await other.ledger.acquireLease(key, 'other-host:1:x', until, clock.now()), true);
                  if (letGo) await other.ledger.releaseLease(key, 'other-host:1:x');
                }
                return 'token-123';
              },
            },
            http: {
              async request(req) {
                if (!req.url.includes('/audit/')) return conn.http.request(req);
                blobTries.push(req.url);
                clock.advance(100_000);
                if (blobTries.length === 1)
                  return reply(401, '{"Message":"Authorization has been denied for this request."}');
                return conn.http.request(req);
              },
            },
          }),
        };
        try {
          const summary = await collect({
            tenants: [takenOver],
            store,
            clock,
            logger: recordingLogger(),
            signal: new AbortController().signal,
            concurrency: 1,
            sinceMs: 86_400_000,
            tuning: { contentTypes: only, leaseMs: 120_000, retry: { maxAttempts: 1 } },
          });
          assert.equal(blobTries.length, 1, 'not sent again under a lease another collector holds');
          assert.equal(
            await store.records.count({ range: { start: 0, end: NOW * 2 } }),
            0,
            'nothing of it stored here',
          );
          assert.equal(
            (await other.ledger.leaseHolder(key))?.owner,
            letGo ? undefined : 'other-host:1:x',
            'the other collector keeps it; one let go is not taken back',
          );
          assert.equal(summary.ok, false);
        } finally {
          await store.close();
          await other.close();
          await drop();
        }
      },
    );

test('two collectors on one database share the work through leases: every blob fetched once', async () => {
  const store = await openStore('sqlite::memory:');
  const fake: Fake = { seen: [], blobs: [1, 2, 3, 4, 5].map((i) => ({ id: `b${i}`, body: `[${rec(`r${i}`)}]` })) };
  const run = (owner: string) =>
    collect({
      tenants: [fakeTenant(fake)],
      store,
      clock: new ManualClock(NOW, true),
      logger: recordingLogger(),
      signal: new AbortController().signal,
      sinceMs: 86_400_000,
      tuning: { contentTypes: only, owner },
    });
  const [a, b] = await Promise.all([run('collector-a'), run('collector-b')]);
  const fetches = fake.seen.filter((r) => new URL(r.url).pathname.includes('/audit/'));
  assert.equal(fetches.length, 5);
  const skipped = [...a.tenants, ...b.tenants].flatMap((s) => s.streamsSkipped);
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!.reason, /another collector holds this stream/);
  assert.equal(await store.records.count({ range: { start: 0, end: NOW * 2 }, tenants: [TENANT] }), 5);
  await store.close();
});

test(
  'on PostgreSQL, two collector processes (two connections) share the work through leases',
  { skip: pgSkip },
  async () => {
    const tenant = randomUUID();
    const url = isolatedPgUrl('collect_leases');
    const [s1, s2] = [await openStore(url), await openStore(url)];
    try {
      const fake: Fake = {
        seen: [],
        blobs: [1, 2, 3, 4].map((i) => ({ id: `${tenant}-b${i}`, body: `[${rec(`${tenant}-r${i}`, tenant)}]` })),
      };
      const run = (store: typeof s1, owner: string) =>
        collect({
          tenants: [fakeTenant(fake, tenant)],
          store,
          clock: new ManualClock(NOW, true),
          logger: recordingLogger(),
          signal: new AbortController().signal,
          sinceMs: 86_400_000,
          tuning: { contentTypes: only, owner },
        });
      await Promise.all([run(s1, 'pg-a'), run(s2, 'pg-b')]);
      assert.equal(fake.seen.filter((r) => new URL(r.url).pathname.includes('/audit/')).length, 4);
      assert.equal(await s1.records.count({ range: { start: 0, end: NOW * 2 }, tenants: [tenant] }), 4);
    } finally {
      await s1.close();
      await s2.close();
      await dropSchema(url);
    }
  },
);

/** The pid of a process that has just exited (a collector killed on this machine). */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test("a stream leased by a collector that died on this machine is taken over at once; a live holder's is left alone", async () => {
  const store = await openStore('sqlite::memory:');
  const fake: Fake = { seen: [], blobs: [{ id: 'b1', body: `[${rec('r1')}]` }] };
  const key = `collect/${TENANT}/${only[0]}`;
  const run = (logger: ReturnType<typeof recordingLogger>) =>
    collect({
      tenants: [fakeTenant(fake)],
      store,
      clock: new ManualClock(NOW, true),
      logger,
      signal: new AbortController().signal,
      sinceMs: 86_400_000,
      tuning: { contentTypes: only, owner: `${hostname()}:${process.pid}:0000000a` },
    });

  const live = `${hostname()}:${process.pid}:aaaaaaaa`;
  assert.equal(isDeadLocalOwner(live), false);
  await store.ledger.acquireLease(key, live, NOW + 3_600_000, NOW);
  const blocked = await run(recordingLogger());
  assert.match(blocked.tenants[0]!.streamsSkipped[0]?.reason ?? '', /another collector holds this stream/);
  assert.equal(await store.records.count({ range: { start: 0, end: NOW * 2 }, tenants: [TENANT] }), 0);

  const dead = `${hostname()}:${await exitedPid()}:deadbeef`;
  assert.equal(isDeadLocalOwner(dead), true);
  assert.equal(
    isDeadLocalOwner(`another-host:${await exitedPid()}:deadbeef`),
    false,
    'another machine: its pids mean nothing here',
  );
  await store.ledger.reclaimLease(key, live, dead, NOW + 3_600_000);
  const logger = recordingLogger();
  const summary = await run(logger);
  assert.deepEqual(summary.tenants[0]!.streamsSkipped, []);
  assert.equal(await store.records.count({ range: { start: 0, end: NOW * 2 }, tenants: [TENANT] }), 1);
  assert.ok(logger.entries.some((e) => (e.obj as { event?: string }).event === 'collector.lease.reclaimed'));
  assert.equal(await store.ledger.leaseHolder(key), null, 'released at the end as usual');
  await store.close();
});

/**
 * Issue 17 item 7 (found on the newcomer's walk): `tenantwatch demo` printed Node's "MaxListenersExceededWarning:
 * Possible EventTarget memory leak detected. 11 abort listeners added to [AbortSignal]" among its lines: every
 * stream's waits listened to the caller's signal. The run listens once, on its own signal.
 */
test("many tenants waiting for their budgets add a single listener to the caller's signal", async () => {
  const store = await openStore('sqlite::memory:');
  const controller = new AbortController();
  let listening = 0;
  let peak = 0;
  const add = controller.signal.addEventListener.bind(controller.signal);
  const remove = controller.signal.removeEventListener.bind(controller.signal);
  controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
    peak = Math.max(peak, ++listening);
    add(...args);
  }) as typeof add;
  controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    listening--;
    remove(...args);
  }) as typeof remove;
  const tenants = Array.from({ length: 12 }, (_, i): CollectTenant => {
    const id = `3509e8a3-4d87-4795-8f58-${String(i).padStart(12, '0')}`;
    const blobs = [1, 2, 3].map((n) => ({ id: `t${i}b${n}`, body: `[${rec(`t${i}r${n}`, id)}]` }));
    return { ...fakeTenant({ seen: [], blobs }, id), name: `tenant${i}` };
  });
  // Sleeps listen to the signal while they wait, as the system clock's do, and take a turn of the event
  // loop, so the tenants' budget waits overlap; time moves by what each sleep asked.
  let now = NOW;
  const clock: Clock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const onAbort = (): void => undefined;
        signal?.addEventListener('abort', onAbort, { once: true });
        setImmediate(() => {
          now = Math.max(now, NOW) + ms;
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      }),
  };
  const summary = await collect({
    tenants,
    store,
    clock,
    logger: recordingLogger(),
    signal: controller.signal,
    concurrency: 1,
    sinceMs: 86_400_000,
    // One request a minute per tenant: every stream waits for its budget, all at once.
    tuning: { contentTypes: only, requestsPerMinute: 1 },
  });
  assert.ok(summary.ok, JSON.stringify(summary.tenants.map((t) => t.error)));
  assert.equal(await store.records.count({ range: { start: 0, end: NOW * 2 } }), 36);
  assert.equal(peak, 1, `the caller's signal had ${peak} abort listeners at once`);
  assert.equal(listening, 0, 'and none is left behind');
  await store.close();
});

test("a new subscription's empty listings are not recorded until its first content comes, so content listed later from before it is collected", async () => {
  const store = await openStore('sqlite::memory:');
  const created = NOW - 3 * 86_400_000; // before the subscription: Microsoft may list it once the first content comes
  const state = { enabled: false, ready: false };
  const conn: TenantConnection = {
    tenantId: TENANT,
    endpoints: endpointsFor('commercial'),
    publisherId: null,
    tokens: { token: async () => 'token-123' },
    http: {
      async request(req) {
        const url = new URL(req.url);
        if (url.pathname.endsWith('/subscriptions/list'))
          return reply(
            200,
            JSON.stringify([
              { contentType: 'Audit.SharePoint', status: state.enabled ? 'enabled' : 'disabled', webhook: null },
            ]),
          );
        if (url.pathname.endsWith('/subscriptions/start')) {
          state.enabled = true;
          return reply(200, JSON.stringify({ contentType: 'Audit.SharePoint', status: 'enabled', webhook: null }));
        }
        if (url.pathname.endsWith('/subscriptions/content')) {
          const start = Date.parse(`${url.searchParams.get('startTime')}Z`);
          const end = Date.parse(`${url.searchParams.get('endTime')}Z`);
          const items =
            state.ready && created >= start && created < end
              ? [
                  {
                    contentType: 'Audit.SharePoint',
                    contentId: 'early',
                    contentUri: `${BASE}/api/v1.0/${TENANT}/activity/feed/audit/early`,
                    contentCreated: new Date(created).toISOString(),
                    contentExpiration: new Date(created + 7 * 86_400_000).toISOString(),
                  },
                ]
              : [];
          return reply(200, JSON.stringify(items));
        }
        return reply(200, `[${rec('r1')},${rec('r2')}]`);
      },
    },
  };
  const tenant: CollectTenant = { tenantId: TENANT, name: 'contoso', connect: () => conn };
  const run = async (at: number) =>
    (
      await collect({
        tenants: [tenant],
        store,
        clock: new ManualClock(at, true),
        logger: recordingLogger(),
        signal: new AbortController().signal,
        sinceMs: 7 * 86_400_000 - 3_600_000,
        tuning: { contentTypes: only },
      })
    ).tenants[0]!;
  const first = await run(NOW);
  assert.equal(first.subscriptionsStarted, 1);
  assert.ok(first.windowsAwaitingFirstContent > 0, 'the empty windows were listed, not recorded');
  assert.equal(await store.ledger.getCheckpoint(TENANT, 'Audit.SharePoint'), null, 'no checkpoint passed them');
  const waiting = await run(NOW + 3_600_000);
  assert.ok(waiting.windowsAwaitingFirstContent > 0, 'a later run inside the 12 hours waits too');
  state.ready = true;
  const later = await run(NOW + 2 * 3_600_000);
  assert.deepEqual([later.blobsFetched, later.newRecords], [1, 2], 'the content from before the subscription');
  const after = await run(NOW + 3 * 3_600_000);
  assert.ok((await store.ledger.getCheckpoint(TENANT, 'Audit.SharePoint')) !== null, 'windows are recorded again');
  assert.equal(after.windowsAwaitingFirstContent, 0, 'the first content ended the wait');
  await store.close();
});
