import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { AuditOutcome, ConsoleAuditEntry } from '../../store/auth-contract.js';
import type { Store } from '../../store/contract.js';
import { AUTH_EVENTS } from './events.js';

/** Keys whose values never enter the trail, whatever route sends them. */
const SECRET_KEY = /pass|secret|token|key|credential|cookie|authorization/i;

/** A request's parameters as the trail keeps them: secrets dropped, long values cut. */
export function sanitize(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > 500 ? `${value.slice(0, 500)}…` : value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => sanitize(v, depth + 1));
  if (value && typeof value === 'object' && depth < 4) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !SECRET_KEY.test(k))
        .map(([k, v]) => [k, sanitize(v, depth + 1)]),
    );
  }
  return value;
}

export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'ok';
  return status === 401 || status === 403 || status === 421 || status === 429 ? 'denied' : 'failed';
}

/**
 * Writes the console's own audit trail (store.consoleAudit). A failure to write is logged, never
 * turned into a failure of the request it describes — but it is logged at error level, since a
 * trail with holes must be noticed.
 */
export class ConsoleAuditor {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async record(entry: Omit<ConsoleAuditEntry, 'seq' | 'at'>): Promise<void> {
    try {
      await this.store.consoleAudit.append({ ...entry, at: this.clock.now() });
    } catch (e) {
      this.logger.error({ event: AUTH_EVENTS.auditFailed, action: entry.action, err: e }, 'console audit not written');
    }
  }

  /** An entry for a request: the caller the auth hook resolved, the client's address. */
  forRequest(
    request: FastifyRequest,
    action: string,
    outcome: AuditOutcome,
    target: string | null,
    details: Record<string, unknown>,
  ): Promise<void> {
    const caller = request.caller ?? { user: '-', via: 'anonymous' };
    return this.record({
      actor: caller.user,
      via: caller.via,
      address: request.ip ?? null,
      action,
      outcome,
      target,
      details: sanitize(details) as Record<string, unknown>,
    });
  }
}

/** What a route call's entry names as its target: a tenant, a record, a report, a user, a token. */
export function targetOf(request: FastifyRequest): string | null {
  const params = (request.params ?? {}) as Record<string, string>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  // What a create request names (a new tenant, user or token) is in its body.
  const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
  const named = typeof body.name === 'string' ? body.name : undefined;
  const parts = [
    params.tenant,
    params.id,
    params.name ?? named,
    typeof query.tenant === 'string' ? query.tenant : undefined,
  ];
  const found = parts.filter((p): p is string => typeof p === 'string' && p !== '');
  return found.length ? found.join('/').slice(0, 300) : null;
}
