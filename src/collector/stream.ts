import { AppError } from '../core/errors.js';
import type { ContentType } from '../core/record.js';
import type { ContentItem, ContentPage, Step } from '../microsoft/management-activity.js';
import type { BlobRow, CoverageWindow } from '../store/contract.js';
import { attempt } from './attempt.js';
import { collectBlob, type BlobOutcome } from './blob-task.js';
import { streamRenewalDue } from './stream-lease.js';
import type { RunContext, TenantRun } from './context.js';
import { EVENTS } from './events.js';
import { awaitingFirstContent, firstContentCame, firstContentUntil } from './first-content.js';
import { sayLost, sayPassed } from './passed.js';
import { fetchedReach, horizon, planWindows } from './windows.js';
import { countOf } from '../core/words.js';

/**
 * One stream (tenant × content type): plan windows from the checkpoint, then for each window in order
 * list every page, fetch its blobs (bounded, fair across tenants), and mark it. The checkpoint moves
 * to a window's end only when that window and every one before it in this pass are complete and
 * committed — never backwards, never over a hole.
 */
export type StreamResult = { ok: true } | { ok: false; error: AppError; scope: 'stream' | 'tenant' };

export async function collectStream(
  ctx: RunContext,
  run: TenantRun,
  ct: ContentType,
  heartbeat: () => Promise<void>,
): Promise<StreamResult> {
  const { store, clock, logger } = ctx;
  const now = clock.now();
  const checkpoint = await store.ledger.getCheckpoint(run.tenantId, ct);
  const from = checkpoint
    ? Math.min(checkpoint.position, now - ctx.options.relistMs)
    : await unfinishedStart(ctx, run.tenantId, ct, now - ctx.options.sinceMs);
  const existing = await store.ledger.listWindows({
    tenant: run.tenantId,
    stream: ct,
    from: from - ctx.options.windowMs,
  });
  const waitUntil = await firstContentUntil(ctx, run.tenantId, ct);
  const plan = planWindows({
    tenant: run.tenantId,
    stream: ct,
    now,
    from,
    windowMs: ctx.options.windowMs,
    horizonMarginMs: ctx.options.horizonMarginMs,
    existing,
    firstContentUntil: waitUntil,
  });
  for (const w of plan.expired) await store.ledger.upsertWindow(w);
  sayPassed(ctx, run, ct, plan.news);
  // Every window is in the ledger before it is worked on: one this pass does not finish (stopped, awaiting
  // the first content, failed) is a gap that coverage shows, and where the next run resumes.
  const known = new Set(existing.map((w) => w.start));
  for (const w of plan.windows) if (!known.has(w.start)) await store.ledger.upsertWindow(w);
  run.stats.windowsPlanned += plan.windows.length;
  let clean = true;
  // The lease is renewed before each window and, within it, before every request when due (stream-lease.ts): the
  // stream's client renews it right before each request goes out, a request sent again after a 401 included.
  let beatAt = clock.now();
  const beat = async (force = false): Promise<void> => {
    if (!force && !streamRenewalDue(clock.now() - beatAt, ctx.options.leaseMs)) return;
    beatAt = clock.now();
    await heartbeat();
  };
  const leased: TenantRun = { ...run, client: run.client.beforeEachSend(() => beat()) };
  const first = { pending: awaitingFirstContent(ctx, waitUntil) };
  const stored = new Map(existing.filter((w) => w.kind === 'window').map((w) => [w.start, w]));
  for (const w of plan.windows) {
    if (ctx.signal.aborted) break;
    await beat(true);
    const done = await collectWindow(ctx, leased, ct, { ...w, reach: fetchedReach(stored.get(w.start)) }, beat, first);
    if (!done.ok && done.scope === 'tenant') return done;
    if (done.ok && done.complete && clean) {
      if (await store.ledger.advanceCheckpoint(run.tenantId, ct, w.end, clock.now()))
        logger.debug(
          { event: EVENTS.checkpoint, tenant: run.tenantId, name: run.name, contentType: ct, position: w.end },
          'checkpoint advanced',
        );
    } else clean = false;
    if (!done.ok) return done;
  }
  return { ok: true };
}

/**
 * Where a stream without a checkpoint starts: `now − since`, or the oldest window an earlier run planned
 * and did not finish, if that is older. A first run that never completed its first window leaves no
 * checkpoint; starting the next run at `now − since` alone (a shorter `--since`, or simply later) never
 * listed the rest of what the first run planned, and nothing in the ledger said so. Windows that have
 * since passed the 7-day horizon are re-planned as `expired` (gaps), the rest are collected.
 */
async function unfinishedStart(ctx: RunContext, tenant: string, ct: ContentType, lookBack: number): Promise<number> {
  const windows = await ctx.store.ledger.listWindows({ tenant, stream: ct });
  const open = windows.filter((w) => w.state !== 'fetched' && w.state !== 'expired').map((w) => w.start);
  return Math.min(lookBack, ...open);
}

const AWAITING_FIRST_CONTENT =
  "Microsoft has not listed this subscription's first content yet (up to 12 h after it starts); listed again by the next run";

type WindowResult = { ok: true; complete: boolean } | { ok: false; error: AppError; scope: 'stream' | 'tenant' };

/**
 * A planned window and `reach`: how far its stored row says an earlier run fetched it from its start (today's
 * window: up to that run's now), or null. A listing of it that moves its start (AF20055) or does not finish (failed,
 * stopped, partial) keeps that head as fetchedTo, so coverage never reads what was collected as lost or failed
 * (ADR 0006).
 */
type PlannedWindow = CoverageWindow & { reach: number | null };

async function collectWindow(
  ctx: RunContext,
  run: TenantRun,
  ct: ContentType,
  planned: PlannedWindow,
  beat: () => Promise<void>,
  first: { pending: boolean },
): Promise<WindowResult> {
  const { store, clock } = ctx;
  const { reach, ...w } = planned;
  w.attempts++;
  const listed = await listWindow(ctx, run, ct, w, reach);
  // Not finished this time (failed, stopped, partial): the head fetched before stays collected; only the rest is
  // the gap — from the first blob inside that head that failed or that the stop left unfetched (headBeforeLosses).
  const unfinished = { fetchedTo: w.fetchedTo ?? reach };
  if (!listed.ok) {
    await store.ledger.upsertWindow({
      ...w,
      ...unfinished,
      state: 'failed',
      cause: null,
      lastError: listed.error.message,
      updatedAt: clock.now(),
    });
    run.stats.windowsFailed++;
    ctx.logger.warn(
      {
        event: EVENTS.windowFailed,
        tenant: run.tenantId,
        name: run.name,
        contentType: ct,
        start: w.start,
        code: listed.error.code,
        error: listed.error.message,
      },
      'window failed',
    );
    return listed;
  }
  const items = listed.items;
  if (first.pending) {
    if (items.length === 0) {
      // The subscription's first content has not come: an empty listing proves nothing yet. Not marked
      // fetched (coverage shows it, with why), so it is listed again by a later run and the checkpoint
      // does not pass it.
      run.stats.windowsAwaitingFirstContent++;
      if (w.state !== 'fetched')
        await store.ledger.upsertWindow({
          ...w,
          cause: 'awaiting-first-content',
          lastError: AWAITING_FIRST_CONTENT,
          updatedAt: clock.now(),
        });
      return { ok: true, complete: false };
    }
    first.pending = false;
    await firstContentCame(ctx, run.tenantId, ct);
  }
  await store.ledger.upsertWindow({
    ...w,
    state: 'listed',
    cause: null,
    blobsListed: items.length,
    updatedAt: clock.now(),
  });
  run.stats.blobsListed += items.length;
  ctx.logger.debug(
    {
      event: EVENTS.windowListed,
      tenant: run.tenantId,
      name: run.name,
      contentType: ct,
      start: w.start,
      blobs: items.length,
    },
    'window listed',
  );
  const settled = await Promise.allSettled(items.map((item) => fetchOne(ctx, run, ct, w.start, item, beat)));
  const thrown = settled.find((s) => s.status === 'rejected');
  if (thrown) throw thrown.reason;
  const outcomes = settled.map((s) => (s as PromiseFulfilledResult<BlobOutcome | 'stopped'>).value);
  const count = (o: BlobOutcome | 'stopped'): number => outcomes.filter((x) => x === o).length;
  run.stats.blobsFetched += count('fetched');
  run.stats.blobsSkipped += count('skipped');
  run.stats.blobsRefused += count('refused');
  run.stats.blobsFailed += count('failed');
  const unfetched = items.filter((_, i) => outcomes[i] === 'stopped');
  const stopped = unfetched.length > 0;
  const failed = count('failed');
  const blobs = await store.ledger.listBlobs({ tenant: run.tenantId, contentType: ct, from: w.start, to: w.end });
  const fetched = blobs.filter((b) => b.status === 'fetched');
  const state = stopped ? 'listed' : failed ? 'partial' : 'fetched';
  await store.ledger.upsertWindow({
    ...w,
    ...(state === 'fetched' ? {} : { fetchedTo: headBeforeLosses(w.start, unfinished.fetchedTo, blobs, unfetched) }),
    state,
    cause: null,
    blobsListed: items.length,
    blobsFetched: fetched.length,
    blobsFailed: failed,
    records: fetched.reduce((n, b) => n + b.records, 0),
    newRecords: fetched.reduce((n, b) => n + b.newRecords, 0),
    lastError: failed ? `${countOf(failed, 'blob')} could not be fetched; retried on the next run` : null,
    updatedAt: clock.now(),
  });
  if (state === 'fetched') run.stats.windowsDone++;
  return { ok: true, complete: state === 'fetched' };
}

/**
 * The head an earlier run fetched of a window (`head`) that a listing which did not end fetched (partial, stopped)
 * keeps: up to the first of its blobs that failed, or that the stop left unfetched (`unfetched`) with no ledger row.
 * That head was fetched whole as listed then, but a blob the service lists later inside it (its contentCreated
 * before the earlier run's now) that is not stored now was never collected, so the window's gap begins at it and
 * no loss is hidden (ADR 0006): a failed blob shows as a gap of its own too, a stopped one only through this.
 * Null when nothing is left of the head.
 */
function headBeforeLosses(
  start: number,
  head: number | null,
  blobs: readonly BlobRow[],
  unfetched: readonly ContentItem[],
): number | null {
  if (head === null) return null;
  const rows = new Set(blobs.map((b) => b.contentId));
  const lost = [...blobs.filter((b) => b.status === 'failed'), ...unfetched.filter((i) => !rows.has(i.contentId))];
  const to = Math.min(head, ...lost.map((b) => b.contentCreated));
  return to > start ? to : null;
}

async function fetchOne(
  ctx: RunContext,
  run: TenantRun,
  ct: ContentType,
  windowStart: number,
  item: ContentItem,
  beat: () => Promise<void>,
): Promise<BlobOutcome | 'stopped'> {
  try {
    await beat();
    // Queued blobs look at the stop signal when their turn comes (no listener per queued blob).
    return await ctx.scheduler.run(run.tenantId, async () =>
      ctx.signal.aborted ? 'stopped' : collectBlob(ctx, run, ct, windowStart, item),
    );
  } catch (e) {
    if (ctx.signal.aborted) return 'stopped';
    throw e;
  }
}

type Listed = { ok: true; items: ContentItem[] } | { ok: false; error: AppError; scope: 'stream' | 'tenant' };

/**
 * Every page of a window; resubscribes (AF20022/23) and re-plans a window that fell behind the horizon. `reach`:
 * how far an earlier run fetched the window from its start (see PlannedWindow).
 */
async function listWindow(
  ctx: RunContext,
  run: TenantRun,
  ct: ContentType,
  w: CoverageWindow,
  reach: number | null,
): Promise<Listed> {
  const seen = new Map<string, ContentItem>();
  // The NextPageUris followed since the first page: one named again means the service loops, and
  // following it would never end (nothing else bounds a listing).
  const followed = new Set<string>();
  let next: string | null = null;
  let fixes = 0;
  for (;;) {
    const target: { next: string } | { contentType: ContentType; start: number; end: number } = next
      ? { next }
      : { contentType: ct, start: w.queriedStart ?? w.start, end: w.end };
    const page: Step<ContentPage> = await attempt(ctx, run, 'list content', () => run.client.listContent(target));
    if (page.ok) {
      for (const item of page.value.items) if (!seen.has(item.contentId)) seen.set(item.contentId, item);
      next = page.value.next;
      if (!next) break;
      if (followed.has(next)) return { ok: false, error: pageLoop(ct, followed.size + 1), scope: 'stream' };
      followed.add(next);
      continue;
    }
    const f = page.failure;
    if (++fixes > 3) return { ok: false, error: f.error, scope: 'stream' };
    if (f.disposition === 'subscribe-and-retry') {
      const started = await attempt(ctx, run, 'start subscription', () => run.client.startSubscription(ct));
      if (!started.ok) return { ok: false, error: started.failure.error, scope: scopeOf(started.failure.error) };
      continue;
    }
    if (f.disposition === 'shift-window') {
      shiftToHorizon(ctx, run, ct, w, reach, f.serverTime);
      next = null;
      seen.clear();
      followed.clear();
      continue;
    }
    if (f.code === 'AF20031') {
      next = null;
      followed.clear();
      continue;
    }
    return { ok: false, error: f.error, scope: scopeOf(f.error) };
  }
  return {
    ok: true,
    items: [...seen.values()].sort(
      (a, b) => a.contentCreated - b.contentCreated || a.contentId.localeCompare(b.contentId),
    ),
  };
}

/**
 * Time moved past the 7-day horizon while we worked (AF20055): the window is listed from the new horizon (the rest
 * is a gap). The service judges by its own clock: when it runs ahead of ours (its Date header), its horizon counts.
 * What an earlier run fetched from the window's start stays collected, as when the planner moves the start
 * (windows.ts fetchedHead); what lies between that (or the start asked for) and the new start is lost, and is said
 * as the planner says its horizon losses, not only shown by coverage.
 */
function shiftToHorizon(
  ctx: RunContext,
  run: TenantRun,
  ct: ContentType,
  w: CoverageWindow,
  reach: number | null,
  serverTime: number | null | undefined,
): void {
  const now = Math.max(ctx.clock.now(), serverTime ?? 0);
  const before = w.queriedStart ?? w.start;
  const lostFrom = Math.max(before, reach ?? before, w.fetchedTo ?? before);
  w.queriedStart = Math.min(w.end - 1000, Math.max(before, horizon(now, ctx.options.horizonMarginMs)));
  if (w.queriedStart > w.start) w.fetchedTo = reach;
  if (w.queriedStart > lostFrom) sayLost(ctx, run, ct, { start: lostFrom, end: w.queriedStart, windows: 1 });
}

function pageLoop(ct: ContentType, pages: number): AppError {
  return new AppError(
    'UPSTREAM',
    `Listing ${ct} content looped: after ${countOf(pages, 'page')} the Management Activity API's NextPageUri named a page already read`,
    {
      hint: 'The window is listed again on the next run; if this keeps happening, report it to Microsoft support with the time',
    },
  );
}

export function scopeOf(error: AppError): 'stream' | 'tenant' {
  return error.code === 'AUDIT_DISABLED' || error.code === 'AUTH_FAILED' || error.code === 'UNKNOWN_TENANT'
    ? 'tenant'
    : 'stream';
}
