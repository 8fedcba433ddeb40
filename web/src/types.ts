/** The HTTP API's shapes as the console reads them (web/ imports nothing from src/). */
export interface RecordSummary {
  id: string;
  tenant: string;
  creationTime: string;
  recordType: number;
  recordTypeName: string;
  operation: string;
  workload: string | null;
  userId: string | null;
  userType: number | null;
  clientIp: string | null;
  clientPort: number | null;
  objectId: string | null;
  resultStatus: string | null;
  outcome: string;
  source: string;
}

export interface RecordView extends RecordSummary {
  auditData: unknown;
}

export interface SearchPage {
  records: RecordSummary[];
  returned: number;
  next: string | null;
}

export interface CountRow {
  key: string | number | null;
  count: number;
}

export interface Activity {
  operation: string;
  friendly: string;
  workload: string | null;
  category: string;
}

export interface TenantOverview {
  name: string;
  tenantId: string;
  domain: string | null;
  cloud: string;
  authKind: string;
  posture: {
    verdict: 'ok' | 'warning' | 'failing' | 'unknown';
    takenAt: number;
    auditingOff: boolean;
    findings: { code?: string; severity?: string; message?: string }[];
    /** A request to turn ingestion on that is not in effect yet. */
    requested: { at: number; by: string; appliesBy: number; overdue: boolean } | null;
  } | null;
  auditing: AuditingFact;
  newestRecord: number | null;
  lagMs: number | null;
  state: string;
  errors: { windows: number; last: string | null };
  gaps: number;
}

/** What a tenant records at all (server: src/coverage/types.ts AuditingFact). */
export interface AuditingFact {
  checkedAt: number | null;
  unifiedAuditLog: 'on' | 'off' | 'unknown';
  mailboxAuditing: 'on' | 'off' | 'some mailboxes off' | 'unknown';
  recordsNothing: boolean;
  requested: { at: number; by: string; appliesBy: number; overdue: boolean } | null;
  note: string | null;
}

/** A stretch not proven collected (server: src/coverage/types.ts Gap). */
export interface CoverageGap {
  tenant: string;
  name: string;
  stream: string;
  start: number;
  end: number;
  /** 'hole', a window state ('failed', 'partial', 'expired', …) or 'blob <status>'. */
  state: string;
  reason: string;
  lastError: string | null;
  filledBy: string | null;
}

export interface StreamCoverage {
  tenant: string;
  name: string;
  stream: string;
  kind: 'live' | 'history';
  windows: number;
  fetched: number;
  failed: number;
  expired: number;
  blobs: number;
  blobIssues: number;
  records: number;
  newRecords: number;
  from: number | null;
  to: number | null;
  checkpoint: number | null;
  gaps: CoverageGap[];
  filled: CoverageGap[];
}

export interface TenantCoverage {
  tenant: string;
  name: string;
  streams: number;
  gaps: number;
  filled: number;
  auditing: AuditingFact;
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  title?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
}

export interface ReportInfo {
  id: string;
  title: string;
  description: string;
  parameters?: JsonSchema;
  schema?: JsonSchema;
}

export interface ReportResult {
  report?: unknown;
  parameters?: Record<string, unknown>;
  summary?: Record<string, unknown>;
  rows: Record<string, unknown>[];
}

export interface ApiErrorBody {
  error: { code: string; message: string; hint?: string };
}
