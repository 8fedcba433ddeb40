import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Store } from './contract.js';
import { commitBlobAcross } from './commit-blob.js';
import { runAlertConformance } from './testing/alert-conformance.js';
import { runAlertRekeyConformance } from './testing/alert-rekey-conformance.js';
import { drain } from './testing/tail-conformance.js';
import { runSinkConformance } from './testing/sink-conformance.js';
import { blobRow, DAY, HOUR, record, T0, TENANT_A, TENANT_B, tenantRow, windowRow } from './testing/fixtures.js';
import { runAuthConformance } from './testing/auth-conformance.js';

/**
 * The conformance suite of the state part of the contract (StateStore: tenants, the ledger with its
 * leases, posture, cursors): every adapter passes it. commitBlob spans both parts, so the store under
 * test also has its records. `open` returns a fresh, empty store each time.
 */
export function runStateConformance(name: string, open: () => Promise<Store>): void {
  describe(`State conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.migrate();
    });
    afterEach(async () => store.close());
    const ctx = {
      get store() {
        return store;
      },
    };
    stateTests(ctx);
    runAuthConformance(ctx);
    runAlertConformance(ctx);
    runAlertRekeyConformance(ctx);
  });
}

function stateTests(ctx: { readonly store: Store }): void {
  runSinkConformance(ctx);
  test('tenants: upsert, list, get and remove by name or GUID in any case; a taken name is a conflict', async () => {
    const t = ctx.store.tenants;
    await t.upsert(tenantRow());
    await t.upsert(
      tenantRow({
        name: 'fabrikam',
        tenantId: TENANT_B,
        authKind: 'certificate',
        certificatePem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----',
        baseUrl: 'https://127.0.0.1:8443',
        caFile: '/tmp/ca.pem',
        publisherId: 'pub',
        cloud: 'gcchigh',
        addedAt: T0 + 1,
      }),
    );
    assert.deepEqual(
      (await t.list()).map((r) => r.name),
      ['contoso', 'fabrikam'],
    );
    assert.deepEqual(await t.get('FABRIKAM'), (await t.list())[1]);
    assert.equal((await t.get(TENANT_B.toUpperCase()))?.name, 'fabrikam');
    assert.equal((await t.get('fabrikam'))?.cloud, 'gcchigh');
    assert.equal(await t.get('nobody'), null);
    await t.upsert(tenantRow({ domain: 'contoso.com', updatedAt: T0 + 5, addedAt: T0 + 5 }));
    const updated = await t.get('contoso');
    assert.equal(updated?.domain, 'contoso.com');
    assert.equal(updated?.updatedAt, T0 + 5);
    assert.equal(updated?.addedAt, T0, 'an update keeps when the tenant was first added');
    // The hint said "Choose another --name", a flag no command has (tenant add takes the name as its argument).
    await assert.rejects(t.upsert(tenantRow({ name: 'Contoso', tenantId: '99999999-0000-0000-0000-000000000000' })), {
      code: 'CONFLICT',
      hint: 'Remove the other tenant first (tenantwatch tenant remove Contoso), or register this one under another name',
    });
    assert.equal(await t.remove('CONTOSO'), true);
    assert.equal(await t.remove(TENANT_B), true);
    assert.equal(await t.remove('contoso'), false);
    assert.deepEqual(await t.list(), []);
  });

  test('coverage windows: upsert replaces by (tenant, stream, start); list filters by tenant, stream and overlap', async () => {
    const l = ctx.store.ledger;
    await l.upsertWindow(windowRow());
    await l.upsertWindow(windowRow({ start: T0 + DAY, end: T0 + 2 * DAY }));
    await l.upsertWindow(windowRow({ stream: 'Audit.Exchange' }));
    await l.upsertWindow(windowRow({ tenant: TENANT_B }));
    const done = windowRow({
      state: 'fetched',
      queriedStart: T0 - 1,
      fetchedTo: T0 + 2 * HOUR,
      blobsListed: 3,
      blobsFetched: 2,
      blobsFailed: 1,
      records: 10,
      newRecords: 7,
      attempts: 2,
      lastError: 'AF429',
      updatedAt: T0 + 9,
    });
    await l.upsertWindow(done);
    assert.equal((await l.listWindows()).length, 4);
    const mine = await l.listWindows({ tenant: TENANT_A, stream: 'Audit.SharePoint' });
    assert.deepEqual(mine[0], done);
    assert.deepEqual(
      mine.map((w) => w.start),
      [T0, T0 + DAY],
    );
    assert.deepEqual(
      (await l.listWindows({ tenant: TENANT_A, stream: 'Audit.SharePoint', from: T0 + DAY })).map((w) => w.start),
      [T0 + DAY],
    );
    assert.deepEqual(
      (await l.listWindows({ tenant: TENANT_A, stream: 'Audit.SharePoint', to: T0 + DAY })).map((w) => w.start),
      [T0],
    );
  });

  test('coverage windows keep their kind: a horizon slice reads back as one, beside the window holding it', async () => {
    const l = ctx.store.ledger;
    const slice = windowRow({
      start: T0 + 2 * HOUR,
      end: T0 + 3 * HOUR,
      kind: 'horizon-slice',
      state: 'expired',
      queriedStart: T0 + 2 * HOUR,
      lastError: "planned, but passed the API's 7-day horizon before it was fetched",
    });
    await l.upsertWindow(windowRow({ queriedStart: T0 + 3 * HOUR }));
    await l.upsertWindow(slice);
    assert.deepEqual(
      (await l.listWindows({ tenant: TENANT_A })).map((w) => [w.start, w.kind]),
      [
        [T0, 'window'],
        [T0 + 2 * HOUR, 'horizon-slice'],
      ],
    );
    assert.deepEqual((await l.listWindows({ tenant: TENANT_A, from: T0 + 2 * HOUR }))[1], slice);
    await l.upsertWindow({ ...slice, end: T0 + 4 * HOUR });
    assert.equal((await l.listWindows({ tenant: TENANT_A }))[1]!.end, T0 + 4 * HOUR, 'a slice is extended in place');
  });

  test('coverage windows keep their cause: set while awaiting first content, kept when expired, cleared by an upsert', async () => {
    const l = ctx.store.ledger;
    const waiting = windowRow({ cause: 'awaiting-first-content', lastError: 'waiting for the first content' });
    await l.upsertWindow(waiting);
    assert.deepEqual(await l.listWindows({ tenant: TENANT_A }), [waiting]);
    const passed = { ...waiting, state: 'expired' as const, lastError: 'not collectable' };
    await l.upsertWindow(passed);
    assert.deepEqual(await l.listWindows({ tenant: TENANT_A }), [passed]);
    await l.upsertWindow({ ...waiting, state: 'fetched', cause: null, lastError: null });
    assert.equal((await l.listWindows({ tenant: TENANT_A }))[0]!.cause, null);
  });

  test('a history window beyond the retention keeps its cause and its words, beside the history asked for', async () => {
    const l = ctx.store.ledger;
    const stream = 'search-unified-audit-log';
    const beyond = windowRow({
      stream,
      start: T0 - 100 * DAY,
      end: T0 - 10 * DAY,
      state: 'expired',
      cause: 'beyond-retention',
      lastError: "older than the tenant's retention (180 days); Microsoft no longer keeps these records",
    });
    const asked = windowRow({ stream, start: T0 - 10 * DAY, end: T0, state: 'fetched', queriedStart: T0 - 10 * DAY });
    await l.upsertWindow(beyond);
    await l.upsertWindow(asked);
    await l.upsertWindow(windowRow());
    assert.deepEqual(await l.listWindows({ tenant: TENANT_A, stream }), [beyond, asked]);
  });

  test('commitBlob stores the records and the blob row together; hasBlob and listBlobs see it', async () => {
    const l = ctx.store.ledger;
    const records = [record(), record(), record()];
    await ctx.store.records.insert([records[0]!]);
    assert.deepEqual(await l.commitBlob(blobRow(), records), { inserted: 2, duplicates: 1 });
    assert.equal(await l.hasBlob(TENANT_A, blobRow().contentId), true);
    assert.equal(await l.hasBlob(TENANT_B, blobRow().contentId), false);
    const [row] = await l.listBlobs({ tenant: TENANT_A });
    assert.deepEqual(row, { ...blobRow(), records: 3, newRecords: 2 });
    assert.equal((await ctx.store.records.get(TENANT_A, records[2]!.id))?.id, records[2]!.id);
  });

  test('commitBlob is atomic: a failing record leaves neither records nor the blob row', async () => {
    const l = ctx.store.ledger;
    const bad = record({ operation: null as unknown as string });
    await assert.rejects(l.commitBlob(blobRow(), [record(), bad]));
    assert.equal(await l.hasBlob(TENANT_A, blobRow().contentId), false);
    assert.deepEqual(await l.listBlobs({}), []);
    assert.equal(await ctx.store.records.count({ range: { start: 0, end: 8e12 } }), 0);
  });

  test('blob issues are kept with their reason and never hide a committed blob', async () => {
    const l = ctx.store.ledger;
    await l.recordBlobIssue({
      ...blobRow({ contentId: 'refused-1', contentUri: 'https://evil.example/x' }),
      status: 'refused',
      reason: 'host is not the tenant Management API',
    });
    assert.equal(await l.hasBlob(TENANT_A, 'refused-1'), false);
    const [issue] = await l.listBlobs({ tenant: TENANT_A });
    assert.equal(issue?.status, 'refused');
    assert.equal(issue?.reason, 'host is not the tenant Management API');
    assert.equal(issue?.sha256, null);
    await l.commitBlob(blobRow({ contentId: 'ok-1', contentCreated: T0 + 1 }), [record()]);
    await l.recordBlobIssue({
      ...blobRow({ contentId: 'ok-1', contentCreated: T0 + 1 }),
      status: 'expired',
      reason: 'late',
    });
    assert.equal(await l.hasBlob(TENANT_A, 'ok-1'), true);
    await l.commitBlob(blobRow({ contentId: 'refused-1' }), [record()]);
    assert.equal(await l.hasBlob(TENANT_A, 'refused-1'), true, 'a later successful fetch replaces the issue');
    assert.deepEqual(
      (await l.listBlobs({ from: T0 + 1, to: T0 + 2 })).map((b) => b.contentId),
      ['ok-1'],
    );
    assert.equal((await l.listBlobs({ limit: 1 })).length, 1);
    assert.equal((await l.listBlobs({ contentType: 'Audit.Exchange' })).length, 0);
  });

  test("forgetTenant removes one tenant's windows, blobs and checkpoints, and nothing of another", async () => {
    const l = ctx.store.ledger;
    for (const tenant of [TENANT_A, TENANT_B]) {
      await l.upsertWindow(windowRow({ tenant }));
      await l.upsertWindow(windowRow({ tenant, start: T0 + DAY, end: T0 + 2 * DAY }));
      await l.commitBlob(blobRow({ tenant }), [record({ tenant })]);
      await l.advanceCheckpoint(tenant, 'Audit.SharePoint', T0 + DAY, T0);
    }
    assert.deepEqual(await l.forgetTenant(TENANT_A), { windows: 2, blobs: 1, checkpoints: 1 });
    assert.deepEqual(await l.listWindows({ tenant: TENANT_A }), []);
    assert.deepEqual(await l.listBlobs({ tenant: TENANT_A }), []);
    assert.equal(await l.hasBlob(TENANT_A, blobRow().contentId), false, 'a re-added tenant fetches it again');
    assert.equal(await l.getCheckpoint(TENANT_A, 'Audit.SharePoint'), null);
    assert.equal((await l.listWindows({ tenant: TENANT_B })).length, 2);
    assert.equal(await l.hasBlob(TENANT_B, blobRow().contentId), true);
    assert.equal((await l.getCheckpoint(TENANT_B, 'Audit.SharePoint'))?.position, T0 + DAY);
    assert.deepEqual(await l.forgetTenant(TENANT_A), { windows: 0, blobs: 0, checkpoints: 0 });
  });

  test('checkpoints only move forward', async () => {
    const l = ctx.store.ledger;
    assert.equal(await l.getCheckpoint(TENANT_A, 'Audit.Exchange'), null);
    assert.equal(await l.advanceCheckpoint(TENANT_A, 'Audit.Exchange', T0 + 10, T0 + 100), true);
    assert.equal(await l.advanceCheckpoint(TENANT_A, 'Audit.Exchange', T0 + 5, T0 + 200), false);
    assert.deepEqual(await l.getCheckpoint(TENANT_A, 'Audit.Exchange'), {
      tenant: TENANT_A,
      stream: 'Audit.Exchange',
      position: T0 + 10,
      updatedAt: T0 + 100,
    });
    assert.equal(await l.advanceCheckpoint(TENANT_A, 'Audit.Exchange', T0 + 20, T0 + 300), true);
    assert.equal((await l.getCheckpoint(TENANT_A, 'Audit.Exchange'))?.position, T0 + 20);
    assert.equal(await l.getCheckpoint(TENANT_A, 'Audit.General'), null, 'each stream has its own');
  });

  test('leases: exclusive while valid, renewable by the owner, taken over after expiry, released only by the owner', async () => {
    const l = ctx.store.ledger;
    assert.equal(await l.acquireLease('tenant-a', 'one', T0 + 100, T0), true);
    assert.equal(await l.acquireLease('tenant-a', 'two', T0 + 150, T0 + 50), false);
    assert.equal(await l.acquireLease('tenant-b', 'two', T0 + 150, T0 + 50), true, 'another key is free');
    assert.equal(await l.acquireLease('tenant-a', 'one', T0 + 200, T0 + 60), true, 'the owner renews');
    assert.equal(await l.acquireLease('tenant-a', 'two', T0 + 300, T0 + 150), false, 'the renewal holds');
    assert.equal(await l.acquireLease('tenant-a', 'two', T0 + 300, T0 + 200), true, 'expired: taken over');
    await l.releaseLease('tenant-a', 'one');
    assert.equal(
      await l.acquireLease('tenant-a', 'one', T0 + 400, T0 + 210),
      false,
      'a former owner cannot release it',
    );
    await l.releaseLease('tenant-a', 'two');
    assert.equal(await l.acquireLease('tenant-a', 'one', T0 + 400, T0 + 210), true);
  });

  test("leases: the holder can be read, and a gone holder's lease reclaimed by exactly one of several", async () => {
    const l = ctx.store.ledger;
    assert.equal(await l.leaseHolder('k'), null);
    assert.equal(await l.reclaimLease('k', 'gone', 'me', T0 + 100), false, 'nothing to reclaim');
    assert.equal(await l.acquireLease('k', 'gone', T0 + 1000, T0), true);
    assert.deepEqual(await l.leaseHolder('k'), { owner: 'gone', until: T0 + 1000 });
    const won = await Promise.all(['a', 'b', 'c', 'd'].map((o) => l.reclaimLease('k', 'gone', o, T0 + 500)));
    assert.equal(won.filter(Boolean).length, 1);
    const winner = ['a', 'b', 'c', 'd'][won.indexOf(true)]!;
    assert.deepEqual(await l.leaseHolder('k'), { owner: winner, until: T0 + 500 });
    assert.equal(await l.reclaimLease('k', 'gone', 'late', T0 + 600), false, 'only from the holder named');
    assert.equal(await l.acquireLease('k', 'gone', T0 + 700, T0 + 10), false, 'the gone holder does not get it back');
  });

  test('leases: only the holder renews, run out or not; a key that changed hands is never taken back', async () => {
    const l = ctx.store.ledger;
    assert.equal(await l.renewLease('k', 'me', T0 + 100), false, 'nothing held');
    assert.equal(await l.acquireLease('k', 'me', T0 + 100, T0), true);
    assert.equal(await l.renewLease('k', 'me', T0 + 300), true);
    assert.deepEqual(await l.leaseHolder('k'), { owner: 'me', until: T0 + 300 });
    assert.equal(await l.renewLease('k', 'me', T0 + 500), true, 'run out by now, but nobody took it over');
    assert.equal(await l.acquireLease('k', 'other', T0 + 900, T0 + 400), false, 'the renewal holds');
    assert.equal(await l.acquireLease('k', 'other', T0 + 900, T0 + 500), true, 'run out: taken over');
    assert.equal(await l.renewLease('k', 'me', T0 + 1_000), false, 'taken over');
    assert.deepEqual(await l.leaseHolder('k'), { owner: 'other', until: T0 + 900 });
    await l.releaseLease('k', 'other');
    assert.equal(await l.renewLease('k', 'me', T0 + 1_000), false, 'let go by its new holder: not taken back');
    assert.equal(await l.leaseHolder('k'), null);
  });

  test('leases: of many owners racing for a free or an expired key, exactly one wins', async () => {
    const l = ctx.store.ledger;
    const owners = Array.from({ length: 12 }, (_, i) => `worker-${i}`);
    const won = await Promise.all(owners.map((o) => l.acquireLease('race', o, T0 + 1000, T0)));
    assert.equal(won.filter(Boolean).length, 1);
    assert.equal(await l.acquireLease('race-expired', 'old', T0 + 100, T0), true);
    const again = await Promise.all(owners.map((o) => l.acquireLease('race-expired', o, T0 + 10_000, T0 + 200)));
    assert.equal(again.filter(Boolean).length, 1);
  });

  test('leases: the run-out ones under a prefix are dropped; held ones and other prefixes stay', async () => {
    const l = ctx.store.ledger;
    await l.acquireLease('alert:soc:a1', 'gone', T0 + 100, T0);
    await l.acquireLease('alert:soc:a2', 'gone', T0 + 200, T0);
    await l.acquireLease('alert:soc:a3', 'alive', T0 + 900, T0);
    await l.acquireLease('alert_soc', 'gone', T0 + 100, T0);
    await l.acquireLease('first-content/t/Audit.General', 'gone', T0 + 100, T0);
    assert.equal(await l.dropExpiredLeases('alert:', T0 + 200), 2, 'until <= now: as acquireLease takes over');
    assert.equal(await l.leaseHolder('alert:soc:a1'), null);
    assert.equal(await l.leaseHolder('alert:soc:a2'), null);
    assert.deepEqual(await l.leaseHolder('alert:soc:a3'), { owner: 'alive', until: T0 + 900 }, 'still held');
    assert.notEqual(await l.leaseHolder('alert_soc'), null, 'a prefix is text, not a pattern (_ is no wildcard)');
    assert.notEqual(await l.leaseHolder('first-content/t/Audit.General'), null, 'another prefix');
    assert.equal(await l.dropExpiredLeases('alert:', T0 + 200), 0);
  });

  test('posture snapshots: history newest first, with limit; latest per tenant', async () => {
    const p = ctx.store.posture;
    await p.save({ tenant: TENANT_A, takenAt: T0, verdict: 'failing', body: { unified: false } });
    await p.save({ tenant: TENANT_A, takenAt: T0 + 10, verdict: 'ok', body: { unified: true, mailboxes: [1, 2] } });
    await p.save({ tenant: TENANT_B, takenAt: T0 + 5, verdict: 'unknown', body: null });
    const history = await p.list(TENANT_A);
    assert.deepEqual(
      history.map((s) => s.verdict),
      ['ok', 'failing'],
    );
    assert.deepEqual(history[0]?.body, { unified: true, mailboxes: [1, 2] });
    assert.equal((await p.list(TENANT_A, 1)).length, 1);
    assert.deepEqual(
      (await p.latest()).map((s) => [s.tenant, s.verdict]),
      [
        [TENANT_A, 'ok'],
        [TENANT_B, 'unknown'],
      ],
    );
    assert.deepEqual(await p.list('nobody'), []);
  });
  test('cursors: get, set (moving on), list and remove per consumer', async () => {
    const c = ctx.store.cursors;
    assert.equal(await c.get('detections:live'), null);
    await ctx.store.records.insert([record(), record()]);
    const { next } = await ctx.store.records.tail(null, { limit: 1 });
    await c.set('detections:live', next, 1_000);
    const end = await ctx.store.records.tailEnd();
    await c.set('sink:siem', end, 2_000);
    assert.equal(await c.get('detections:live'), next);
    assert.equal((await ctx.store.records.tail(await c.get('detections:live'), { limit: 5 })).records.length, 1);
    const moved = (await drain(ctx.store, next)).next!;
    await c.set('detections:live', moved, 3_000);
    assert.deepEqual(await c.list(), [
      { consumer: 'detections:live', position: moved, updatedAt: 3_000 },
      { consumer: 'sink:siem', position: end, updatedAt: 2_000 },
    ]);
    await c.remove('detections:live');
    await c.remove('nobody');
    assert.equal(await c.get('detections:live'), null);
    assert.deepEqual(
      (await c.list()).map((r) => r.consumer),
      ['sink:siem'],
    );
  });

  test("commitBlob's records join the tail in arrival order, after the records stored before them", async () => {
    const s = ctx.store;
    const before = [record()];
    await s.records.insert(before);
    const blob = [record(), before[0]!, record()];
    await s.ledger.commitBlob(blobRow(), blob);
    assert.deepEqual((await drain(s, null, 2)).ids, [before[0]!.id, blob[0]!.id, blob[2]!.id]);
  });

  test('recordBlob and commitBlobAcross (records in another engine) leave the same ledger row as commitBlob', async () => {
    const s = ctx.store;
    const rows = [record(), record()];
    await s.records.insert([rows[0]!]);
    const across = blobRow({ contentId: 'across' });
    assert.deepEqual(await commitBlobAcross(s.records, s.ledger, across, rows), { inserted: 1, duplicates: 1 });
    assert.deepEqual(await s.ledger.listBlobs({ tenant: TENANT_A }), [{ ...across, records: 2, newRecords: 1 }]);
    assert.equal(await s.ledger.hasBlob(TENANT_A, 'across'), true);
    // A crash after the records and before the row: the blob is fetched again, its records are duplicates.
    const again = blobRow({ contentId: 'crashed' });
    const crashed = [record(), record()];
    await s.records.insert(crashed);
    assert.equal(await s.ledger.hasBlob(TENANT_A, 'crashed'), false, 'no row: the collector fetches it again');
    assert.deepEqual(await commitBlobAcross(s.records, s.ledger, again, crashed), { inserted: 0, duplicates: 2 });
    assert.equal(await s.ledger.hasBlob(TENANT_A, 'crashed'), true);
    assert.equal((await drain(s, null)).ids.length, 4, 'every record once');
  });
}
