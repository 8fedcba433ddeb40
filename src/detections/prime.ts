/**
 * A live runner's memory across restarts. Correlation windows and first-seen values live in the
 * Evaluator, and every `tenantwatch collect` or `import` is a new process: without this, a brute force
 * whose failures came in two collect runs would never be counted whole, and a first-seen candidate still
 * waiting for late records when a run ended would be lost. So a new live evaluator is primed from the
 * store with the records the runner had already pushed (everything before its cursor; the backlog after
 * it is pushed as usual): per tenant the records of its stateful rules within their look-back of the
 * newest record pushed. Priming raises nothing; the hits of windows that held were raised back then.
 */
import type { StoredRecord } from '../core/record.js';
import type { Store } from '../store/contract.js';
import { recordKey } from './alerts/raise.js';
import type { RuleEvaluator } from './evaluator.js';
import { plan } from './retro.js';

export type PrimeStore = { records: Pick<Store['records'], 'tail' | 'search' | 'newest'> } & {
  cursors: Pick<Store['cursors'], 'get'>;
};

export interface PrimeSummary {
  /** Records read back into the evaluator's state. */
  records: number;
  /** Records after the cursor (not pushed yet), which priming leaves to the next pass. */
  backlog: number;
}

export async function primeEvaluator(
  store: PrimeStore,
  evaluator: RuleEvaluator,
  consumer: string,
  options: { signal?: AbortSignal } = {},
): Promise<PrimeSummary> {
  const cursor = await store.cursors.get(consumer);
  const { rules, span } = evaluator.statefulRules();
  // No cursor: the runner never pushed a record here, so there is nothing to remember.
  if (cursor === null || !rules.length) return { records: 0, backlog: 0 };
  const backlog = await backlogOf(store, cursor, options.signal);
  const newest = await newestPushed(store, backlog.keys, backlog.newest);
  const passes = plan(rules);
  let records = 0;
  for (const [tenant, end] of newest) {
    const batch: StoredRecord[] = [];
    for (const pass of passes) {
      const query = { ...pass.query, tenants: [tenant], range: { start: end - span, end: end + 1 } };
      for await (const r of store.records.search(query, options.signal ? { signal: options.signal } : {}))
        if (!pass.skip(r) && !backlog.keys.has(recordKey(r.tenant, r.id))) batch.push(r);
    }
    // Oldest first, as they most likely arrived: the order changes no window, only how soon it held.
    batch.sort((a, b) => a.creationTime - b.creationTime);
    evaluator.prime(batch, new Map([[tenant, end]]));
    records += batch.length;
  }
  return { records, backlog: backlog.keys.size };
}

/** The records stored after the cursor: their keys, and the newest CreationTime among them per tenant. */
async function backlogOf(
  store: PrimeStore,
  cursor: string,
  signal: AbortSignal | undefined,
): Promise<{ keys: Set<string>; newest: Map<string, number> }> {
  const keys = new Set<string>();
  const newest = new Map<string, number>();
  for (let position = cursor; ;) {
    const batch = await store.records.tail(position, { limit: 5_000, ...(signal ? { signal } : {}) });
    for (const r of batch.records) {
      keys.add(recordKey(r.tenant, r.id));
      if (r.creationTime > (newest.get(r.tenant) ?? -Infinity)) newest.set(r.tenant, r.creationTime);
    }
    if (batch.records.length < 5_000) break;
    position = batch.next;
  }
  return { keys, newest };
}

/**
 * The newest CreationTime per tenant among the records pushed already, as the earlier process knew it
 * (its first-seen horizon). The store's newest is it unless the newest record is still in the backlog.
 */
async function newestPushed(
  store: PrimeStore,
  backlog: ReadonlySet<string>,
  backlogNewest: ReadonlyMap<string, number>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [tenant, t] of await store.records.newest()) {
    if ((backlogNewest.get(tenant) ?? -Infinity) < t) {
      out.set(tenant, t);
      continue;
    }
    for await (const r of store.records.search({ tenants: [tenant], range: { start: 0, end: t + 1 } }))
      if (!backlog.has(recordKey(r.tenant, r.id))) {
        out.set(tenant, r.creationTime);
        break;
      }
  }
  return out;
}
