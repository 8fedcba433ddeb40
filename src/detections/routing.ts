import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { AlertRow, AlertSeverity, AlertStore, Store } from '../store/contract.js';
import { severityRank } from '../core/severity.js';
import { leaseOwner } from '../runtime/lease-owner.js';
import { alertView, type AlertView } from './alerts/view.js';
import { CLAIM_MARGIN_MS, CLAIM_PREFIX, claimDelivery, claimKey, holdClaim } from './delivery-claim.js';
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
   * The identity of the sink the channel sends through (core/sink.ts SinkRow.id), as it was when the channel was made:
   * a delivery is recorded only while that very sink exists, not another one added under its name since.
   */
  readonly sinkId: string;
  /**
   * Delivers one alert; throws when it could not (the alert stays due and is offered again next run).
   * Returning means the channel took it: routing records that in the store and never offers it again.
   */
  send(alert: AlertView, options?: ChannelSendOptions): Promise<void>;
  /**
   * The longest one attempt of send() can take (a sink: its driver's longestAttemptMs), and the longest wait
   * between two (a sink: its retry policy's longestWaitMs). Routing claims the alert for this channel for both and a
   * margin, and renews the claim before each attempt, so no other process sends it meanwhile.
   */
  readonly longestAttemptMs: number;
  readonly longestWaitMs: number;
}

export interface ChannelSendOptions {
  signal?: AbortSignal;
  /**
   * Called before each attempt (before the first too); what it throws ends the send, without that attempt. Routing
   * renews the alert's claim here, and stops when another process took it over meanwhile.
   */
  beforeAttempt?: () => Promise<void>;
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
  store: Pick<Store, 'alerts' | 'tenants' | 'ledger'>;
  clock: Clock;
  logger: Logger;
  routing: RoutingConfig;
  channels: ReadonlyMap<string, AlertChannel>;
  /** Who holds this run's claims (runtime/lease-owner.ts); each call names itself anew when absent. */
  owner?: string;
}

export interface DeliverSummary {
  delivered: number;
  /** Alerts no route sends anywhere, or whose channels are not registered (logged only). */
  unrouted: number;
  /** Alerts a channel failed on: still due, offered again next time. */
  failed: number;
  /**
   * Alerts another process was sending through one of their channels at that moment (it held the claim, or took it
   * over while this run waited to try again), and none failed here: still due, so the next run finds them
   * delivered, or offers them again if that process died.
   */
  claimedElsewhere: number;
}

/**
 * Delivers the alerts that are due (never delivered, snooze over) to their channels; an alert is marked
 * delivered once every channel took it, so a failure or a crash sends it again (at least once). Which
 * channels took it is kept in the store as each one does (AlertStore.markChannelDelivered), so while one
 * channel fails the others are not sent it again — on the next pass, after a restart, or from another
 * process routing alerts from the same store (serve beside collect --follow). Each send is made under a
 * claim of the alert for that channel (delivery-claim.ts), so two processes routing at the same moment do
 * not both send it; the one that finds it claimed leaves it due.
 */
export async function deliverDue(
  deps: DeliverDeps,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<DeliverSummary> {
  const summary: DeliverSummary = { delivered: 0, unrouted: 0, failed: 0, claimedElsewhere: 0 };
  const at = deps.clock.now();
  const page = options.limit ?? 500;
  let due = await deps.store.alerts.due(at, page);
  if (!due.length) return summary;
  // Claims of processes that died, which no run took over since (their alert was no longer due to that channel).
  await deps.store.ledger.dropExpiredLeases(CLAIM_PREFIX, deps.clock.now());
  const run: RoutingRun = { ...deps, owner: deps.owner ?? leaseOwner(), signal: options.signal };
  const names = new Map((await deps.store.tenants.list()).map((t) => [t.tenantId, t.name]));
  /**
   * Channels whose send failed in this pass: not tried again before the next. A send fails only after the
   * channel's retries (a receiver down, throttling, a wrong address: nothing about one alert, whose refusal is a
   * dead letter), so every further alert would fail the same way, each after its retries and timeouts: 500 due
   * alerts through a receiver that did not answer held a pass (and the collect --follow loop behind it) for hours.
   * Channels whose sink was removed during the pass are here too: nothing more is sent through them.
   */
  const down: Down = { failed: new Set<string>(), removed: new Set<string>() };
  // Every due alert, page after page: the first page alone was the same oldest alerts on every pass while a
  // channel failed on them, so once that many were held back no newer alert reached any channel.
  for (;;) {
    await deliverPage(run, due, names, down, summary);
    if (due.length < page) break;
    const last = due[due.length - 1]!;
    due = await deps.store.alerts.due(at, page, { createdAt: last.createdAt, id: last.id });
  }
  return summary;
}

/** The channels not used again in a pass: their send failed, or their sink was removed. */
interface Down {
  failed: Set<string>;
  removed: Set<string>;
}

/** One page of due alerts through their channels (`down`: the channels not used again in this pass). */
async function deliverPage(
  run: RoutingRun,
  due: readonly AlertRow[],
  names: ReadonlyMap<string, string>,
  down: Down,
  summary: DeliverSummary,
): Promise<void> {
  const taken = await channelsThatTook(run.store.alerts, due);
  for (const alert of due) {
    run.signal?.throwIfAborted();
    const wanted = selectChannels(alert, run.routing, names);
    const registered = wanted.filter((n) => run.channels.has(n));
    const log = logFields(alert);
    if (!registered.length) {
      run.logger.info(
        { event: DETECTION_EVENTS.alertUnrouted, ...log, channels: wanted },
        'alert not delivered: no registered channel',
      );
      // Only as it was read: one that changed meanwhile (a higher severity may route it now) stays due.
      await run.store.alerts.markNotified(alert, run.clock.now());
      summary.unrouted++;
      continue;
    }
    const outcomes = new Set<ChannelOutcome>();
    for (const name of registered) {
      // Took it on an earlier pass, before a restart, or in another process: not sent again.
      if (taken.get(alert.id)?.has(name)) continue;
      if (down.failed.has(name) || down.removed.has(name)) {
        outcomes.add(down.failed.has(name) ? 'failed' : 'sink-removed');
        continue;
      }
      const outcome = await sendClaimed(run, alert, run.channels.get(name)!);
      if (outcome === 'failed') down.failed.add(name);
      if (outcome === 'sink-removed') down.removed.add(name);
      outcomes.add(outcome);
    }
    if (outcomes.has('failed')) summary.failed++;
    else if (outcomes.has('claimed-elsewhere')) summary.claimedElsewhere++;
    // Still due: the next pass sends the alert as it is then, through the sinks there are then.
    else if (outcomes.has('changed') || outcomes.has('sink-removed')) continue;
    else {
      // Marked as read, when every channel chosen for it (from its severity as read) has it. One that changed since
      // stays due: the next pass sends it to any channel its newer state routes it to and no row says took it.
      // The rows are checked with the mark, not taken from the reads above: a channel's sink removed meanwhile took
      // its rows with it, and one added again under the name (a new receiver) has not taken the alert.
      const marked = await run.store.alerts.markNotified(alert, run.clock.now(), registered);
      if (marked === 'alert-changed')
        run.logger.info(
          { event: DETECTION_EVENTS.alertChangedWhileSent, ...log },
          'an alert changed while it was being sent: still due, the next pass sends its newer state',
        );
      if (marked === 'channel-missing') {
        run.logger.info(
          { event: DETECTION_EVENTS.alertChannelGone, ...log, channels: registered },
          'a sink the alert was sent to was removed meanwhile (maybe added again): still due, the next pass sends it through the sinks there are then',
        );
        continue;
      }
      // Counted by the run that sent it: one whose channels all had it already (another process sent the last
      // one, or a crash came before the alert was marked) completes it without counting it again.
      if (!outcomes.has('sent')) continue;
      run.logger.info({ event: DETECTION_EVENTS.alertRouted, ...log, channels: registered });
      summary.delivered++;
    }
  }
}

/** Alert id → the channels the store records as having taken it. */
async function channelsThatTook(alerts: AlertStore, due: readonly AlertRow[]): Promise<Map<string, Set<string>>> {
  const taken = new Map<string, Set<string>>();
  for (const d of await alerts.channelDeliveries(due.map((a) => a.id))) {
    const channels = taken.get(d.alertId) ?? new Set<string>();
    taken.set(d.alertId, channels.add(d.channel));
  }
  return taken;
}

type RoutingRun = DeliverDeps & { owner: string; signal: AbortSignal | undefined };

/**
 * What became of an alert on one channel: sent by this run, found already taken (another process sent it since this
 * run read), the send failed, another process was sending it, the alert changed since this pass read it (sent or
 * not, it stays due: a newer state, a snooze begun, or gone), or the channel's sink was removed during the pass.
 */
type ChannelOutcome = 'sent' | 'had-it' | 'failed' | 'claimed-elsewhere' | 'changed' | 'sink-removed';

function logFields(alert: AlertRow) {
  return { alert: alert.id, rule: alert.ruleId, tenant: alert.tenant, severity: alert.severity };
}

/**
 * Sends `alert` through `channel` holding its claim, renewed before each attempt for one attempt and the wait after
 * it, and lets the claim go after the store recorded the delivery, or after the send failed.
 */
async function sendClaimed(run: RoutingRun, alert: AlertRow, channel: AlertChannel): Promise<ChannelOutcome> {
  const log = { ...logFields(alert), channel: channel.name };
  const key = claimKey(alert.id, channel.name);
  const claim = await claimFor(run, key, channel, log);
  if (!claim) return 'claimed-elsewhere';
  try {
    // Read again under the claim: another process may have sent it, and let its claim go, since this run read.
    const deliveries = await run.store.alerts.channelDeliveries([alert.id]);
    if (deliveries.some((d) => d.channel === channel.name)) return 'had-it';
    // The alert too: the page was read before the sends of the alerts ahead of it. It is sent as it is now, and not
    // while a snooze begun since is in force; its delivery is recorded only if it is still so after the send.
    const current = await run.store.alerts.get(alert.id);
    if (!current || current.notifiedAt !== null || (current.snoozedUntil ?? 0) > run.clock.now()) return 'changed';
    const held = holdClaim(run.store.ledger, { key, owner: run.owner, ...claim }, run.clock);
    try {
      await channel.send(alertView(current), { signal: run.signal, beforeAttempt: () => held.renew() });
    } catch (error) {
      if (held.lost()) {
        // Not an error of the channel: its new holder sends the alert, and no attempt was made here after it took over.
        run.logger.warn(
          { event: DETECTION_EVENTS.alertClaimLost, ...log, termMs: claim.termMs },
          `another process took over the claim of an alert before this one's next attempt through "${channel.name}": left to it`,
        );
        return 'claimed-elsewhere';
      }
      run.logger.warn(
        { event: DETECTION_EVENTS.channelFailed, ...log, error: (error as Error).message },
        `could not send an alert through the channel "${channel.name}"`,
      );
      return 'failed';
    }
    if (run.clock.now() > held.until())
      run.logger.warn(
        { event: DETECTION_EVENTS.alertClaimOverrun, ...log, termMs: claim.termMs },
        `sending through "${channel.name}" took longer than the alert's claim: another process may have sent it too`,
      );
    // Only after the receiver answered (at least once): a crash before this line sends it once more.
    const recorded = await run.store.alerts.markChannelDelivered(
      current,
      { name: channel.name, id: channel.sinkId },
      run.clock.now(),
    );
    if (recorded === 'alert-changed') {
      run.logger.info(
        { event: DETECTION_EVENTS.alertChangedWhileSent, ...log },
        `an alert changed while it was being sent through "${channel.name}": still due, the next pass sends its newer state`,
      );
      return 'changed';
    }
    if (recorded === 'sink-removed') {
      run.logger.info(
        { event: DETECTION_EVENTS.channelRemoved, ...log },
        `the sink "${channel.name}" was removed while an alert was being sent through it: nothing more is sent through it`,
      );
      return 'sink-removed';
    }
    return 'sent';
  } finally {
    await run.store.ledger.releaseLease(key, run.owner).catch((error: unknown) =>
      // Nothing is lost: the claim runs out after its term, and a run that finds the alert still due takes it over.
      run.logger.warn(
        { event: DETECTION_EVENTS.alertClaimReleaseFailed, ...log, error: (error as Error).message },
        'could not let the claim of an alert go; it runs out after its term',
      ),
    );
  }
}

/** The claim of `key` for this run, or null (said at debug) when another process holds it. */
async function claimFor(
  run: RoutingRun,
  key: string,
  channel: AlertChannel,
  log: ReturnType<typeof logFields> & { channel: string },
): Promise<{ until: number; termMs: number } | null> {
  // One attempt and the wait after it: the claim is renewed before each attempt (holdClaim).
  const termMs = channel.longestAttemptMs + channel.longestWaitMs + CLAIM_MARGIN_MS;
  const claim = await claimDelivery(run.store.ledger, key, run.owner, run.clock.now(), termMs);
  if (!claim.held) {
    run.logger.debug(
      { event: DETECTION_EVENTS.alertClaimBusy, ...log, holder: claim.holder?.owner, until: claim.holder?.until },
      `another process is sending this alert through "${channel.name}": left to it, still due here`,
    );
    return null;
  }
  if (claim.reclaimedFrom)
    run.logger.warn(
      { event: DETECTION_EVENTS.alertClaimReclaimed, ...log, from: claim.reclaimedFrom },
      'took over the claim of an alert from a process of this machine that died while sending it',
    );
  return { until: claim.until, termMs };
}
