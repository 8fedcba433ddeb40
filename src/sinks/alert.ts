/**
 * The alert as sinks send it: what the encoders need of a stored alert (store AlertRow), mapped from it by
 * detections/sink-channel.ts, so the sinks never depend on the alerts store and the payload a receiver
 * sees changes only when this type does.
 */
import type { StoredRecord } from '../core/record.js';
import type { Severity } from '../detections/contract.js';

export interface AlertPayload {
  /** Stable alert id (de-duplication key on the receiver's side). */
  id: string;
  tenant: string;
  ruleId: string;
  title: string;
  severity: Severity;
  /** Runbook or description shown with the alert, if any. */
  description: string | null;
  /** CreationTime of the first and last record behind it, epoch ms. */
  firstSeen: number;
  lastSeen: number;
  /** When tenantwatch raised it, epoch ms. */
  raisedAt: number;
  recordIds: string[];
  /** A few fields worth showing (user, address, operation, object…). */
  facts: Record<string, string>;
  /** Link to the alert in the console, when the console's address is known. */
  link: string | null;
}

/** What a sink is handed: a stored audit record or an alert. */
export type Item = { kind: 'record'; record: StoredRecord } | { kind: 'alert'; alert: AlertPayload };

/** The (tenant, id) an item is known by in dead letters and de-duplication. */
export function itemKey(item: Item): { kind: Item['kind']; tenant: string; id: string } {
  return item.kind === 'record'
    ? { kind: 'record', tenant: item.record.tenant, id: item.record.id }
    : { kind: 'alert', tenant: item.alert.tenant, id: item.alert.id };
}
