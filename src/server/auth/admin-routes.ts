import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { parseTimeInput } from '../../core/time.js';
import type { ConsoleAuditEntry, ConsoleAuditFilter } from '../../store/auth-contract.js';
import type { Store } from '../../store/contract.js';
import { csvLine, UTF8_BOM } from '../../search/csv.js';
import { parseLimit, pickOne, type RawQuery } from '../params.js';
import { textStream } from '../stream.js';
import { Accounts, type Actor } from './accounts.js';
import type { ApiBody, ApiResponse } from '../api-types.js';
import type { ConsoleAuditor } from './audit.js';
import { requireEveryTenant } from './scope.js';
import { quoted } from '../../core/quote.js';

/**
 * The admin side of the console: users, API tokens, tenant groups, and the console's own audit trail
 * (read and export only — there is no route that changes it). Managing accounts needs an admin whose
 * scope is every tenant: an admin of some customers must not be able to widen their own access.
 */
function actorOf(request: FastifyRequest): Actor {
  return { user: request.caller.user, via: request.caller.via, address: request.ip ?? null };
}

function requireAllTenants(request: FastifyRequest): void {
  requireEveryTenant(request.scope, 'Managing accounts');
}

function notText(field: string, what: string): AppError {
  return new AppError('BAD_INPUT', `The field ${field} must be ${what}`, {
    hint: 'Send every field as a JSON string (tenants and groups: a string or a list of strings; expiresInDays: a number)',
  });
}

/**
 * A body field as text. Anything else is refused: a number given as the password read as no password ("needs a
 * password or an OpenID Connect link"), and objects in a list of tenants as the tenant "[object Object]".
 */
function text(b: Record<string, unknown>, field: string): string | undefined {
  const v = b[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw notText(field, 'text');
  return v;
}

function list(b: Record<string, unknown>, field: string): string[] | undefined {
  const v = b[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  throw notText(field, 'a string or a list of strings');
}

/** The fields each route takes, as the API contract names them. */
const USER_FIELDS = [
  'name',
  'role',
  'tenants',
  'groups',
  'password',
  'externalId',
] as const satisfies readonly (keyof ApiBody<'POST /api/admin/users'>)[];
const RESET_FIELDS = [
  'password',
  'role',
  'tenants',
  'groups',
] as const satisfies readonly (keyof ApiBody<'POST /api/admin/users/:name/reset'>)[];
const TOKEN_FIELDS = [
  'name',
  'user',
  'role',
  'tenants',
  'expiresInDays',
] as const satisfies readonly (keyof ApiBody<'POST /api/admin/tokens'>)[];
const GROUP_FIELDS = ['tenants'] as const satisfies readonly (keyof ApiBody<'PUT /api/admin/groups/:name'>)[];

/**
 * The body as a JSON object of the fields the route takes. A field it does not take is refused naming it, as
 * POST /api/tenants does: a misspelt `tenant` (for `tenants`) was dropped without a word and made an account of
 * every tenant, and `expiresDays` a token of the default 90 days.
 */
function body(request: FastifyRequest, accepted: readonly string[]): Record<string, unknown> {
  const b = request.body;
  if (!b || typeof b !== 'object' || Array.isArray(b))
    throw new AppError('BAD_INPUT', 'The request body must be a JSON object', { hint: 'Send JSON' });
  const other = Object.keys(b).find((k) => !accepted.includes(k));
  if (other !== undefined)
    throw new AppError('BAD_INPUT', `Unknown field ${quoted(other, 60)}`, { hint: `Accepted: ${accepted.join(', ')}` });
  return b as Record<string, unknown>;
}

export function registerAdminRoutes(
  app: FastifyInstance,
  deps: { store: Store; clock: Clock; auditor: ConsoleAuditor },
): void {
  const accounts = new Accounts(deps.store, deps.clock, deps.auditor, true, 'api');
  const admin = { config: { role: 'admin' } } as const;
  const guarded = <T>(work: (request: FastifyRequest) => Promise<T>) => {
    return async (request: FastifyRequest): Promise<T> => {
      requireAllTenants(request);
      return work(request);
    };
  };

  app.get(
    '/api/admin/users',
    admin,
    guarded(async (): Promise<ApiResponse<'GET /api/admin/users'>> => ({ users: await accounts.listUsers() })),
  );
  app.post(
    '/api/admin/users',
    admin,
    guarded(async (request): Promise<ApiResponse<'POST /api/admin/users'>> => {
      const b = body(request, USER_FIELDS);
      const password = text(b, 'password');
      const externalId = text(b, 'externalId');
      return accounts.addUser(actorOf(request), {
        name: text(b, 'name') ?? '',
        role: text(b, 'role') ?? '',
        tenants: list(b, 'tenants') ?? [],
        groups: list(b, 'groups') ?? [],
        ...(password ? { password } : {}),
        ...(externalId ? { externalId } : {}),
      });
    }),
  );
  app.post<{ Params: { name: string } }>(
    '/api/admin/users/:name/reset',
    admin,
    guarded(async (request): Promise<ApiResponse<'POST /api/admin/users/:name/reset'>> => {
      const b = body(request, RESET_FIELDS);
      const { name } = request.params as { name: string };
      const [password, role, tenants, groups] = [
        text(b, 'password'),
        text(b, 'role'),
        list(b, 'tenants'),
        list(b, 'groups'),
      ];
      return accounts.resetUser(actorOf(request), name, {
        ...(password ? { password } : {}),
        ...(role ? { role } : {}),
        ...(tenants ? { tenants } : {}),
        ...(groups ? { groups } : {}),
      });
    }),
  );
  app.delete<{ Params: { name: string } }>(
    '/api/admin/users/:name',
    admin,
    guarded(async (request): Promise<ApiResponse<'DELETE /api/admin/users/:name'>> => {
      await accounts.removeUser(actorOf(request), (request.params as { name: string }).name);
      return { removed: true };
    }),
  );

  app.get(
    '/api/admin/tokens',
    admin,
    guarded(async (): Promise<ApiResponse<'GET /api/admin/tokens'>> => ({ tokens: await accounts.listTokens() })),
  );
  app.post(
    '/api/admin/tokens',
    admin,
    guarded(async (request): Promise<ApiResponse<'POST /api/admin/tokens'>> => {
      const b = body(request, TOKEN_FIELDS);
      const role = text(b, 'role');
      // A number, as the contract says: Number() read true as 1 day, "5" as 5 and null as "not 0" days.
      const days = b.expiresInDays;
      if (days !== undefined && typeof days !== 'number') throw notText('expiresInDays', 'a number of days');
      // Checked here so the refusal names the API's field (Accounts' own check is worded for no caller), and whole
      // days as the CLI takes them: 1.5 made a 36-hour token.
      if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650))
        throw new AppError('BAD_INPUT', `The field expiresInDays must be whole days from 1 to 3650, not ${days}`, {
          hint: 'Send e.g. "expiresInDays": 90 for a token that lives 90 days, or leave it out for 90',
        });
      return accounts.addToken(actorOf(request), {
        name: text(b, 'name') ?? '',
        user: text(b, 'user') ?? '',
        tenants: list(b, 'tenants') ?? [],
        ...(role ? { role } : {}),
        ...(days !== undefined ? { expiresInDays: days } : {}),
      });
    }),
  );
  app.delete<{ Params: { name: string } }>(
    '/api/admin/tokens/:name',
    admin,
    guarded(async (request): Promise<ApiResponse<'DELETE /api/admin/tokens/:name'>> => {
      await accounts.revokeToken(actorOf(request), (request.params as { name: string }).name);
      return { revoked: true };
    }),
  );

  app.get(
    '/api/admin/groups',
    admin,
    guarded(async (): Promise<ApiResponse<'GET /api/admin/groups'>> => ({
      groups: await deps.store.auth.listGroups(),
    })),
  );
  app.put<{ Params: { name: string } }>(
    '/api/admin/groups/:name',
    admin,
    guarded(async (request): Promise<ApiResponse<'PUT /api/admin/groups/:name'>> =>
      accounts.putGroup(
        actorOf(request),
        (request.params as { name: string }).name,
        list(body(request, GROUP_FIELDS), 'tenants') ?? [],
      ),
    ),
  );
  app.delete<{ Params: { name: string } }>(
    '/api/admin/groups/:name',
    admin,
    guarded(async (request): Promise<ApiResponse<'DELETE /api/admin/groups/:name'>> => {
      await accounts.removeGroup(actorOf(request), (request.params as { name: string }).name);
      return { removed: true };
    }),
  );

  registerAuditTrailRoutes(app, deps);
}

const AUDIT_PARAMS = ['actor', 'action', 'from', 'to', 'before', 'limit', 'format'];

function auditFilter(raw: RawQuery, now: number): ConsoleAuditFilter {
  for (const key of Object.keys(raw)) {
    if (!AUDIT_PARAMS.includes(key))
      throw new AppError('BAD_INPUT', `Unknown parameter ${quoted(key, 60)}`, {
        hint: `Accepted: ${AUDIT_PARAMS.join(', ')}`,
      });
  }
  const one = (k: string): string | undefined => {
    const v = raw[k];
    // A repeated filter was dropped as a whole, answering every actor's (or action's) entries.
    if (Array.isArray(v))
      throw new AppError('BAD_INPUT', `Give ${k} once, not ${v.length} times`, {
        hint: `The trail is filtered by one ${k} at a time`,
      });
    return v ? v : undefined;
  };
  const [actor, action, from, to, before] = ['actor', 'action', 'from', 'to', 'before'].map(one);
  // A page of the trail that is no number was ignored, answering the newest entries as if they were that page.
  if (before !== undefined && !/^\d{1,15}$/.test(before))
    throw new AppError('BAD_INPUT', `The before ${quoted(before, 40)} is not an entry's sequence number`, {
      hint: 'Pass the seq of the oldest entry shown to get the page before it, or leave it out for the newest',
    });
  const fromAt = from === undefined ? undefined : parseTimeInput(from, now, 'from');
  const toAt = to === undefined ? undefined : parseTimeInput(to, now, 'to');
  // A reversed period answered no entries, which reads as "nobody did anything then".
  if (fromAt !== undefined && toAt !== undefined && fromAt >= toAt)
    throw new AppError(
      'BAD_TIME',
      `The from (${new Date(fromAt).toISOString()}) is not before the to (${new Date(toAt).toISOString()})`,
      { hint: 'The period is [from, to): give a from earlier than the to' },
    );
  return {
    newestFirst: true,
    limit: parseLimit(raw.limit, 200, 10_000),
    ...(actor ? { actor } : {}),
    ...(action ? { action } : {}),
    ...(fromAt !== undefined ? { from: fromAt } : {}),
    ...(toAt !== undefined ? { to: toAt } : {}),
    ...(before ? { before: Number(before) } : {}),
  };
}

/** Entries an export reads at once. */
const EXPORT_PAGE = 1_000;

const AUDIT_COLUMNS = ['seq', 'at', 'actor', 'via', 'address', 'action', 'outcome', 'target', 'details'] as const;

function auditCsvRow(e: ConsoleAuditEntry): string {
  return csvLine(AUDIT_COLUMNS.map((c) => (c === 'at' ? new Date(e.at).toISOString() : e[c])));
}

/** The trail, newest first, and its export through the same CSV rules as record exports (search/csv.ts). */
function registerAuditTrailRoutes(app: FastifyInstance, deps: { store: Store; clock: Clock }): void {
  app.get('/api/audit', { config: { role: 'admin' } }, async (request): Promise<ApiResponse<'GET /api/audit'>> => {
    requireEveryTenant(request.scope, 'Reading the console audit trail');
    const raw = request.query as RawQuery;
    // format=csv answered this JSON listing (the newest 200 entries) as if format were not there.
    if (raw.format !== undefined) {
      const format = typeof raw.format === 'string' ? raw.format : 'csv';
      throw new AppError('BAD_INPUT', 'The audit trail listing takes no format', {
        hint: `The file of every entry of these filters is GET /api/audit/export?format=${format === 'json' ? 'json' : 'csv'} (csv or json); this route answers JSON pages`,
      });
    }
    const filter = auditFilter(raw, deps.clock.now());
    return { entries: await deps.store.consoleAudit.list(filter) };
  });
  app.get('/api/audit/export', { config: { role: 'admin', audit: 'audit.export' } }, async (request, reply) => {
    requireEveryTenant(request.scope, 'Exporting the console audit trail');
    const raw = request.query as RawQuery;
    const format = pickOne(raw.format, 'format', ['csv', 'json'] as const, 'csv');
    const filter = auditFilter(raw, deps.clock.now());
    // Every entry of the filters (or the newest `limit`, when one is given), read a page at a time: the export was
    // the newest 10,000 entries, cut without a word, which a busy team's searches fill in weeks.
    const wanted = raw.limit === undefined ? Infinity : filter.limit!;
    async function* entries(): AsyncGenerator<ConsoleAuditEntry> {
      let before = filter.before;
      let left = wanted;
      while (left > 0) {
        const page = await deps.store.consoleAudit.list({
          ...filter,
          ...(before !== undefined ? { before } : {}),
          limit: Math.min(EXPORT_PAGE, left),
        });
        yield* page;
        if (page.length < Math.min(EXPORT_PAGE, left)) return;
        left -= page.length;
        before = page[page.length - 1]!.seq;
      }
    }
    const stamp = new Date(deps.clock.now()).toISOString().slice(0, 19).replace(/[-:]/g, '');
    void reply.header('content-disposition', `attachment; filename="tenantwatch-console-audit-${stamp}.${format}"`);
    async function* json(): AsyncGenerator<string> {
      let first = true;
      yield '{"entries":[';
      for await (const e of entries()) {
        yield (first ? '' : ',') + JSON.stringify(e);
        first = false;
      }
      yield ']}';
    }
    if (format === 'json') return reply.type('application/json; charset=utf-8').send(textStream(json()));
    async function* chunks(): AsyncGenerator<string> {
      yield UTF8_BOM + csvLine(AUDIT_COLUMNS);
      for await (const e of entries()) yield auditCsvRow(e);
    }
    return reply.type('text/csv; charset=utf-8').send(textStream(chunks()));
  });
}
