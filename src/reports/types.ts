import type { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { RecordHead } from '../core/record.js';
import type { TimeRange } from '../core/time.js';
import type { Store } from '../store/contract.js';
import type { RoleHolderSource } from '../analysis/roles/source.js';
import type { SplitOptions } from './split.js';

/**
 * The shapes of the report engine (docs/adr/0007-reports-decisions.md). A report is a named
 * investigation: declared parameters, a run over the store's search, rows plus a summary.
 */

export interface ReportDeps {
  /** Reports read records through search, and tenants for names and domains. */
  store: Store;
  clock: Clock;
  /** Where admin-activity learns who held a role (Graph); absent → the audit log's role events. */
  roleSource?: RoleHolderSource;
  logger?: Logger;
  signal?: AbortSignal;
  /** When a large read is split across two threads (reports/split.ts); tests lower the threshold. */
  split?: SplitOptions;
}

/** One row of a report. A row that stands for one audit record carries its `id` and `tenant`. */
export interface ReportRow {
  tenant: string;
  id?: string;
  [field: string]: unknown;
}

export interface CountEntry {
  key: string;
  count: number;
}

/**
 * Counts of the audit records behind the findings, by user, operation, workload, day (UTC, ISO
 * date) and tenant — a table and a chart each — plus the report's own totals.
 */
export interface ReportSummary {
  records: number;
  rows: number;
  byUser: CountEntry[];
  byOperation: CountEntry[];
  byWorkload: CountEntry[];
  byDay: CountEntry[];
  byTenant: CountEntry[];
  totals: Record<string, number | string | boolean>;
}

/** SummaryTally.counted: records counted once, and their counts by each dimension (day as its ISO date). */
export interface Counted {
  records: number;
  byUser: [string, number][];
  byOperation: [string, number][];
  byWorkload: [string, number][];
  byDay: [string, number][];
  byTenant: [string, number][];
}

export interface ReportResult {
  report: string;
  parameters: Record<string, unknown>;
  summary: ReportSummary;
  rows: ReportRow[];
}

/** What a run gets besides its own parameters: the resolved period and tenant keys. */
export interface ReportInput<P> {
  params: P;
  period: TimeRange;
  /** Tenant keys (GUIDs or import names); undefined = every tenant. */
  tenants: string[] | undefined;
  /** The `user` parameter as the search parser reads it (lower case, comma lists split); undefined = everyone. */
  users?: string[];
  /** A `workload` parameter as the search parser reads it (comma lists split), for the reports that declare one. */
  workloads?: string[];
  /** Counts a record into the summary; call it once per audit record behind a finding. */
  count(record: RecordHead): void;
  /**
   * Adds records counted elsewhere with SummaryTally.countOnce (a read's own tally, a worker thread's part
   * of the period: reports/split.ts), each counted nowhere else in this run.
   */
  addCounted(counted: Counted): void;
}

export interface ReportOutput {
  rows: ReportRow[];
  totals?: Record<string, number | string | boolean>;
}

export interface ReportDefinition<S extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  /** One paragraph: what it shows and what to do about a finding. */
  description: string;
  /** The report's full parameter schema (common parameters included, see params.ts). */
  parameters: S;
  /**
   * Every field its rows can carry, in the order a file lists them (rows of different kinds carry different
   * ones). A CSV export's header is these whatever rows were found, so an empty result still has its header.
   */
  columns: readonly string[];
  run(input: ReportInput<z.output<S>>, deps: ReportDeps): Promise<ReportOutput>;
}

export interface ReportInfo {
  id: string;
  title: string;
  description: string;
  /** JSON Schema of the parameters, for forms in the console, `report ID --help` and `report list`. */
  parameters: JsonSchema;
}

/**
 * The part of JSON Schema that zod's `toJSONSchema` writes for report parameters and that the console's
 * form and the CLI's help read: an object of properties, each a type (or anyOf with null), a default,
 * an enum, a description.
 */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
}
