import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { collect } from '../src/collector/collect.js';
import { WebhookReceiver } from '../src/collector/webhook-receiver.js';
import { recordingLogger } from '../src/core/log.js';
import { buildServer } from '../src/server/index.js';
import { WEBHOOK_PATH } from '../src/server/routes/webhooks.js';
import {
  emulatedTenant,
  emulatorClock,
  groundTruthIds,
  storedIds,
  useEmulatorAndStore,
  type EmulatorStoreBed,
} from './support/emulator-bed.js';
import { emulatedTenantRow } from './support/emulator.js';

/**
 * Issue 20, webhooks, against the emulator in process (virtual clock): subscriptions started with the
 * webhook (validated), notified blobs stored at once, a dropped notification caught by the next poll
 * (every 30 minutes), a wrong Webhook-AuthID refused and logged, a webhook Microsoft disabled re-enabled.
 * The console's HTTPS front is a small TLS server (the emulator's certificate) handing requests to the app.
 */
const AUTH = 'test-webhook-auth-id';
let app: FastifyInstance;
let front: Server;
let receiver: WebhookReceiver;
let failDeliveries = false;
const log = recordingLogger();
const abort = new AbortController();

const bed = useEmulatorAndStore(
  {
    tenants: 1,
    users: 10,
    days: 1,
    recordsPerUserPerDay: 300,
    // Content at once after a start (the default follows Microsoft's documented 12 hours).
    tuning: { firstDataDelayMs: 0 },
  },
  // The receiver, the front and the app hold the store: they close before it does.
  { setUp: startWebhooks, close: stopWebhooks },
);

/** The receiver, the console's app behind its HTTPS front, and the tenant's row in the store. */
async function startWebhooks({ t, store }: EmulatorStoreBed): Promise<void> {
  front = createServer({ key: t.emu.serverKeyPem, cert: t.emu.serverCertPem }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      if (failDeliveries) return void res.writeHead(500).end();
      void app
        .inject({ method: 'POST', url: req.url ?? '/', headers: req.headers, payload: body })
        .then((r) => res.writeHead(r.statusCode, { 'content-type': 'application/json' }).end(r.body));
    });
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  const address = `https://127.0.0.1:${(front.address() as AddressInfo).port}${WEBHOOK_PATH}`;
  const clock = emulatorClock(t.emu);
  const tenant = emulatedTenant(t.emu, t.emu.tenants[0]!, clock);
  receiver = new WebhookReceiver({
    store,
    clock,
    logger: log,
    signal: abort.signal,
    address,
    authId: AUTH,
    tenants: [tenant],
  });
  app = await buildServer({ store, clock, logger: log, webhooks: receiver });
  const now = clock.now();
  await store.tenants.upsert(emulatedTenantRow(t.emu, t.emu.tenants[0]!, { addedAt: now, updatedAt: now }));
}

async function stopWebhooks(): Promise<void> {
  abort.abort();
  receiver?.close();
  await new Promise((r) => front?.close(r));
  await app?.close();
}

/** One polling pass (what `collect --follow --interval 30m` does every 30 minutes). */
async function poll(): Promise<void> {
  const { t, store } = bed;
  const clock = emulatorClock(t.emu);
  const summary = await collect({
    tenants: [emulatedTenant(t.emu, t.emu.tenants[0]!, clock)],
    store,
    clock,
    logger: log,
    signal: abort.signal,
    sinceMs: 7 * 86_400_000,
    webhook: receiver.setting(),
  });
  assert.ok(summary.ok, JSON.stringify(summary.tenants[0]?.error));
}

async function missing(): Promise<number> {
  const { t, store } = bed;
  const stored = new Set(await storedIds(store, t.emu.tenants[0]!.tenantId));
  return (await groundTruthIds(t.emu, t.emu.tenants[0]!.tenantId)).filter((id) => !stored.has(id)).length;
}

test('the first poll starts every subscription with the webhook; the handshake is answered; health is healthy', async () => {
  const { t } = bed;
  await poll();
  const tid = t.emu.tenants[0]!.tenantId;
  assert.equal((receiver.status(tid) as { status: string }).status, 'healthy');
  const tenants = (await app.inject({ method: 'GET', url: '/api/tenants' })).json<{
    tenants: { webhook: { status: string } | null }[];
  }>();
  assert.equal(tenants.tenants[0]?.webhook?.status, 'healthy');
  assert.equal(await missing(), 0);
});

test('records announced by a notification are stored within 5 s of it (emulator clock)', async () => {
  const { t } = bed;
  const tid = t.emu.tenants[0]!.tenantId;
  const before = (receiver.status(tid) as { notifications: number }).notifications;
  await t.emu.clock.advance(15 * 60_000); // blobs become available; the emulator notifies them
  const notifiedAt = t.emu.clock.now();
  await receiver.idle();
  const h = receiver.status(tid) as { notifications: number; lastDelayMs: number | null };
  assert.ok(h.notifications > before, 'notifications arrived');
  assert.equal(await missing(), 0, 'every available record is stored without a poll');
  assert.ok(t.emu.clock.now() - notifiedAt <= 5_000);
  assert.ok(h.lastDelayMs !== null && h.lastDelayMs >= 0);
});

test('a dropped notification is still caught by the next poll', async () => {
  const { t } = bed;
  t.emu.setFaults({ dropNotifications: 1_000 });
  await t.emu.clock.advance(30 * 60_000);
  await receiver.idle();
  t.emu.setFaults({ dropNotifications: 0 });
  assert.ok((await missing()) > 0, 'the dropped blobs are not stored yet');
  await poll();
  assert.equal(await missing(), 0);
});

test('a notification with a wrong Webhook-AuthID is refused and logged; the right one is accepted', async () => {
  const { t } = bed;
  const body = [{ tenantId: t.emu.tenants[0]!.tenantId, contentType: 'Audit.Exchange' }];
  const wrong = await app.inject({
    method: 'POST',
    url: WEBHOOK_PATH,
    headers: { 'webhook-authid': 'not-it', 'content-type': 'application/json; utf-8' },
    payload: JSON.stringify(body),
  });
  assert.equal(wrong.statusCode, 401);
  const none = await app.inject({ method: 'POST', url: WEBHOOK_PATH, payload: body });
  assert.equal(none.statusCode, 401);
  const refused = log.entries.filter((e) => (e.obj as { event?: string }).event === 'collector.webhook.refused');
  assert.equal(refused.length, 2);
  assert.ok(!JSON.stringify(refused).includes('not-it'), 'the header value is not logged');
  const ok = await app.inject({
    method: 'POST',
    url: WEBHOOK_PATH,
    headers: { 'webhook-authid': AUTH },
    payload: { validationCode: 'abc' },
  });
  assert.equal(ok.statusCode, 200);
});

test('a webhook Microsoft disabled after failed deliveries is re-enabled by the next poll', async () => {
  const { t } = bed;
  const tid = t.emu.tenants[0]!.tenantId;
  failDeliveries = true;
  for (let i = 0; i < 6; i++) await t.emu.clock.advance(10 * 60_000);
  failDeliveries = false;
  const token = await t.client.token(tid, 'https://manage.office.com');
  const list = async () =>
    (
      await t.client.request('GET', `/api/v1.0/${tid}/activity/feed/subscriptions/list`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json<{ contentType: string; webhook: { status: string } | null }[]>();
  assert.ok(
    (await list()).some((s) => s.webhook?.status === 'disabled'),
    'the emulator disabled a webhook',
  );
  await poll();
  assert.ok((await list()).every((s) => s.webhook?.status === 'enabled'));
  assert.equal((receiver.status(tid) as { status: string }).status, 'healthy');
  assert.equal(await missing(), 0, 'the poll caught what the failed deliveries announced');
});
