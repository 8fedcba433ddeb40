/**
 * Building Hits: the record ids behind a finding in CreationTime order, and a few facts worth showing
 * next to the alert (who, from where, what, on what), plus the rule's own Sigma `fields:`.
 */
import type { RuleInfo, Hit } from './contract.js';
import type { RecordView } from './record-view.js';
import { compileGetter, type Getter } from './sigma/fields.js';
import { asText } from './sigma/strings.js';

export interface Member {
  id: string;
  t: number;
}

const getters = new Map<string, Getter>();

/** A field's value as one line of text ('' when absent). */
export function textOf(view: RecordView, name: string, get?: Getter): string {
  let g = get ?? getters.get(name);
  if (!g) getters.set(name, (g = compileGetter(name)));
  return flat(g(view));
}

export function flat(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value))
    return value
      .map(flat)
      .filter((s) => s !== '')
      .join(', ');
  return asText(value);
}

/**
 * A group-by value as it goes into a group key: its text, a NUL written as the six characters `\u0000`, as the
 * store writes it in record columns. PostgreSQL text cannot hold U+0000, so an alert grouped by a raw field holding
 * one failed the whole batch of hits, and the live runner, whose cursor waits for them, failed on it at every pass.
 */
export function groupValue(value: unknown): string {
  const text = flat(value);
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000') : text;
}

/**
 * The group key of a hit: its group-by values, one value as it is, several joined by `|`. Within several, a value's
 * `\` and `|` are escaped (`\\`, `\|`), so that `a|b` + `c` and `a` + `b|c` are two groups, not one alert; values
 * without either character, and every one-value group (all the shipped rules'), keep the key, and so the alert id,
 * they had before the escape.
 */
export function groupKeyOf(values: readonly string[]): string {
  if (values.length === 1) return values[0]!;
  return values.map((v) => (/[\\|]/.test(v) ? v.replace(/[\\|]/g, '\\$&') : v)).join('|');
}

export function recordFacts(view: RecordView, fields: readonly string[]): Record<string, string> {
  const r = view.record;
  const facts: Record<string, string> = { operation: r.operation };
  if (r.userId) facts.user = r.userId;
  if (r.clientIp) facts.address = r.clientIp;
  if (r.objectId) facts.object = r.objectId;
  if (r.workload) facts.workload = r.workload;
  for (const f of fields) {
    const value = textOf(view, f);
    if (value) facts[f] = value.length > 300 ? `${value.slice(0, 297)}...` : value;
  }
  return facts;
}

export function byTime(a: Member, b: Member): number {
  return a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function makeHit(
  info: RuleInfo,
  tenant: string,
  groupKey: string,
  members: Member[],
  facts: Record<string, string>,
): Hit {
  const sorted = members.length === 1 ? members : [...members].sort(byTime);
  return {
    ruleId: info.id,
    tenant,
    groupKey,
    severity: info.severity,
    title: info.title,
    recordIds: sorted.map((m) => m.id),
    firstSeen: sorted[0]!.t,
    lastSeen: sorted[sorted.length - 1]!.t,
    facts,
  };
}

/** Appends without spreading (a retro run can end with hundreds of thousands of hits: spread overflows the stack). */
export function append<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** Hits in a stable order: time, then rule, tenant and group. */
export function hitOrder(a: Hit, b: Hit): number {
  return (
    a.firstSeen - b.firstSeen ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.tenant, b.tenant) ||
    cmp(a.groupKey, b.groupKey) ||
    cmp(a.recordIds[0] ?? '', b.recordIds[0] ?? '')
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
