import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { TenantConnection } from '../microsoft/types.js';
import { DEFAULT_TIMEOUT_MS } from '../net/http.js';
import { isDeadLocalOwner, leaseOwner, ownerText } from '../runtime/lease-owner.js';
import type { CollectTenant } from './collect.js';
import { EVENTS } from './events.js';
import type { HistoryOptions } from './history-types.js';

/**
 * One process collects a tenant's history at a time. Two `collect --history` at once (two terminals, or two
 * servers on one database) each asked Graph for the same range: the records de-duplicate on Id, but every
 * query and page was asked twice, against Graph's ~200 queries per tenant a day. The history run holds the
 * lease `history:<tenant>` in the ledger (as the collector holds `collect/<tenant>/<content type>`), renews
 * it while it works and lets it go at the end; a second process skips the tenant, saying who holds it and
 * until when. A holder on this machine whose process died is taken over at once; one elsewhere when its
 * lease runs out.
 *
 * History has no loop of its own to renew from: its time goes to requests (query, polls, pages, cmdlet
 * sessions) and to waits between them (polls, backoffs, Retry-After, discarded sessions of up to 9 minutes).
 * So the lease is renewed before every request, and a wait longer than a third of the term is slept in
 * thirds with a renewal after each: every path of both sources, with no timer running beside the work.
 *
 * A request itself renews nothing while it is in flight: one that starts just before a renewal is due (a third of
 * the term after the last) runs on what is left of the lease, two thirds of it. So each request's timeout is held
 * to REQUEST_TIMEOUT_MS (a longer ask is cut to it), and the term to at least LEASE_PER_REQUEST times that: what
 * is left is then twice the longest request, and a slow Graph page or cmdlet cannot outlast a short `--lease`.
 */
export function historyLeaseKey(tenant: string): string {
  return `history:${tenant}`;
}

/** Default term: as the collector's stream leases (`collect --lease`), raised to MIN_HISTORY_LEASE_MS. */
export const HISTORY_LEASE_MS = 120_000;

/** The longest one history request may take (net/http's default; the Exchange client asks the same). */
export const REQUEST_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;

/** The term is at least this many times the longest request: 2/3 of it is left when a request starts. */
export const LEASE_PER_REQUEST = 3;

/** The shortest term a history lease gets, whatever `--lease` says (6 minutes). */
export const MIN_HISTORY_LEASE_MS = LEASE_PER_REQUEST * REQUEST_TIMEOUT_MS;

export type HistoryLeased<T> = { held: true; value: T } | { held: false; busy: AppError };

/** Runs `work` holding the tenant's history lease, with options and tenant that renew it; or says who holds it. */
export async function withHistoryLease<T>(
  o: HistoryOptions,
  tenant: CollectTenant,
  work: (o: HistoryOptions, tenant: CollectTenant) => Promise<T>,
): Promise<HistoryLeased<T>> {
  const key = historyLeaseKey(tenant.tenantId);
  const owner = o.lease?.owner ?? leaseOwner();
  const termMs = Math.max(o.lease?.termMs ?? HISTORY_LEASE_MS, MIN_HISTORY_LEASE_MS);
  const { ledger } = o.store;
  const take = (): Promise<boolean> => ledger.acquireLease(key, owner, o.clock.now() + termMs, o.clock.now());
  if (!(await take())) {
    const holder = await ledger.leaseHolder(key);
    const reclaimed =
      holder !== null &&
      isDeadLocalOwner(holder.owner) &&
      (await ledger.reclaimLease(key, holder.owner, owner, o.clock.now() + termMs));
    if (!reclaimed) {
      o.logger.info(
        { event: EVENTS.historyLeaseBusy, tenant: tenant.tenantId, holder: holder?.owner, until: holder?.until },
        'another process is collecting this tenant’s history',
      );
      return { held: false, busy: busyError(tenant, holder) };
    }
    o.logger.warn(
      { event: EVENTS.leaseReclaimed, tenant: tenant.tenantId, key, from: holder.owner },
      'took over the history of a collector that died on this machine',
    );
  }
  let renewedAt = o.clock.now();
  // Renewed, never taken again (ledger.renewLease): one that ran out may have been taken over, worked under and let go
  // by another process meanwhile, whose queries this one would then ask again.
  const beat = async (): Promise<void> => {
    if (o.clock.now() - renewedAt < termMs / 3) return;
    renewedAt = o.clock.now();
    if (!(await ledger.renewLease(key, owner, o.clock.now() + termMs)))
      throw new AppError('CONFLICT', `Another process took over the history collection of ${tenant.name}`, {
        hint: `This process stopped renewing its lease for longer than its term (${Math.round(termMs / 1000)} s); the other one goes on. Use a longer --lease if this machine pauses`,
      });
  };
  try {
    const value = await work({ ...o, clock: renewingClock(o.clock, beat, termMs / 3) }, renewingTenant(tenant, beat));
    return { held: true, value };
  } finally {
    await ledger.releaseLease(key, owner);
  }
}

function busyError(tenant: CollectTenant, holder: { owner: string; until: number } | null): AppError {
  const who = holder ? ownerText(holder.owner) : 'another process';
  const until = holder ? ` (its lease runs until ${new Date(holder.until).toISOString()} unless renewed)` : '';
  return new AppError('CONFLICT', `${who} is collecting the history of ${tenant.name}${until}; skipped here`, {
    hint: 'Nothing is lost: that process fills the range. Run --history again after it ends if you need another range',
  });
}

/** `clock`, whose waits renew the lease at least every `stepMs`. */
function renewingClock(clock: Clock, beat: () => Promise<void>, stepMs: number): Clock {
  return {
    now: () => clock.now(),
    async sleep(ms, signal) {
      let left = ms;
      do {
        const step = Math.min(left, stepMs);
        await clock.sleep(step, signal);
        left -= step;
        await beat();
      } while (left > 0);
    },
  };
}

/** `tenant`, whose connection renews the lease before every request and holds its timeout to REQUEST_TIMEOUT_MS. */
function renewingTenant(tenant: CollectTenant, beat: () => Promise<void>): CollectTenant {
  return {
    ...tenant,
    connect(): TenantConnection {
      const c = tenant.connect();
      return {
        ...c,
        http: {
          request: async (req) => {
            await beat();
            return c.http.request({
              ...req,
              timeoutMs: Math.min(req.timeoutMs ?? REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS),
            });
          },
        },
      };
    },
  };
}
