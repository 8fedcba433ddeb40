import type { RecordView } from './api.js';

/** The alert shapes of the HTTP API (src/server/routes/alerts.ts) as the console reads them. */
export type AlertSeverity = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'new' | 'acknowledged' | 'resolved' | 'false_positive';

export interface AlertView {
  id: string;
  ruleId: string;
  tenant: string;
  tenantName?: string;
  severity: AlertSeverity;
  status: AlertStatus;
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

export interface AlertList {
  count: number;
  alerts: AlertView[];
}

export interface AlertDetail {
  alert: AlertView;
  history: {
    at: string;
    actor: string;
    action: string;
    from: AlertStatus | null;
    to: AlertStatus | null;
    note: string | null;
  }[];
  records: RecordView[];
  missing: string[];
  rule: {
    id: string;
    title: string;
    description: string;
    severity: AlertSeverity;
    tags: string[];
    references: string[];
    runbook: string | null;
  } | null;
}

export const SEVERITIES: readonly AlertSeverity[] = ['critical', 'high', 'medium', 'low', 'informational'];
export const STATUSES: readonly AlertStatus[] = ['new', 'acknowledged', 'resolved', 'false_positive'];
export const statusLabel = (s: AlertStatus): string => s.replace('_', ' ');
