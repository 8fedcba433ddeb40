import { randomBytes } from 'node:crypto';
import { collect, type CollectTenant } from '../../collector/collect.js';
import { WebhookReceiver } from '../../collector/webhook-receiver.js';
import { connectTenant } from '../../config/tenants.js';
import { AppError } from '../../core/errors.js';
import { parseDuration } from '../../core/time.js';
import type { Store } from '../../store/contract.js';
import type { ServerDeps } from '../../server/index.js';
import { WEBHOOK_PATH } from '../../server/routes/webhooks.js';
import type { CliContext } from '../context.js';
import { liveDetections } from '../live-detections.js';

/**
 * An HTTPS URL with a host. A bare origin is one too: "https://x.example" was refused where "https://x.example/"
 * (the same URL) was taken; the reverse proxy maps either to WEBHOOK_PATH.
 */
export function checkWebhookUrl(url: string): void {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (parsed?.protocol !== 'https:' || !parsed.hostname)
    throw new AppError('USAGE', `--webhook-url "${url}" is not an HTTPS URL`, {
      hint: `Microsoft only notifies HTTPS addresses: e.g. https://tenantwatch.example.com${WEBHOOK_PATH}`,
    });
}

/**
 * `serve --webhook-url https://…`: the console, the Management API webhook endpoint and a collector in
 * one process. Every registered tenant's subscriptions are started with the webhook; notified blobs are
 * fetched at once; a poll every `--interval` (30 min) catches what a lost notification missed. The URL is
 * the public HTTPS address of a TLS front (reverse proxy) that forwards to this server's WEBHOOK_PATH.
 */
export async function serveWithWebhooks<ServeOptions extends { interval?: string }>(
  ctx: CliContext,
  opts: ServeOptions,
  url: string,
  serveConsole: (
    ctx: CliContext,
    store: Store,
    opts: ServeOptions,
    collector?: ServerDeps['collector'],
    webhooks?: ServerDeps['webhooks'],
    onListening?: () => void,
  ) => Promise<void>,
): Promise<void> {
  checkWebhookUrl(url);
  const intervalMs = parseDuration(opts.interval ?? '30m', '--interval');
  if (intervalMs === null || intervalMs <= 0)
    throw new AppError('USAGE', `--interval "${opts.interval}" is not a duration`, { hint: 'e.g. 30m' });
  const authId = process.env.TENANTWATCH_WEBHOOK_AUTH_ID || randomBytes(24).toString('base64url');
  if (!process.env.TENANTWATCH_WEBHOOK_AUTH_ID)
    ctx.err.write(
      'tenantwatch: TENANTWATCH_WEBHOOK_AUTH_ID is not set; a new authId was made for this run (subscriptions are started again with it)\n',
    );
  const store = await ctx.store();
  const tenants: CollectTenant[] = (await store.tenants.list()).map((row) => ({
    tenantId: row.tenantId,
    name: row.name,
    connect: () => connectTenant(row, { keyFile: ctx.locations.secretKeyFile, clock: ctx.clock, logger: ctx.logger }),
  }));
  const receiver = new WebhookReceiver({
    store,
    clock: ctx.clock,
    logger: ctx.logger,
    signal: ctx.signal,
    address: url,
    authId,
    tenants,
  });
  let latest: unknown = null;
  let collecting: Promise<unknown> = Promise.resolve();
  // Rules run on what each pass stored (and what notified blobs brought since), as with collect --follow.
  const detections = await liveDetections(ctx, true);
  // Collection starts once the server listens: starting a subscription makes Microsoft validate the URL.
  const startCollecting = (): void => {
    collecting = collect({
      tenants,
      store,
      clock: ctx.clock,
      logger: ctx.logger,
      signal: ctx.signal,
      follow: true,
      intervalMs,
      webhook: receiver.setting(),
      onProgress: (stats) => (latest = { tenants: stats }),
      ...(detections ? { afterPass: () => detections.pass() } : {}),
    });
  };
  try {
    await serveConsole(ctx, store, opts, { status: () => latest }, receiver, startCollecting);
  } finally {
    await collecting.catch(() => undefined);
    await receiver.idle();
    receiver.close();
    await detections?.close();
  }
}
