import type { AlertRow, AlertSeverity } from '../../store/contract.js';
import { AppError } from '../../core/errors.js';

/**
 * An alert as the CLI (`--format json`) and the HTTP API show it: its rule id, tenant, severity and the
 * ids of the records behind it first, times as ISO text. One shape for `detect`, `alerts list` and the console.
 */
export interface AlertView {
  id: string;
  ruleId: string;
  tenant: string;
  severity: AlertSeverity;
  status: AlertRow['status'];
  title: string;
  groupKey: string;
  recordIds: string[];
  recordTotal: number;
  hits: number;
  firstSeen: string;
  lastSeen: string;
  statusBy: string | null;
  statusAt: string | null;
  snoozedUntil: string | null;
  facts: Record<string, string>;
  createdAt: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function alertView(a: AlertRow): AlertView {
  return {
    id: a.id,
    ruleId: a.ruleId,
    tenant: a.tenant,
    severity: a.severity,
    status: a.status,
    title: a.title,
    groupKey: a.groupKey,
    recordIds: a.recordIds,
    recordTotal: a.recordTotal,
    hits: a.hits,
    firstSeen: iso(a.firstSeen)!,
    lastSeen: iso(a.lastSeen)!,
    statusBy: a.statusBy,
    statusAt: iso(a.statusAt),
    snoozedUntil: iso(a.snoozedUntil),
    facts: a.facts,
    createdAt: iso(a.createdAt)!,
  };
}

export const SEVERITIES: readonly AlertSeverity[] = ['informational', 'low', 'medium', 'high', 'critical'];

export function parseSeverity(text: string): AlertSeverity {
  const value = text.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(value)) return value as AlertSeverity;
  throw new AppError('BAD_INPUT', `"${text.slice(0, 40)}" is not a severity`, {
    hint: `Use one of ${SEVERITIES.join(', ')}`,
  });
}
