/**
 * A Sigma `detection:` block compiled once to a closure over a RecordView, with what the condition
 * requires of a record's columns (operations, record types, workloads). That requirement is the
 * prefilter: the evaluator only offers a rule the records whose operation (or type) it can match, and
 * the retro runner asks the store for only those, so most records never reach a rule's JSON.
 */
import { resolveRecordType } from '../../core/catalog/index.js';
import type { RecordView } from '../record-view.js';
import { parseCondition, selectionsOf, type Cond } from './condition.js';
import { RuleFault, type CompileContext } from './problem.js';
import { stringMatcher } from './strings.js';
import { compileFieldTest, parseKey, type Test } from './values.js';

/** What a record must have for the rule to match it; null = anything. Values lower-cased. */
export interface Need {
  operations: Set<string> | null;
  recordTypes: Set<number> | null;
  workloads: Set<string> | null;
}

export const ANY: Need = { operations: null, recordTypes: null, workloads: null };

export interface CompiledDetection {
  test: Test;
  need: Need;
  /** Fields the selections read, with the line of each (for the unknown-field warning). */
  fields: { name: string; line: number | null }[];
}

interface Selection {
  test: Test;
  need: Need;
}

export function compileDetection(detection: unknown, ctx: CompileContext): CompiledDetection {
  if (!isMap(detection))
    throw new RuleFault('detection must be a map of selections and a condition', ctx.lineOf(['detection']));
  const fields: CompiledDetection['fields'] = [];
  const selections = new Map<string, Selection>();
  for (const [name, body] of Object.entries(detection)) {
    if (name === 'condition') continue;
    if (name === 'timeframe')
      throw new RuleFault(
        'timeframe (Sigma v1) is not supported: write a correlation rule with a timespan',
        ctx.lineOf(['detection', name]),
      );
    selections.set(name, compileSelection(body, ['detection', name], ctx, fields));
  }
  const condLine = ctx.lineOf(['detection', 'condition']);
  const raw = detection.condition;
  const texts =
    typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.every((c) => typeof c === 'string') ? raw : null;
  if (!texts)
    throw new RuleFault(
      'detection has no condition (a string naming its selections)',
      condLine ?? ctx.lineOf(['detection']),
    );
  const names = [...selections.keys()];
  const conds = texts.map((t) => parseCondition(t, names, condLine));
  const used = new Set(conds.flatMap(selectionsOf));
  for (const n of names)
    if (!used.has(n)) ctx.warn(`selection "${n}" is not used by the condition`, ctx.lineOf(['detection', n]));
  const tree: Cond = conds.length === 1 ? conds[0]! : { k: 'or', items: conds };
  return { test: build(tree, selections), need: needOf(tree, selections), fields };
}

function build(cond: Cond, sel: Map<string, Selection>): Test {
  switch (cond.k) {
    case 'sel':
      return sel.get(cond.name)!.test;
    case 'not': {
      const inner = build(cond.item, sel);
      return (v) => !inner(v);
    }
    case 'and': {
      const items = cond.items.map((c) => build(c, sel));
      return (v) => items.every((t) => t(v));
    }
    case 'or': {
      const items = cond.items.map((c) => build(c, sel));
      return (v) => items.some((t) => t(v));
    }
    case 'of': {
      const items = cond.names.map((n) => sel.get(n)!.test);
      if (cond.min === 'all') return (v) => items.every((t) => t(v));
      const min = cond.min;
      return (v) => {
        let n = 0;
        for (const t of items) if (t(v) && ++n >= min) return true;
        return false;
      };
    }
  }
}

function needOf(cond: Cond, sel: Map<string, Selection>): Need {
  switch (cond.k) {
    case 'sel':
      return sel.get(cond.name)!.need;
    case 'not':
      return ANY;
    case 'and':
      return cond.items.map((c) => needOf(c, sel)).reduce(both, ANY);
    case 'or':
      return cond.items.map((c) => needOf(c, sel)).reduce(either);
    case 'of': {
      const needs = cond.names.map((n) => sel.get(n)!.need);
      return cond.min === 'all' ? needs.reduce(both, ANY) : cond.min === 1 ? needs.reduce(either) : ANY;
    }
  }
}

export function both(a: Need, b: Need): Need {
  return {
    operations: meet(a.operations, b.operations),
    recordTypes: meet(a.recordTypes, b.recordTypes),
    workloads: meet(a.workloads, b.workloads),
  };
}

function either(a: Need, b: Need): Need {
  return {
    operations: join(a.operations, b.operations),
    recordTypes: join(a.recordTypes, b.recordTypes),
    workloads: join(a.workloads, b.workloads),
  };
}

function meet<T>(a: Set<T> | null, b: Set<T> | null): Set<T> | null {
  if (!a) return b;
  if (!b) return a;
  return new Set([...a].filter((x) => b.has(x)));
}

function join<T>(a: Set<T> | null, b: Set<T> | null): Set<T> | null {
  return a && b ? new Set([...a, ...b]) : null;
}

function compileSelection(
  body: unknown,
  path: (string | number)[],
  ctx: CompileContext,
  fields: CompiledDetection['fields'],
): Selection {
  const line = ctx.lineOf(path);
  if (isMap(body)) return compileMap(body, path, ctx, fields);
  if (Array.isArray(body) && body.length && body.every(isMap)) {
    const parts = body.map((m, i) => compileMap(m, [...path, i], ctx, fields));
    const tests = parts.map((p) => p.test);
    return { test: (v) => tests.some((t) => t(v)), need: parts.map((p) => p.need).reduce(either) };
  }
  const words = Array.isArray(body) ? body : [body];
  if (words.length && words.every((w) => typeof w === 'string' || typeof w === 'number')) {
    const matchers = words.map((w) => stringMatcher(String(w), 'contains', false));
    return { test: (v: RecordView) => matchers.some((m) => m(v.text)), need: ANY };
  }
  throw new RuleFault('a selection must be a map of fields, a list of maps, or a list of keywords', line);
}

function compileMap(
  body: Record<string, unknown>,
  path: (string | number)[],
  ctx: CompileContext,
  fields: CompiledDetection['fields'],
): Selection {
  const tests: Test[] = [];
  let need = ANY;
  for (const [key, value] of Object.entries(body)) {
    const line = ctx.lineOf([...path, key]);
    const spec = parseKey(key, line);
    if (spec.field) fields.push({ name: spec.field, line });
    tests.push(compileFieldTest(spec, value, line));
    need = both(need, fieldNeed(spec.field, spec.modifiers, value));
  }
  if (!tests.length) throw new RuleFault('a selection map is empty', ctx.lineOf(path));
  return { test: tests.length === 1 ? tests[0]! : (v) => tests.every((t) => t(v)), need };
}

/** What an exact match on Operation, RecordType or Workload requires; anything else requires nothing. */
function fieldNeed(field: string, modifiers: string[], value: unknown): Need {
  if (modifiers.some((m) => m !== 'cased')) return ANY;
  const values = Array.isArray(value) ? value : [value];
  const texts = values.map((v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null));
  if (texts.some((t) => t === null || /(?<!\\)[*?]/.test(t))) return ANY;
  const list = texts as string[];
  switch (field.toLowerCase()) {
    case 'operation':
      return { ...ANY, operations: new Set(list.map((t) => t.toLowerCase())) };
    case 'workload':
    case 'eventsource':
      return { ...ANY, workloads: new Set(list.map((t) => t.toLowerCase())) };
    case 'recordtype': {
      const types = list.map((t) => resolveRecordType(t));
      return types.every((t) => t !== null) ? { ...ANY, recordTypes: new Set(types) } : ANY;
    }
    default:
      return ANY;
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
