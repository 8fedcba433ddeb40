import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { StoredRecord } from '../../core/record.js';
import { AppError } from '../../core/errors.js';
import type {
  AlertHitInput,
  AlertIdentity,
  AlertRow,
  AlertSeverity,
  AppliedHit,
  HitJudgement,
  Store,
} from '../../store/contract.js';
import type { Hit, Severity } from '../contract.js';
import { DETECTION_EVENTS } from '../events.js';
import { appliesTo, excludedBy, snoozedUntil } from './exclusions.js';
import { alertId, hitKey, windowStart } from './identity.js';

/** The store's name for severities must stay the engine's: this line fails to compile if they drift. */
const SAME_SEVERITIES: [Severity, AlertSeverity] extends [AlertSeverity, Severity] ? true : never = true;
void SAME_SEVERITIES;

export const DEFAULT_SUPPRESS_MS = 24 * 3_600_000;
/** Record ids an alert keeps (the total goes on counting): enough to open them all in the console. */
export const DEFAULT_MAX_RECORD_IDS = 1_000;

/** How hits become alerts: the suppression window per rule (configurable, docs/ALERTS.md) and the id bound. */
export interface AlertPolicy {
  suppressMs(ruleId: string): number;
  maxRecordIds: number;
}

/** How alerts and hits are keyed, for `optimize --rekey` to key the alerts of merged records again (AlertStore.rekey). */
export const ALERT_IDENTITY: AlertIdentity = { alertId, hitKey, maxRecordIds: DEFAULT_MAX_RECORD_IDS };

export function alertPolicy(perRule: Record<string, number> = {}, defaultMs = DEFAULT_SUPPRESS_MS): AlertPolicy {
  return { suppressMs: (ruleId) => perRule[ruleId] ?? defaultMs, maxRecordIds: DEFAULT_MAX_RECORD_IDS };
}

export interface RaiseDeps {
  store: Pick<Store, 'alerts'> & { records: Pick<Store['records'], 'get'> };
  clock: Clock;
  logger: Logger;
  policy?: AlertPolicy;
}

export interface RaiseSummary {
  raised: number;
  counted: number;
  reopened: number;
  /** Hits applied before (a replay): nothing changed. */
  duplicates: number;
  /** Hits an exclusion kept back (counted on the exclusion). */
  excluded: number;
  /** Hits stored silently under a snooze. */
  snoozed: number;
  /** Every alert a hit of this call was applied to, as it stands now (latest state per id). */
  alerts: AlertRow[];
}

export const recordKey = (tenant: string, id: string): string => `${tenant}\u0000${id}`;

/**
 * How many times a batch of hits is judged again because an exclusion or snooze was stored or removed while it was
 * being raised. Each time means a person changed one within the few milliseconds of a batch: a run of them longer than
 * this fails the batch (its hits are applied by the next pass; the hit keys make that harmless).
 */
const JUDGE_ATTEMPTS = 10;

/**
 * Turns hits into alerts, all of one call in one transaction (a crash replays them cleanly: hit keys). Records
 * behind a hit are read only when an exclusion applies to its rule and tenant; `batch` lets the live
 * runner hand over the records it already holds. The hits are judged by the exclusions and snoozes stored when they
 * are applied: the store applies them only while those are the ones read (AlertStore.applyJudgedHits), and they are
 * judged again when one was stored or removed meanwhile — so once `alerts exclude` or `alerts snooze` has stored one,
 * no alert raised after ignores it.
 */
export async function raiseHits(
  deps: RaiseDeps,
  hits: readonly Hit[],
  batch?: ReadonlyMap<string, StoredRecord>,
): Promise<RaiseSummary> {
  const now = deps.clock.now();
  const summary: RaiseSummary = {
    raised: 0,
    counted: 0,
    reopened: 0,
    duplicates: 0,
    excluded: 0,
    snoozed: 0,
    alerts: [],
  };
  let pending = hits;
  for (let attempt = 1; pending.length; attempt++) {
    const { applying, judgement } = await judge(deps, pending, batch, now, summary);
    // One transaction for all of them: a commit per hit was most of a live pass's time (bench detections).
    const applied = applying.length
      ? await deps.store.alerts.applyJudgedHits(
          applying.map((a) => a.input),
          now,
          judgement,
        )
      : [];
    if (applied) {
      tally(deps, applying, applied, summary);
      break;
    }
    deps.logger.debug({ event: DETECTION_EVENTS.hitsJudgedAgain, hits: applying.length, attempt });
    if (attempt >= JUDGE_ATTEMPTS)
      throw new AppError('CONFLICT', `Exclusions or snoozes changed ${attempt} times while hits were being raised`, {
        hint: 'The hits are raised by the next pass; if this repeats, look for a script adding or removing them in a loop',
      });
    pending = applying.map((a) => a.hit);
  }
  return summary;
}

interface Applying {
  hit: Hit;
  until: number | null;
  input: AlertHitInput;
}

/**
 * The hits no exclusion keeps back (those it does are counted on it here), each with the snooze it is stored under,
 * and the exclusions and snoozes they were judged by.
 */
async function judge(
  deps: RaiseDeps,
  hits: readonly Hit[],
  batch: ReadonlyMap<string, StoredRecord> | undefined,
  now: number,
  summary: RaiseSummary,
): Promise<{ applying: Applying[]; judgement: HitJudgement }> {
  const policy = deps.policy ?? alertPolicy();
  const [exclusions, snoozes] = await Promise.all([
    deps.store.alerts.listExclusions(),
    deps.store.alerts.listSnoozes(now),
  ]);
  const applying: Applying[] = [];
  for (const hit of hits) {
    const key = hitKey(hit);
    const applicable = exclusions.filter((e) => appliesTo(e, hit.ruleId, hit.tenant));
    if (applicable.length) {
      const records = await Promise.all(
        hit.recordIds.map(
          async (id) => batch?.get(recordKey(hit.tenant, id)) ?? (await deps.store.records.get(hit.tenant, id)),
        ),
      );
      const exclusion = excludedBy(hit, records, applicable);
      if (exclusion) {
        if (await deps.store.alerts.countExcluded(key, exclusion.id, now)) summary.excluded++;
        else summary.duplicates++;
        deps.logger.debug({
          event: DETECTION_EVENTS.hitExcluded,
          rule: hit.ruleId,
          tenant: hit.tenant,
          exclusion: exclusion.id,
        });
        continue;
      }
    }
    const until = snoozedUntil(hit, snoozes, now);
    const window = windowStart(hit.firstSeen, policy.suppressMs(hit.ruleId));
    applying.push({
      hit,
      until,
      input: {
        hitKey: key,
        alertId: alertId(hit.ruleId, hit.tenant, hit.groupKey, window),
        ruleId: hit.ruleId,
        tenant: hit.tenant,
        groupKey: hit.groupKey,
        windowStart: window,
        severity: hit.severity,
        title: hit.title,
        recordIds: hit.recordIds,
        firstSeen: hit.firstSeen,
        lastSeen: hit.lastSeen,
        facts: hit.facts,
        snoozedUntil: until,
        maxRecordIds: policy.maxRecordIds,
      },
    });
  }
  return { applying, judgement: { exclusionIds: exclusions.map((e) => e.id), snoozeIds: snoozes.map((z) => z.id) } };
}

/** What the applied hits did, counted in the summary and logged. */
function tally(deps: RaiseDeps, applying: readonly Applying[], applied: readonly AppliedHit[], summary: RaiseSummary) {
  const touched = new Map<string, AlertRow>();
  applied.forEach(({ outcome, alert }, i) => {
    const { hit, until } = applying[i]!;
    touched.set(alert.id, alert);
    if (outcome === 'duplicate') summary.duplicates++;
    else summary[outcome]++;
    if (until !== null && outcome !== 'duplicate') summary.snoozed++;
    if (outcome === 'raised' || outcome === 'reopened') {
      const event = outcome === 'raised' ? DETECTION_EVENTS.alertRaised : DETECTION_EVENTS.alertReopened;
      deps.logger.info({
        event,
        alert: alert.id,
        rule: hit.ruleId,
        tenant: hit.tenant,
        severity: alert.severity,
        snoozedUntil: until,
      });
    }
  });
  summary.alerts = [...touched.values()];
}
