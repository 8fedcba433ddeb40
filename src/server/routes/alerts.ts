import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import {
  alertOrFail,
  changeStatus,
  noSuchAlert,
  excludeFromAlert,
  parseStatus,
  snoozeAlert,
} from '../../detections/alerts/actions.js';
import { alertDetail } from '../../detections/alerts/detail.js';
import { alertView, parseSeverity } from '../../detections/alerts/view.js';
import { parseDuration, parseIsoUtc } from '../../core/time.js';
import type { AlertRow, AlertStatus } from '../../store/contract.js';
import type { ServerDeps } from '../deps.js';
import { parseLimit, values, type RawQuery } from '../params.js';

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

const text = (v: unknown, max = 1_000): string => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/**
 * Alerts: the list with filters (tenant, rule, severity, status), one alert with the records behind it
 * and its runbook, and the actions (status, snooze, exclude). Every route answers only for the tenants
 * it is asked about (`tenant=`, repeatable): an alert of another tenant is NOT_FOUND, as if absent.
 */
export function registerAlertRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { store } = deps;
  const actions = { store, clock: deps.clock, logger: deps.logger };

  /** The tenant keys asked about (names resolved), or undefined for all. */
  async function askedTenants(raw: RawQuery): Promise<string[] | undefined> {
    const asked = values(raw.tenant).filter((t) => t.trim());
    if (!asked.length) return undefined;
    const keys: string[] = [];
    for (const t of asked) keys.push((await store.tenants.get(t))?.tenantId ?? t);
    return keys;
  }

  async function scoped(id: string, raw: RawQuery): Promise<AlertRow> {
    const alert = await alertOrFail(store, id);
    const tenants = await askedTenants(raw);
    if (tenants && !tenants.includes(alert.tenant)) throw noSuchAlert(id);
    return alert;
  }

  app.get('/api/alerts', async (request) => {
    const raw = request.query as RawQuery;
    const tenants = await askedTenants(raw);
    const statuses = values(raw.status).filter(Boolean).map(parseStatus);
    const severities = values(raw.severity).filter(Boolean).map(parseSeverity);
    const rules = values(raw.rule).filter(Boolean);
    const rows = await store.alerts.list({
      ...(tenants ? { tenants } : {}),
      ...(statuses.length ? { statuses } : {}),
      ...(severities.length ? { severities } : {}),
      ...(rules.length ? { ruleIds: rules } : {}),
      ...(values(raw.snoozed)[0] === 'true' ? {} : { visibleAt: deps.clock.now() }),
      limit: parseLimit(raw.limit, 500, 5_000),
    });
    const names = new Map((await store.tenants.list()).map((t) => [t.tenantId, t.name]));
    return {
      count: rows.length,
      alerts: rows.map((a) => ({ ...alertView(a), tenantName: names.get(a.tenant) ?? a.tenant })),
    };
  });

  app.get<{ Params: { id: string } }>('/api/alerts/:id', async (request) => {
    const alert = await scoped(request.params.id, request.query as RawQuery);
    const detail = await alertDetail(store, alert, deps.rules);
    const name = (await store.tenants.get(alert.tenant))?.name ?? alert.tenant;
    return { ...detail, alert: { ...detail.alert, tenantName: name } };
  });

  app.post<{ Params: { id: string }; Body: ActionBody }>('/api/alerts/:id/status', async (request) => {
    const alert = await scoped(request.params.id, request.query as RawQuery);
    const body = request.body ?? {};
    const status = parseStatus(text(body.status, 40));
    if (!SETTABLE.includes(status))
      throw new AppError('BAD_INPUT', `An alert cannot be set to ${status} by hand`, {
        hint: `Use ${SETTABLE.join(', ')}`,
      });
    const note = text(body.note);
    return alertView(await changeStatus(actions, alert.id, status, text(body.by, 100) || 'console', note || undefined));
  });

  app.post<{ Params: { id: string }; Body: ActionBody }>('/api/alerts/:id/snooze', async (request) => {
    const alert = await scoped(request.params.id, request.query as RawQuery);
    const body = request.body ?? {};
    const given = text(body.until, 60);
    const span = parseDuration(given);
    const until = span !== null ? deps.clock.now() + span : parseIsoUtc(given);
    if (until === null)
      throw new AppError('BAD_TIME', `"${given}" is not a span from now or a date-time`, {
        hint: 'Use e.g. 4h, 2d or 2026-12-01T08:00Z',
      });
    return alertView(await snoozeAlert(actions, alert.id, until, text(body.by, 100) || 'console', text(body.reason)));
  });

  app.post<{ Params: { id: string }; Body: ActionBody }>('/api/alerts/:id/exclude', async (request) => {
    const alert = await scoped(request.params.id, request.query as RawQuery);
    const body = request.body ?? {};
    const exclusion = await excludeFromAlert(actions, alert.id, {
      kind: text(body.kind, 20),
      value: text(body.value, 600),
      reason: text(body.reason),
      author: text(body.by, 100) || 'console',
      ...(body.allTenants === true ? { allTenants: true } : {}),
    });
    return { exclusion };
  });

  app.get('/api/alert-exclusions', async (request) => {
    const tenants = await askedTenants(request.query as RawQuery);
    const all = await store.alerts.listExclusions();
    return { exclusions: tenants ? all.filter((e) => e.tenant === '*' || tenants.includes(e.tenant)) : all };
  });
}
