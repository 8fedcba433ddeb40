/**
 * The seam between the rule engine (Sigma loading, evaluation, correlations, first-seen) and what
 * acts on its findings (alerts: dedup, status, exclusions, snooze, routing). The engine knows rules
 * and records; it never stores anything. Alerts know hits; they never evaluate a rule.
 */
import type { StoredRecord } from '../core/record.js';

export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

/** What a person reads about a rule: its Sigma metadata plus tenantwatch's runbook. */
export interface RuleInfo {
  /** The Sigma `id` (a UUID), or a stable id derived from the file when the rule has none. */
  id: string;
  title: string;
  description: string;
  severity: Severity;
  /** Sigma tags, e.g. `attack.t1114.003`. */
  tags: string[];
  references: string[];
  /** What to check and what to do (tenantwatch extension `runbook:`), or null. */
  runbook: string | null;
  /** The file the rule came from, as given to the loader. */
  file: string;
  /** 'record' = one record decides; 'correlation' = event_count/value_count/temporal; 'first-seen' = new terms. */
  kind: 'record' | 'correlation' | 'first-seen';
}

/** One finding of one rule: what alerts are raised from. */
export interface Hit {
  ruleId: string;
  tenant: string;
  /** The group-by values of a correlation or first-seen rule joined with '|'; '' for a record rule. */
  groupKey: string;
  severity: Severity;
  title: string;
  /** Ids of the records behind the hit (the store's (tenant, id)), in CreationTime order. */
  recordIds: string[];
  /** CreationTime of the first and last record behind the hit, epoch ms. */
  firstSeen: number;
  lastSeen: number;
  /** A few fields worth showing next to the alert (user, address, operation, object…), by name. */
  facts: Record<string, string>;
}

/** A problem with one rule file: it never stops the other rules. */
export interface RuleProblem {
  file: string;
  /** 1-based line in the file, when known. */
  line: number | null;
  /** The rule's id or title when it got that far. */
  rule: string | null;
  severity: 'error' | 'warning';
  message: string;
}

/** Evaluates rules on records as they arrive (live) or over stored history (retro): the same hits either way. */
export interface Evaluator {
  /**
   * Feeds records (any order; late records join the window their CreationTime belongs to) and returns the
   * hits they complete. A correlation fires once its condition holds for a group within its timespan.
   */
  push(records: readonly StoredRecord[], options?: PushOptions): Hit[];
  /** Hits that can only be decided when no more records will come for a window (end of a retro run). */
  flush(): Hit[];
  /**
   * What a record must be for any rule to look at it (the union of the rules' prefilters, lower case), so
   * the reader can leave the rest unread; undefined when some rule looks at every record.
   */
  wants?(): { operations: string[]; recordTypes: number[]; workloads: string[] } | undefined;
  /**
   * Records passed over unread (see wants) still move each tenant's time: their newest CreationTime per
   * tenant, given before the next push, so first-seen candidates and correlation windows are decided as
   * if every record had been pushed.
   */
  advance?(newest: Readonly<Record<string, number>>): void;
  /**
   * Each tenant's earliest stored CreationTime (store.records.oldest()): a first-seen value is called new
   * only where the records reach its whole look-back before it. Without it, the earliest record offered
   * stands in (a runner that reads only the look-back must give it: its first records are not the
   * tenant's first).
   */
  history?(oldest: ReadonlyMap<string, number>): void;
}

export interface PushOptions {
  /**
   * Decide the first-seen candidates that reached their horizon (default true). The live runner holds
   * decisions over a whole pass (up to a bound) and decides at its end: records imported out of time
   * order (an export newest first) must all be known before a value is called new.
   */
  decide?: boolean;
}
