import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TenantScope } from '../auth/scope.js';
import { AppError } from '../../core/errors.js';
import {
  changeStatus,
  excludeFromAlert,
  findAlert,
  parseStatus,
  snoozeAlert,
} from '../../detections/alerts/actions.js';
import { alertDetail } from '../../detections/alerts/detail.js';
import { rank } from '../auth/caller.js';
import { alertView, parseSeverity } from '../../detections/alerts/view.js';
import { firstSeenLookBacks, historyWaits, type FirstSeenLookBack } from '../../detections/history-wait.js';
import { loadRuleSet } from '../../detections/loader.js';
import { parseDuration, parseIsoUtc } from '../../core/time.js';
import type { AlertRow, AlertStatus } from '../../store/contract.js';
import type { AlertQuery, ApiResponse } from '../api-types.js';
import type { ServerDeps } from '../deps.js';
import { onlyParams, parseLimit, pickOne, values, type RawQuery } from '../params.js';
import { alertKeys } from '../../search/tenants.js';
import { quoted } from '../../core/quote.js';

/** The statuses a person may set from the console (new is only ever set by a hit). */
const SETTABLE: readonly AlertStatus[] = ['acknowledged', 'resolved', 'false_positive'];

interface ActionBody {
  status?: unknown;
  note?: unknown;
  by?: unknown;
  until?: unknown;
  reason?: unknown;
  kind?: unknown;
  value?: unknown;
  allTenants?: unknown;
}

/** The alert list's filters (api-types.ts AlertQuery); the other alert routes take only tenant. */
const LIST_PARAMS = [
  'tenant',
  'status',
  'severity',
  'rule',
  'snoozed',
  'limit',
] as const satisfies readonly (keyof AlertQuery)[];

/**
 * A body field as text, '' when absent. Anything else is refused naming the field: a number as the snooze's until
 * was read as '' ('"" is not a span'), and an object as the note was dropped without a word. So is text longer than
 * the field keeps: a note was cut mid-sentence without a word, and an exclusion matched a shorter value than given.
 */
function text(body: ActionBody, field: keyof ActionBody, max = 1_000): string {
  const v = body[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string')
    throw new AppError('BAD_INPUT', `The field ${field} must be text`, {
      hint: 'Send every field as a JSON string, e.g. {"status":"resolved","note":"…"}',
    });
  const given = v.trim();
  if (given.length > max)
    throw new AppError('BAD_INPUT', `The field ${field} is longer than ${max.toLocaleString('en-US')} characters`, {
      hint: `Shorten it to ${max.toLocaleString('en-US')} characters or fewer (it has ${given.length.toLocaleString('en-US')}); nothing was changed`,
    });
  return given;
}

/** An action's body: a JSON object (or none). A list or a string was read as no field at all. */
function actionBody(request: FastifyRequest): ActionBody {
  const body: unknown = request.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError('BAD_INPUT', 'The request body must be a JSON object', {
      hint: 'Send e.g. {"status":"resolved"} with Content-Type: application/json',
    });
  return body;
}

/**
 * Who an action is recorded as: the signed-in user or the token's; only the console served without accounts
 * (on loopback, `local`) may name someone in the body, as there is nobody signed in to name.
 */
function actor(request: FastifyRequest, body: ActionBody): string {
  const { caller } = request;
  return caller.via === 'local' ? text(body, 'by', 100) || 'console' : caller.user;
}

/**
 * Alerts: the list with filters (tenant, rule, severity, status), one alert with the records behind it
 * and its runbook, and the actions (status, snooze, exclude). Every route answers only for the tenants
 * it is asked about (`tenant=`, repeatable): an alert of another tenant is NOT_FOUND, as if absent.
 */
export function registerAlertRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { store } = deps;
  const actions = { store, clock: deps.clock, logger: deps.logger };

  /**
   * The tenant keys asked about (names resolved) within the caller's scope (a tenant outside it is FORBIDDEN),
   * or undefined for all of them when the caller may see every tenant. Resolved as search resolves them
   * (scope.searchTenants: registered names and GUIDs, labels equal but for case, the scope's own labels too), and a
   * key alerts are filed under whose records are gone (alertKeys); anything else is UNKNOWN_TENANT, as
   * `alerts list --tenant` says it — a mistyped tenant answered "0 alerts", which reads as "all quiet".
   */
  async function askedTenants(
    raw: RawQuery,
    scope: TenantScope,
    accepted: readonly string[] = ['tenant'],
  ): Promise<string[] | undefined> {
    onlyParams(raw, accepted);
    const asked = values(raw.tenant).filter((t) => t.trim());
    return scope.searchTenants(store, asked.length ? asked : undefined, alertKeys(store));
  }

  /** An alert the caller may see and asked about; any other is NOT_FOUND, as if absent. */
  async function scoped(id: string, raw: RawQuery, scope: TenantScope): Promise<AlertRow> {
    const tenants = await askedTenants(raw, scope);
    // An id `optimize --rekey` moved the alert from names the alert it became (ADR 0039): the answer carries its id.
    const alert = (await findAlert(store, id))?.alert;
    // The same answer for an id that does not exist and one of another tenant, and the id is not echoed:
    // nothing tells a caller what exists outside their scope.
    if (!alert || !scope.allows(alert.tenant) || (tenants && !tenants.includes(alert.tenant))) {
      throw new AppError('NOT_FOUND', 'No such alert among the tenants you may see', {
        hint: 'GET /api/alerts lists the alerts you may see, with their ids',
      });
    }
    return alert;
  }

  app.get('/api/alerts', { config: { role: 'viewer' } }, async (request): Promise<ApiResponse<'GET /api/alerts'>> => {
    const raw = request.query as RawQuery;
    const tenants = await askedTenants(raw, request.scope, LIST_PARAMS);
    const statuses = values(raw.status).filter(Boolean).map(parseStatus);
    const severities = values(raw.severity).filter(Boolean).map(parseSeverity);
    const rules = values(raw.rule).filter(Boolean);
    const limit = parseLimit(raw.limit, 500, 5_000);
    // One more than the limit: "500 alerts" must not be said of a list that stopped at 500 of 3,000.
    const found = await store.alerts.list({
      ...(tenants ? { tenants } : {}),
      ...(statuses.length ? { statuses } : {}),
      ...(severities.length ? { severities } : {}),
      ...(rules.length ? { ruleIds: rules } : {}),
      ...(pickOne(raw.snoozed, 'snoozed', ['true', 'false'] as const, 'false') === 'true'
        ? {}
        : { visibleAt: deps.clock.now() }),
      limit: limit + 1,
    });
    const rows = found.slice(0, limit);
    const names = new Map((await store.tenants.list()).map((t) => [t.tenantId, t.name]));
    return {
      count: rows.length,
      more: found.length > limit,
      alerts: rows.map((a) => ({ ...alertView(a), tenantName: names.get(a.tenant) ?? a.tenant })),
    };
  });

  // Recorded (alert.view): the detail holds up to 50 of the records behind the alert in full, as record.view does.
  // A viewer gets the alert without them: it may neither search nor export records, so an alert is no way round.
  app.get<{ Params: { id: string } }>(
    '/api/alerts/:id',
    { config: { role: 'viewer', audit: 'alert.view' } },
    async (request): Promise<ApiResponse<'GET /api/alerts/:id'>> => {
      const alert = await scoped(request.params.id, request.query as RawQuery, request.scope);
      const role = request.caller.role;
      const withRecords = role !== null && rank(role) >= rank('investigator');
      const detail = await alertDetail(store, alert, deps.rules, { withRecords });
      const name = (await store.tenants.get(alert.tenant))?.name ?? alert.tenant;
      return { ...detail, alert: { ...detail.alert, tenantName: name } };
    },
  );

  app.post<{ Params: { id: string }; Body: ActionBody }>(
    '/api/alerts/:id/status',
    { config: { role: 'investigator', audit: 'alert.status' } },
    async (request): Promise<ApiResponse<'POST /api/alerts/:id/status'>> => {
      const alert = await scoped(request.params.id, request.query as RawQuery, request.scope);
      const body = actionBody(request);
      const status = parseStatus(text(body, 'status', 40));
      if (!SETTABLE.includes(status))
        throw new AppError('BAD_INPUT', `An alert cannot be set to ${status} by hand`, {
          hint: `Use ${SETTABLE.join(', ')}`,
        });
      const note = text(body, 'note');
      return alertView(await changeStatus(actions, alert.id, status, actor(request, body), note || undefined));
    },
  );

  app.post<{ Params: { id: string }; Body: ActionBody }>(
    '/api/alerts/:id/snooze',
    { config: { role: 'investigator', audit: 'alert.snooze' } },
    async (request): Promise<ApiResponse<'POST /api/alerts/:id/snooze'>> => {
      const alert = await scoped(request.params.id, request.query as RawQuery, request.scope);
      const body = actionBody(request);
      const given = text(body, 'until', 60);
      const span = parseDuration(given, 'until', true);
      const until = span !== null ? deps.clock.now() + span : parseIsoUtc(given);
      if (until === null)
        throw new AppError('BAD_TIME', `${quoted(given)} is not a span from now or a date-time`, {
          hint: 'Use e.g. 4h, 2d or 2026-12-01T08:00Z',
        });
      return alertView(await snoozeAlert(actions, alert.id, until, actor(request, body), text(body, 'reason')));
    },
  );

  app.post<{ Params: { id: string }; Body: ActionBody }>(
    '/api/alerts/:id/exclude',
    { config: { role: 'investigator', audit: 'alert.exclude' } },
    async (request): Promise<ApiResponse<'POST /api/alerts/:id/exclude'>> => {
      const alert = await scoped(request.params.id, request.query as RawQuery, request.scope);
      const body = actionBody(request);
      // An exclusion for every tenant silences hits in tenants the caller may not see: only a caller who sees
      // them all may make one.
      if (body.allTenants === true && !request.scope.all)
        throw new AppError('FORBIDDEN', 'An exclusion for every tenant needs an account that sees every tenant', {
          hint: "Leave out allTenants to exclude in this alert's tenant, or ask an administrator of every tenant",
        });
      const exclusion = await excludeFromAlert(actions, alert.id, {
        kind: text(body, 'kind', 20),
        value: text(body, 'value', 600),
        reason: text(body, 'reason'),
        author: actor(request, body),
        ...(body.allTenants === true ? { allTenants: true } : {}),
      });
      return { exclusion };
    },
  );

  // Loaded once, on first use: the built-in pack's first-seen rules when the server was given none.
  let firstSeen: readonly FirstSeenLookBack[] | undefined = deps.firstSeen;
  app.get(
    '/api/rule-history',
    { config: { role: 'viewer' } },
    async (request): Promise<ApiResponse<'GET /api/rule-history'>> => {
      // The tenants asked about within the caller's scope (a scoped caller without tenant= gets theirs).
      const tenants = await askedTenants(request.query as RawQuery, request.scope);
      firstSeen ??= firstSeenLookBacks(loadRuleSet());
      const waits = await historyWaits(store, firstSeen, tenants, deps.clock.now());
      const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
      return {
        rules: waits
          .map((w) => ({
            ...w,
            tenants: w.tenants
              .filter((t) => request.scope.allows(t.tenant))
              .map((t) => ({
                tenant: t.tenant,
                tenantName: t.name,
                since: iso(t.since),
                until: iso(t.until),
              })),
          }))
          .filter((w) => w.tenants.length > 0),
      };
    },
  );

  app.get(
    '/api/alert-exclusions',
    { config: { role: 'viewer' } },
    async (request): Promise<ApiResponse<'GET /api/alert-exclusions'>> => {
      const tenants = await askedTenants(request.query as RawQuery, request.scope);
      const all = await store.alerts.listExclusions();
      const shown = tenants ? all.filter((e) => e.tenant === '*' || tenants.includes(e.tenant)) : all;
      // An exclusion of every tenant affects the caller's tenants, so its existence (rule, kind, author, when) is
      // theirs to see. The rest is withheld from a caller who sees only some tenants: its value is a user, address
      // or application taken from whichever tenant's alert it was made on (another customer's user name or office
      // address), its reason is free text about that, and its hits count every tenant's activity.
      const everyTenant = request.scope.all;
      return {
        exclusions: shown.map((e) =>
          e.tenant !== '*' || everyTenant
            ? { ...e, withheld: false }
            : { ...e, value: null, reason: null, hits: null, lastHitAt: null, withheld: true },
        ),
      };
    },
  );
}
