import type { ContentType } from '../core/record.js';
import type { CoverageWindow } from '../store/contract.js';
import type { RunContext, TenantRun } from './context.js';
import { EVENTS } from './events.js';

/**
 * Says, once, what passed the 7-day horizon unfetched, worded by its cause: time lost (no run fetched it while
 * Microsoft listed it: a warning), or time not collectable (it passed while the new subscription awaited its
 * first content, so nothing could list it: information). The planner's `news` leaves out what continues
 * something the ledger already holds, so a feed awaiting its first content for hours (DLP.All) is not a
 * warning on every run.
 */
export function sayPassed(ctx: RunContext, run: TenantRun, ct: ContentType, news: readonly CoverageWindow[]): void {
  const where = { tenant: run.tenantId, name: run.name, contentType: ct };
  const span = (ws: readonly CoverageWindow[]) => ({
    start: Math.min(...ws.map((w) => w.start)),
    end: Math.max(...ws.map((w) => w.end)),
    windows: ws.length,
  });
  const lost = news.filter((w) => w.cause === null);
  const waited = news.filter((w) => w.cause === 'awaiting-first-content');
  run.stats.windowsExpired += lost.length;
  if (lost.length) sayLost(ctx, run, ct, span(lost));
  if (waited.length) {
    const at = span(waited);
    ctx.logger.info(
      {
        event: EVENTS.windowNotCollectable,
        ...where,
        ...at,
        reason: `${iso(at.start)} to ${iso(at.end)} passed the 7-day horizon while the new subscription awaited its first content`,
      },
      'not collectable before the subscription started',
    );
  }
}

/**
 * Time lost behind the horizon, said as a warning: by the planner (sayPassed), and by a listing whose start the
 * service moved past what earlier runs fetched of its window (AF20055, stream.ts), which coverage shows as a gap
 * as well. One event and one wording for both, so whoever watches the log sees every loss.
 */
export function sayLost(
  ctx: RunContext,
  run: TenantRun,
  ct: ContentType,
  at: { start: number; end: number; windows: number },
): void {
  ctx.logger.warn(
    {
      event: EVENTS.windowExpired,
      tenant: run.tenantId,
      name: run.name,
      contentType: ct,
      ...at,
      reason: `${iso(at.start)} to ${iso(at.end)} was not fetched before the API stopped listing it (7 days)`,
      hint: 'a history fill (tenantwatch collect --history) can still cover it; tenantwatch coverage --gaps lists it',
    },
    'time lost behind the 7-day horizon',
  );
}

const iso = (ms: number): string => new Date(ms).toISOString();
