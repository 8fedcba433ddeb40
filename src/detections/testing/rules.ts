/**
 * Test helpers for detections: rules from inline YAML, records as stored, and running an evaluator
 * over records in one call.
 */
import type { AuditRecord, StoredRecord } from '../../core/record.js';
import type { Hit, RuleProblem } from '../contract.js';
import type { DomainBook } from '../domains.js';
import { createEvaluator } from '../evaluator.js';
import { compileTexts } from '../loader.js';
import type { RuleSet } from '../types.js';

export function stored(record: AuditRecord, ingestedAt = record.creationTime): StoredRecord {
  return { ...record, ingestedAt };
}

/** Compiles YAML texts (each its own file: rule-1.yml, rule-2.yml…) into a RuleSet. */
export function rulesFrom(...texts: string[]): RuleSet {
  return compileTexts(texts.map((text, i) => ({ file: `rule-${i + 1}.yml`, text })));
}

/** A one-selection m365 audit rule around a detection body (YAML lines, indented by 2). */
export function auditRule(detection: string, extra = ''): string {
  return `title: Test rule\nid: 00000000-0000-4000-8000-000000000001\nlevel: high\nlogsource:\n  product: m365\n  service: audit\ndetection:\n${detection}\n${extra}`;
}

/** Every hit of a rule set over records pushed in one batch, then flushed (a retro run's order). */
export function hitsOf(set: RuleSet, records: readonly AuditRecord[], domains?: DomainBook): Hit[] {
  const evaluator = createEvaluator(set, { lateness: Infinity, ...(domains ? { domains } : {}) });
  return [...evaluator.push(records.map((r) => stored(r))), ...evaluator.flush()];
}

export function errorsOf(problems: readonly RuleProblem[]): RuleProblem[] {
  return problems.filter((p) => p.severity === 'error');
}

/** A "billion laughs" document: each level nine aliases of the one before (9^6 strings when expanded). */
export const BOMB = [
  'title: Bomb',
  'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...['b', 'c', 'd', 'e', 'f'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`),
  '',
].join('\n');
