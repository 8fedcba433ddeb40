import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { canonicalKey } from '../../core/guid.js';
import type { Logger } from '../../core/log.js';
import type { AlertExclusion, AlertRow, AlertStatus, Store } from '../../store/contract.js';
import { DETECTION_EVENTS } from '../events.js';
import { newExclusion } from './exclusions.js';

/**
 * What people do with an alert: acknowledge, resolve, call it a false positive, snooze it, exclude
 * what caused it. Status moves new → acknowledged → resolved | false_positive; a closed alert can be
 * re-classified (resolved ↔ false positive) but not reopened by hand (a new hit reopens a resolved one).
 */
export const ALERT_STATUSES: readonly AlertStatus[] = ['new', 'acknowledged', 'resolved', 'false_positive'];

const NEXT: Record<AlertStatus, readonly AlertStatus[]> = {
  new: ['acknowledged', 'resolved', 'false_positive'],
  acknowledged: ['resolved', 'false_positive'],
  resolved: ['false_positive'],
  false_positive: ['resolved'],
};

export interface ActionDeps {
  store: Pick<Store, 'alerts'>;
  clock: Clock;
  logger: Logger;
}

export function noSuchAlert(id: string): AppError {
  return new AppError('NOT_FOUND', `No alert has the id "${id.slice(0, 100)}"`, {
    hint: 'tenantwatch alerts list shows the alerts and their ids',
  });
}

/**
 * The alert an id names: the alert of that id, or the one it became when `optimize --rekey` moved it (`movedFrom`: the
 * id given). The old id was sent to channels and written in tickets, so it keeps naming the alert (ADR 0039, the
 * merge, point 5). Null when neither exists.
 */
export async function findAlert(
  store: Pick<Store, 'alerts'>,
  id: string,
): Promise<{ alert: AlertRow; movedFrom: string | null } | null> {
  if (id.length > 100) return null;
  const alert = await store.alerts.get(id);
  if (alert) return { alert, movedFrom: null };
  const to = await store.alerts.movedTo(id);
  const moved = to === null ? null : await store.alerts.get(to);
  return moved ? { alert: moved, movedFrom: id } : null;
}

/** The alert an id names (findAlert: an id `optimize --rekey` moved it from too), or NOT_FOUND. */
export async function alertOrFail(store: Pick<Store, 'alerts'>, id: string): Promise<AlertRow> {
  const found = await findAlert(store, id);
  if (!found) throw noSuchAlert(id);
  return found.alert;
}

/** Moves an alert's status; asking for the status it already has changes nothing. */
export async function changeStatus(
  deps: ActionDeps,
  given: string,
  to: AlertStatus,
  actor: string,
  note?: string,
): Promise<AlertRow> {
  const alert = await alertOrFail(deps.store, given);
  const id = alert.id;
  if (alert.status === to) return alert;
  if (!NEXT[alert.status].includes(to))
    throw new AppError(
      'CONFLICT',
      `Alert ${id} is ${alert.status.replace('_', ' ')} and cannot become ${to.replace('_', ' ')}`,
      {
        hint: `From ${alert.status} it can become ${NEXT[alert.status].join(' or ') || 'nothing else'}`,
      },
    );
  const at = deps.clock.now();
  const done = await deps.store.alerts.setStatus(id, { from: alert.status, to, actor, at, ...(note ? { note } : {}) });
  if (!done)
    throw new AppError('CONFLICT', `Alert ${id} was changed by someone else meanwhile`, {
      hint: 'Look at it again (tenantwatch alerts show ID) and repeat the action if it still applies',
    });
  deps.logger.info({ event: DETECTION_EVENTS.alertStatus, alert: id, from: alert.status, to, actor });
  return (await deps.store.alerts.get(id)) ?? alert;
}

/**
 * Snoozes an alert until `until`: it is hidden and not delivered until then, and further hits of its
 * rule for its tenant and group key are stored silently until then too (they surface when it ends).
 * A new snooze of the same rule, tenant and group key replaces the one in force: snoozed again until an
 * earlier time, the earlier snooze kept holding new hits back until its own end, and the first hit after it
 * snoozed the alert again until then (an alert takes the latest snooze of its hits).
 */
export async function snoozeAlert(
  deps: ActionDeps,
  given: string,
  until: number,
  actor: string,
  reason: string,
): Promise<AlertRow> {
  const alert = await alertOrFail(deps.store, given);
  const id = alert.id;
  const now = deps.clock.now();
  if (until <= now)
    throw new AppError('BAD_INPUT', 'A snooze must end in the future', {
      // The CLI refuses a past --until before this (alerts.ts snoozeEnd): this answers the API's `until`, so no flag.
      hint: 'Give a span from now such as 24h, or a date-time after now such as 2026-12-01T08:00Z',
    });
  // The new snooze is stored before the ones it replaces go, so a hit raised in between is held back by one of them
  // (removed first, a hit in the gap went out). A GUID tenant is one in any case (ADR 0039).
  const replaced = (await deps.store.alerts.listSnoozes(now)).filter(
    (s) =>
      s.ruleId === alert.ruleId &&
      canonicalKey(s.tenant) === canonicalKey(alert.tenant) &&
      s.groupKey === alert.groupKey,
  );
  await deps.store.alerts.addSnooze({
    id: `sn_${randomUUID().slice(0, 8)}`,
    ruleId: alert.ruleId,
    tenant: alert.tenant,
    groupKey: alert.groupKey,
    until,
    reason: reason || 'snoozed',
    author: actor,
    createdAt: now,
  });
  for (const s of replaced) await deps.store.alerts.removeSnooze(s.id);
  await deps.store.alerts.snooze(id, until, actor, now, reason || undefined);
  return (await deps.store.alerts.get(id)) ?? alert;
}

/** Excludes a user, address or application from the alert's rule for its tenant (or every tenant with `*`). */
export async function excludeFromAlert(
  deps: ActionDeps,
  id: string,
  input: { kind: string; value: string; reason: string; author: string; allTenants?: boolean },
): Promise<AlertExclusion> {
  const alert = await alertOrFail(deps.store, id);
  const exclusion = newExclusion(
    { ...input, ruleId: alert.ruleId, tenant: input.allTenants ? '*' : alert.tenant },
    deps.clock.now(),
  );
  await deps.store.alerts.addExclusion(exclusion);
  return exclusion;
}

/**
 * Refuses an exclusion for a rule id that names no rule: neither one of the rules loaded (`known`) nor the rule of
 * any stored alert (a rule since removed from its folder still has alerts to keep quiet). Such an exclusion (a typo,
 * a rule's title instead of its id) never matches a hit, yet was stored and reported as done. `*` is every rule.
 */
export async function requireKnownRule(
  store: Pick<Store, 'alerts'>,
  ruleId: string,
  known: ReadonlySet<string>,
): Promise<void> {
  if (ruleId === '*' || known.has(ruleId)) return;
  if (ruleId.length <= 200 && (await store.alerts.list({ ruleIds: [ruleId], limit: 1 })).length) return;
  throw new AppError('NOT_FOUND', `No rule has the id "${ruleId.slice(0, 100)}"`, {
    hint: 'tenantwatch rules list shows the rules and their ids; a rule of your own counts once its folder is in alerting.yaml ruleFolders or given with --rules',
  });
}

export function parseStatus(text: string): AlertStatus {
  const value = text.trim().toLowerCase().replace(/[\s-]/g, '_');
  const status = value === 'ack' ? 'acknowledged' : value;
  if ((ALERT_STATUSES as readonly string[]).includes(status)) return status as AlertStatus;
  throw new AppError('BAD_INPUT', `"${text.slice(0, 40)}" is not an alert status`, {
    hint: `Use one of ${ALERT_STATUSES.join(', ')}`,
  });
}
