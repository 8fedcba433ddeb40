/**
 * The shipped pack, loaded once for the rule tests beside it (rules/<area>/<area>.test.ts): the hits
 * of one rule over records, and whether a helper rule (one only correlations use) matches a record.
 */
import type { AuditRecord } from '../../core/record.js';
import type { Hit } from '../contract.js';
import { DomainBook } from '../domains.js';
import { loadRuleSet } from '../loader.js';
import { RecordView } from '../record-view.js';
import type { Rule } from '../types.js';
import { hitsOf, stored } from './rules.js';

export const PACK = loadRuleSet();

export function packRule(name: string): Rule {
  const rule = PACK.rules.find((r) => r.name === name);
  if (!rule) throw new Error(`the pack has no rule named ${name}`);
  return rule;
}

/** The hits of the pack rule `name` when the whole pack runs over the records. */
export function packHits(name: string, records: readonly AuditRecord[]): Hit[] {
  const id = packRule(name).info.id;
  const domains = new DomainBook().add(
    '0e8108b1-18e9-41a4-961b-dfcddf92ef08',
    'contoso.onmicrosoft.com',
    'contoso.com',
  );
  return hitsOf(PACK, records, domains).filter((h) => h.ruleId === id);
}

/** Whether a record rule (a helper of correlations, which raises nothing itself) matches the record. */
export function packMatches(name: string, record: AuditRecord): boolean {
  const rule = packRule(name);
  if (rule.kind === 'correlation') throw new Error(`${name} is a correlation`);
  const view = new RecordView(stored(record));
  const need = rule.need;
  if (need.operations && !need.operations.has(view.operationLower)) return false;
  if (need.recordTypes && !need.recordTypes.has(record.recordType)) return false;
  return rule.test(view);
}
