import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { AlertRow, AlertSeverity, Store } from '../store/contract.js';
import { severityRank } from '../core/severity.js';
import { alertView, type AlertView } from './alerts/view.js';
import { DETECTION_EVENTS } from './events.js';

/**
 * Which alerts go where. Routes are data (the alerting file, docs/ALERTS.md): each names a channel and
 * narrows by rule ids, a minimum severity, tenants and tenant groups; an alert goes to every channel of
 * every route it matches. The channels (webhook, email, syslog, SIEM) are built by the forwarding work
 * in src/sinks and registered by name; a route naming no registered channel only logs a line.
 */
export interface AlertChannel {
  readonly name: string;
  /**
   * Delivers one alert; throws when it could not (the alert stays due and is offered again next run).
   * Returning means the channel took it: routing records that in the store and never offers it again.
   */
  send(alert: AlertView, signal?: AbortSignal): Promise<void>;
}

export interface AlertRoute {
  channel: string;
  /** Only these rules (all when absent or empty). */
  rules?: string[];
  minSeverity?: AlertSeverity;
  /** Tenant names or ids (all when absent and no tenant group is named). */
  tenants?: string[];
  tenantGroups?: string[];
}

export interface RoutingConfig {
  routes: AlertRoute[];
  /** Group name → tenant names or ids. */
  tenantGroups: Record<string, string[]>;
}

export const NO_ROUTES: RoutingConfig = { routes: [], tenantGroups: {} };

/** The channel names an alert goes to, each once, in route order. `names` maps tenant ids to their names. */
export function selectChannels(
  alert: Pick<AlertRow, 'ruleId' | 'tenant' | 'severity'>,
  config: RoutingConfig,
  names: ReadonlyMap<string, string> = new Map(),
): string[] {
  const keys = new Set([alert.tenant.toLowerCase(), (names.get(alert.tenant) ?? '').toLowerCase()].filter(Boolean));
  const out: string[] = [];
  for (const route of config.routes) {
    if (route.rules?.length && !route.rules.includes(alert.ruleId)) continue;
    if (route.minSeverity && severityRank(alert.severity) < severityRank(route.minSeverity)) continue;
    const tenants = [
      ...(route.tenants ?? []),
      ...(route.tenantGroups ?? []).flatMap((g) => config.tenantGroups[g] ?? []),
    ];
    const scoped = !!route.tenants?.length || !!route.tenantGroups?.length;
    if (scoped && !tenants.some((t) => keys.has(t.toLowerCase()))) continue;
    if (!out.includes(route.channel)) out.push(route.channel);
  }
  return out;
}

export interface DeliverDeps {
  store: Pick<Store, 'alerts' | 'tenants'>;
  clock: Clock;
  logger: Logger;
  routing: RoutingConfig;
  channels: ReadonlyMap<string, AlertChannel>;
}

export interface DeliverSummary {
  delivered: number;
  /** Alerts no route sends anywhere, or whose channels are not registered (logged only). */
  unrouted: number;
  /** Alerts a channel failed on: still due, offered again next time. */
  failed: number;
}

/**
 * Delivers the alerts that are due (never delivered, snooze over) to their channels; an alert is marked
 * delivered once every channel took it, so a failure or a crash sends it again (at least once). Which
 * channels took it is kept in the store as each one does (AlertStore.markChannelDelivered), so while one
 * channel fails the others are not sent it again — on the next pass, after a restart, or from another
 * process routing alerts from the same store (serve beside collect --follow).
 */
export async function deliverDue(
  deps: DeliverDeps,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<DeliverSummary> {
  const summary: DeliverSummary = { delivered: 0, unrouted: 0, failed: 0 };
  const due = await deps.store.alerts.due(deps.clock.now(), options.limit ?? 500);
  if (!due.length) return summary;
  const names = new Map((await deps.store.tenants.list()).map((t) => [t.tenantId, t.name]));
  const taken = new Map<string, Set<string>>();
  for (const d of await deps.store.alerts.channelDeliveries(due.map((a) => a.id))) {
    const channels = taken.get(d.alertId) ?? new Set<string>();
    taken.set(d.alertId, channels.add(d.channel));
  }
  for (const alert of due) {
    options.signal?.throwIfAborted();
    const wanted = selectChannels(alert, deps.routing, names);
    const registered = wanted.filter((n) => deps.channels.has(n));
    const log = { alert: alert.id, rule: alert.ruleId, tenant: alert.tenant, severity: alert.severity };
    if (!registered.length) {
      deps.logger.info(
        { event: DETECTION_EVENTS.alertUnrouted, ...log, channels: wanted },
        'alert not delivered: no registered channel',
      );
      await deps.store.alerts.markNotified(alert.id, deps.clock.now());
      summary.unrouted++;
      continue;
    }
    let ok = true;
    for (const name of registered) {
      // Took it on an earlier pass, before a restart, or in another process: not sent again.
      if (taken.get(alert.id)?.has(name)) continue;
      try {
        await deps.channels.get(name)!.send(alertView(alert), options.signal);
      } catch (error) {
        ok = false;
        deps.logger.warn(
          {
            event: DETECTION_EVENTS.channelFailed,
            ...log,
            channel: name,
            error: (error as Error).message,
          },
          `could not send an alert through the channel "${name}"`,
        );
        continue;
      }
      // Only after the receiver answered (at least once): a crash before this line sends it once more.
      await deps.store.alerts.markChannelDelivered(alert.id, name, deps.clock.now());
    }
    if (!ok) {
      summary.failed++;
      continue;
    }
    await deps.store.alerts.markNotified(alert.id, deps.clock.now());
    deps.logger.info({ event: DETECTION_EVENTS.alertRouted, ...log, channels: registered });
    summary.delivered++;
  }
  return summary;
}
