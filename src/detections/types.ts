/**
 * The compiled forms of rules the loader hands to the evaluator. A RuleSet is what a caller loads
 * (loadRuleSet) and builds an Evaluator from (createEvaluator); its problems never stop the rules
 * that compiled.
 */
import type { RuleInfo, RuleProblem } from './contract.js';
import type { Need } from './sigma/detection.js';
import type { Getter } from './sigma/fields.js';
import type { Test } from './sigma/values.js';

export interface NamedGetter {
  name: string;
  get: Getter;
}

interface RuleBase {
  info: RuleInfo;
  /** Sigma `name` (v2), what correlations refer to besides the id. */
  name: string | null;
  /** 1-based line of the rule's document in its file. */
  line: number | null;
  /** False when its logsource is not audit records: listed, never evaluated. */
  applies: boolean;
  /** Why it does not apply (applies false). */
  why: string | null;
  /** Sigma `fields:`, shown next to its hits. */
  fields: string[];
}

export interface RecordRule extends RuleBase {
  kind: 'record' | 'first-seen';
  test: Test;
  /** What a record needs for the rule to match (prefilter); the logsource's record types included. */
  need: Need;
  /** Whether a match is a hit of its own: false when only correlations use the rule (Sigma `generate`). */
  generate: boolean;
  firstSeen: FirstSeenSpec | null;
}

/** tenantwatch extension `first-seen:`: a hit when a value appears for a group for the first time in `days`. */
export interface FirstSeenSpec {
  fields: NamedGetter[];
  groupBy: NamedGetter[];
  window: number;
}

export interface CorrelationRule extends RuleBase {
  kind: 'correlation';
  type: 'event_count' | 'value_count' | 'temporal';
  /** Names or ids of the rules it correlates, as written. */
  refs: string[];
  /** The rules it correlates, resolved by the loader. */
  rules: RecordRule[];
  groupBy: NamedGetter[];
  timespan: number;
  /** Fires when the count (events, distinct values, or rules seen for temporal) is >= min. */
  min: number;
  valueField: NamedGetter | null;
  generate: boolean;
}

export type Rule = RecordRule | CorrelationRule;

export interface RuleSet {
  rules: Rule[];
  problems: RuleProblem[];
}
