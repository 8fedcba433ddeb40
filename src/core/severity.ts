/**
 * Alert severities in order, shared by the store (which keeps the highest severity of an alert's hits) and
 * detections (which route by a minimum severity). The names are Sigma's levels.
 */
export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

const RANK: Record<Severity, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function severityRank(s: Severity): number {
  return RANK[s];
}
