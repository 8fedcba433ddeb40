/**
 * `sink replay --since`: sends the stored records of a period again (those the sink's filter takes),
 * without touching its cursor — for a SIEM that lost data, or a sink added after the fact. It reads by
 * CreationTime through the store's search, so it is the period a person means, not arrival order.
 */
import { AppError } from '../core/errors.js';
import type { TimeRange } from '../core/time.js';
import type { SinkRow } from '../core/sink.js';
import type { Item } from './alert.js';
import { deliverItems, type DeliverContext } from './deliver.js';
import { EVENTS } from './events.js';
import type { ForwardStore } from './ports.js';
import { compileFilter } from './filter.js';

export async function replay(
  store: ForwardStore,
  row: SinkRow,
  range: TimeRange,
  ctx: DeliverContext,
): Promise<{ sent: number; delivered: number; dead: number }> {
  // The forwarder sends records only to a sink that takes them; replay is the same records sent again. Before,
  // replaying an alerts-only sink (a Teams or Slack webhook, an email) posted every record of the period to it.
  if (row.takes === 'alerts')
    throw new AppError('USAGE', `Sink ${row.name} takes only alerts: replay sends records, which it is never sent`, {
      hint: 'Replay a sink that takes records or both; alerts are sent by routing (tenantwatch detect sends the due ones)',
    });
  const takes = compileFilter(row.filter);
  const query = { range, ...(row.filter.tenants?.length ? { tenants: row.filter.tenants } : {}) };
  let batch: Item[] = [];
  const totals = { sent: 0, delivered: 0, dead: 0 };
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    const out = await deliverItems(ctx, batch);
    if (out.dead.length) await store.sinks.addDeadLetters(row, out.dead);
    totals.sent += batch.length;
    totals.delivered += out.delivered;
    totals.dead += out.dead.length;
    batch = [];
  };
  for await (const record of store.records.search(query, { signal: ctx.signal })) {
    if (!takes(record)) continue;
    batch.push({ kind: 'record', record });
    if (batch.length >= ctx.driver.maxBatch * 4) await flush();
  }
  await flush();
  ctx.logger.info({ event: EVENTS.replayed, sink: row.name, ...totals }, 'replay done');
  return totals;
}
