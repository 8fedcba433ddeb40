import type { AlertChange, AlertRow, ExclusionKind, Store } from '../../store/contract.js';
import { toRecordView, type RecordView } from '../../search/formats.js';
import type { RuleInfo } from '../contract.js';
import { POSTURE_DRIFT_RULE } from '../posture-drift.js';
import { exclusionValues } from './exclusions.js';
import { alertView, type AlertView } from './view.js';

/** Records an alert's detail opens at once; the rest are one `alerts show --format json` or search away. */
export const DETAIL_RECORDS = 50;

/** One alert with everything a person acts on: its history, the records behind it, the rule's runbook. */
export interface AlertDetail {
  alert: AlertView;
  history: (Omit<AlertChange, 'at'> & { at: string })[];
  /** The first records behind it (the record view, AuditData parsed); ids whose record is gone are listed in `missing`. */
  records: RecordView[];
  missing: string[];
  /**
   * True when the records were left out for the caller's role: a viewer reads the overview (the alert, its
   * facts, history and runbook), not records, which it could neither search nor export (ADR 0019, decision 2).
   */
  recordsWithheld: boolean;
  rule: Pick<RuleInfo, 'id' | 'title' | 'description' | 'severity' | 'tags' | 'references' | 'runbook'> | null;
  /** Per kind of exclusion, the alert's own value as an exclusion matches its facts (absent: the facts name none). */
  exclusionValues: Partial<Record<ExclusionKind, string>>;
}

/** `rules` finds a Sigma rule's metadata by id (the engine's rule set); the built-in posture rule is known here. */
export async function alertDetail(
  store: Pick<Store, 'alerts' | 'records'>,
  alert: AlertRow,
  rules: (id: string) => RuleInfo | null = () => null,
  options: { withRecords?: boolean } = {},
): Promise<AlertDetail> {
  const withRecords = options.withRecords ?? true;
  const ids = withRecords ? alert.recordIds.slice(0, DETAIL_RECORDS) : [];
  const found = await Promise.all(ids.map((id) => store.records.get(alert.tenant, id)));
  const info = alert.ruleId === POSTURE_DRIFT_RULE.id ? POSTURE_DRIFT_RULE : rules(alert.ruleId);
  return {
    alert: alertView(alert),
    history: (await store.alerts.history(alert.id)).map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
    records: found.filter((r) => r !== null).map(toRecordView),
    missing: ids.filter((_, i) => found[i] === null),
    recordsWithheld: !withRecords,
    rule: info
      ? {
          id: info.id,
          title: info.title,
          description: info.description,
          severity: info.severity,
          tags: info.tags,
          references: info.references,
          runbook: info.runbook,
        }
      : null,
    exclusionValues: exclusionValues(alert.facts),
  };
}
