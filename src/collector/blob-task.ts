import { AppError, isAppError } from '../core/errors.js';
import type { ContentType } from '../core/record.js';
import type { ContentItem, Step } from '../microsoft/management-activity.js';
import { attempt } from './attempt.js';
import { readBlob } from './blob-reader.js';
import type { RunContext, TenantRun } from './context.js';
import { EVENTS } from './events.js';
import { countOf } from '../core/words.js';

/**
 * One listed blob, start to finish: skip it when already committed (ledger.hasBlob); refuse a
 * contentUri outside the tenant's Management API base (ledger entry 'refused', token never sent);
 * record an expired one; otherwise fetch it streamed, normalize, and write its records and its ledger
 * row with ledger.commitBlob in ONE transaction. A body cut mid-way is fetched again from the start;
 * nothing of it was written. Very large blobs are written in batches before the final commitBlob:
 * a crash in between leaves records without their blob row, so the blob is fetched again and the
 * records de-duplicate on Id — still exactly once.
 */
export type BlobOutcome = 'fetched' | 'skipped' | 'refused' | 'expired' | 'missing' | 'failed';

export async function collectBlob(
  ctx: RunContext,
  run: TenantRun,
  contentType: ContentType,
  windowStart: number,
  item: ContentItem,
): Promise<BlobOutcome> {
  const { store, clock, logger } = ctx;
  if (await store.ledger.hasBlob(run.tenantId, item.contentId)) return 'skipped';
  const issue = async (status: 'refused' | 'expired' | 'missing' | 'failed', reason: string): Promise<void> => {
    await store.ledger.recordBlobIssue({
      tenant: run.tenantId,
      contentType,
      contentId: item.contentId,
      contentUri: item.contentUri,
      contentCreated: item.contentCreated,
      contentExpiration: item.contentExpiration,
      fetchedAt: clock.now(),
      status,
      reason,
      windowStart,
    });
  };
  if (!run.client.accepts(item.contentUri)) {
    const reason = `contentUri host is not the Management API base ${run.client.base}; the token was not sent`;
    logger.warn(
      {
        event: EVENTS.blobRefused,
        tenant: run.tenantId,
        name: run.name,
        contentType,
        contentId: item.contentId,
        reason,
      },
      'blob refused',
    );
    await issue('refused', reason);
    return 'refused';
  }
  if (item.contentExpiration !== null && item.contentExpiration <= clock.now()) {
    await issue('expired', 'content expired (older than 7 days) before it was fetched');
    return 'expired';
  }
  const result = await attempt(ctx, run, 'fetch blob', () => fetchAndCommit(ctx, run, contentType, windowStart, item));
  if (result.ok) return 'fetched';
  const f = result.failure;
  if (f.disposition === 'skip-blob') {
    await issue(f.blobStatus ?? 'missing', f.error.message);
    logger.warn(
      {
        event: EVENTS.blobSkipped,
        tenant: run.tenantId,
        name: run.name,
        contentType,
        contentId: item.contentId,
        code: f.code,
        status: f.status,
      },
      'blob skipped',
    );
    return f.blobStatus ?? 'missing';
  }
  await issue('failed', f.error.message);
  logger.warn(
    {
      event: EVENTS.blobFailed,
      tenant: run.tenantId,
      name: run.name,
      contentType,
      contentId: item.contentId,
      code: f.code,
      status: f.status,
      error: f.error.message,
    },
    'blob failed',
  );
  return 'failed';
}

async function fetchAndCommit(
  ctx: RunContext,
  run: TenantRun,
  contentType: ContentType,
  windowStart: number,
  item: ContentItem,
): Promise<Step<true>> {
  // The fetch does not follow Ctrl-C: a blob that started is finished (the stop is after it).
  const timeout = AbortSignal.timeout(ctx.options.requestTimeoutMs);
  const res = await run.client.fetchBlob(item.contentUri, timeout);
  if (!res.ok) return res;
  let batches = { inserted: 0, records: 0, conflicts: [] as string[] };
  let read;
  try {
    read = await readBlob(
      res.value.body,
      { tenant: run.tenantId, contentType, batchSize: ctx.options.batchSize },
      async (batch) => {
        const r = await ctx.store.records.insert(batch);
        batches = {
          inserted: batches.inserted + r.inserted,
          records: batches.records + batch.length,
          conflicts: [...batches.conflicts, ...(r.conflicts ?? []).map((i) => batch[i]!.id)],
        };
      },
    );
  } catch (e) {
    res.value.body.destroy();
    if (isAppError(e)) throw e;
    throw new AppError('NETWORK', `Reading a blob failed: ${(e as Error).message}`, {
      cause: e,
      hint: 'The blob is fetched again',
    });
  }
  const { result, rest } = read;
  const reasons = [
    ...(result.rejected.count
      ? [`${countOf(result.rejected.count, 'record')} could not be normalized: ${result.rejected.reasons.join('; ')}`]
      : []),
    ...(result.notUtf8 ? [NOT_UTF8] : []),
  ];
  const reason = reasons.length ? reasons.join('; ') : null;
  const committed = await ctx.store.ledger.commitBlob(
    {
      tenant: run.tenantId,
      contentType,
      contentId: item.contentId,
      contentUri: item.contentUri,
      contentCreated: item.contentCreated,
      contentExpiration: item.contentExpiration,
      fetchedAt: ctx.clock.now(),
      sha256: result.sha256,
      status: 'fetched',
      reason,
      windowStart,
    },
    rest,
  );
  run.stats.records += result.records;
  run.stats.newRecords += committed.inserted + batches.inserted;
  run.stats.recordsRejected += result.rejected.count;
  const conflicts = [...batches.conflicts, ...(committed.conflicts ?? []).map((i) => rest[i]!.id)];
  run.stats.recordsInConflict += conflicts.length;
  if (conflicts.length)
    ctx.logger.warn(
      {
        event: EVENTS.recordConflict,
        tenant: run.tenantId,
        name: run.name,
        contentType,
        contentId: item.contentId,
        conflicts: conflicts.length,
        ids: conflicts.slice(0, 20),
      },
      'records whose Id was already stored with other content: the stored ones are kept, these are kept aside',
    );
  if (result.notUtf8)
    ctx.logger.warn(
      { event: EVENTS.blobNotUtf8, tenant: run.tenantId, name: run.name, contentType, contentId: item.contentId },
      NOT_UTF8,
    );
  if (result.rejected.count)
    ctx.logger.warn(
      {
        event: EVENTS.recordRejected,
        tenant: run.tenantId,
        name: run.name,
        contentType,
        contentId: item.contentId,
        rejected: result.rejected.count,
        reasons: result.rejected.reasons,
      },
      'records rejected',
    );
  ctx.logger.debug(
    {
      event: EVENTS.blobCommitted,
      tenant: run.tenantId,
      name: run.name,
      contentType,
      contentId: item.contentId,
      records: result.records,
      new: committed.inserted + batches.inserted,
      bytes: result.bytes,
      sha256: result.sha256,
    },
    'blob committed',
  );
  return { ok: true, value: true };
}

/** The ledger's and the log's words for a blob whose body was not all UTF-8 (blob-reader.ts BlobReadResult.notUtf8). */
const NOT_UTF8 =
  'the blob held bytes that are not UTF-8: its records were kept, each such byte sequence stored as U+FFFD (the sha256 is of the bytes received)';
