import type { AlertView, RecordView } from './api.js';

export type { AlertView };

/** The alert shapes of the HTTP API (src/server/routes/alerts.ts) as the console reads them. */
export type AlertSeverity = AlertView['severity'];
export type AlertStatus = AlertView['status'];

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
