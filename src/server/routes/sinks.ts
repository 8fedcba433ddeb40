/**
 * The sinks as the console shows them (issue 15): each sink's kind, lag (records behind and how long the
 * oldest has waited), last delivery, dead letters, last error — the same figures as `tenantwatch sink
 * status` (sinks/status.ts). Never a secret and never the URL (a Slack or Teams webhook URL is itself a
 * credential). Admins only, and only those whose scope is every tenant: a sink takes records of every
 * tenant its filter allows, so its lag and errors speak of tenants outside a narrower scope.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { sinkStatus } from '../../sinks/status.js';
import type { ApiResponse, SinkView } from '../api-types.js';
import type { ServerDeps } from '../deps.js';

export function registerSinkRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/api/sinks', { config: { role: 'admin' } }, async (request): Promise<ApiResponse<'GET /api/sinks'>> => {
    if (!request.scope.all)
      throw new AppError('FORBIDDEN', 'The sinks are shown to administrators of every tenant', {
        hint: 'Ask an administrator whose account covers all tenants',
      });
    const now = deps.clock.now();
    const rows = await deps.store.sinks.list();
    const sinks: SinkView[] = [];
    for (const row of rows) {
      const s = await sinkStatus(deps.store, row, now);
      sinks.push({
        name: s.name,
        kind: s.type,
        enabled: s.enabled,
        takes: s.takes,
        filter: s.filter,
        lagRecords: s.lagRecords,
        lagMs: s.lagMs,
        delivered: s.delivered,
        throughput: s.throughput,
        lastDeliveryAt: s.lastDeliveryAt,
        deadLetters: s.deadLetters,
        lastError: s.lastError,
        lastErrorAt: s.lastErrorAt,
        sender: s.sender,
      });
    }
    return { now, sinks };
  });
}
