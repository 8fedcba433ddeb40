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
  } | null;
  newestRecord: number | null;
  lagMs: number | null;
  state: string;
  errors: { windows: number; last: string | null };
  gaps: number;
  /** Management API webhook health (null when webhooks are off). */
  webhook: { status: string; detail: string | null; lastDelayMs: number | null } | null;
}

export interface CoverageGap {
  start: number;
  end: number;
  reason: string;
  lastError: string | null;
}

export interface StreamCoverage {
  tenant: string;
  stream: string;
  windows: number;
  fetched: number;
  failed: number;
  blobs: number;
  records: number;
  newRecords: number;
  from: number | null;
  to: number | null;
  checkpoint: number | null;
  gaps: CoverageGap[];
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
