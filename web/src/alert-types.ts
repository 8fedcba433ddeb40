import type { AlertDetail, AlertView } from './api.js';

export type { AlertDetail, AlertView };

/** The alert shapes of the HTTP API, from its contract (src/server/api-types.ts). */
export type AlertSeverity = AlertView['severity'];
export type AlertStatus = AlertView['status'];

export const SEVERITIES: readonly AlertSeverity[] = ['critical', 'high', 'medium', 'low', 'informational'];
export const STATUSES: readonly AlertStatus[] = ['new', 'acknowledged', 'resolved', 'false_positive'];
export const statusLabel = (s: AlertStatus): string => s.replace('_', ' ');
