import type { ContentType } from '../core/record.js';
import type { RunContext } from './context.js';
/**
 * Microsoft lists a new subscription's first content up to 12 hours after it starts (spec §2.2), and may
 * then list content from before the start. Until then an empty listing proves nothing: the stream's
 * windows are listed but not marked fetched (coverage shows them as gaps), and its checkpoint stays, so the content that comes later is
 * collected (stream.ts). Kept as a ledger lease so every run and process sees it; a listing that returns
 * content ends it early.
 */
export const FIRST_CONTENT_MS = 12 * 3_600_000;
export const FIRST_CONTENT_OWNER = 'microsoft:first-content';

export function firstContentKey(tenant: string, ct: ContentType): string {
  return `first-content/${tenant}/${ct}`;
}

export async function holdUntilFirstContent(ctx: RunContext, tenant: string, ct: ContentType): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.ledger.acquireLease(firstContentKey(tenant, ct), FIRST_CONTENT_OWNER, now + FIRST_CONTENT_MS, now);
}

/**
 * Until when the stream's subscription waits (waited) for its first content: the lease's term, passed or not;
 * null when no wait is on record (never, or its content came and released it).
 */
export async function firstContentUntil(ctx: RunContext, tenant: string, ct: ContentType): Promise<number | null> {
  const holder = await ctx.store.ledger.leaseHolder(firstContentKey(tenant, ct));
  return holder?.owner === FIRST_CONTENT_OWNER ? holder.until : null;
}

/** Whether the stream still waits for its subscription's first content (see holdUntilFirstContent). */
export function awaitingFirstContent(ctx: RunContext, until: number | null): boolean {
  return until !== null && until > ctx.clock.now();
}

export async function firstContentCame(ctx: RunContext, tenant: string, ct: ContentType): Promise<void> {
  await ctx.store.ledger.releaseLease(firstContentKey(tenant, ct), FIRST_CONTENT_OWNER);
}
