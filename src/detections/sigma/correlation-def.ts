/**
 * A Sigma v2 correlation block (`correlation: {type, rules, group-by, timespan, condition}`) checked
 * and compiled. Supported: event_count and value_count with gte/gt, temporal (all rules, or gte N of
 * them). Thresholds that can only be judged when a window closes (lt, lte, eq, ranges) and
 * temporal_ordered are refused by name, so a rule never silently means something else.
 */
import { parseDuration } from '../../core/time.js';
import type { CorrelationRule } from '../types.js';
import { compileGetter } from './fields.js';
import { RuleFault, type CompileContext } from './problem.js';
import { asText } from './strings.js';

type Compiled = Omit<CorrelationRule, 'info' | 'name' | 'line' | 'fields'>;

const TYPES = ['event_count', 'value_count', 'temporal'] as const;

export function compileCorrelation(block: unknown, ctx: CompileContext): Compiled {
  const at = (...p: string[]): number | null => ctx.lineOf(['correlation', ...p]);
  if (block === null || typeof block !== 'object' || Array.isArray(block))
    throw new RuleFault('correlation is a map: type, rules, group-by, timespan, condition', at());
  const c = block as Record<string, unknown>;
  const type = asText(c.type);
  if (type === 'temporal_ordered')
    throw new RuleFault('correlation type temporal_ordered is not supported (temporal is)', at('type'));
  if (!(TYPES as readonly string[]).includes(type))
    throw new RuleFault(`correlation type "${type}" is not one of ${TYPES.join(', ')}`, at('type'));
  if ('aliases' in c)
    throw new RuleFault('correlation aliases are not supported: use the same field name in each rule', at('aliases'));
  const refs = Array.isArray(c.rules) ? c.rules.map(String) : typeof c.rules === 'string' ? [c.rules] : [];
  if (!refs.length) throw new RuleFault('correlation names no rules', at('rules'));
  const spanText = asText(c.timespan);
  let timespan: number | null;
  try {
    timespan = parseDuration(spanText);
  } catch (e) {
    throw new RuleFault(`timespan "${spanText}": ${(e as Error).message}`, at('timespan'));
  }
  if (!timespan) throw new RuleFault(`timespan "${spanText}" is not a duration such as 10m, 1h or 1d`, at('timespan'));
  const groupBy = (Array.isArray(c['group-by']) ? c['group-by'] : c['group-by'] ? [c['group-by']] : []).map(String);
  const { min, field } = threshold(type, c.condition, refs.length, at('condition'));
  if (type === 'value_count' && !field)
    throw new RuleFault('a value_count condition names the field whose values are counted', at('condition'));
  return {
    kind: 'correlation',
    type: type as CorrelationRule['type'],
    refs,
    rules: [],
    groupBy: groupBy.map((name) => ({ name, get: compileGetter(name) })),
    timespan,
    min,
    valueField: field ? { name: field, get: compileGetter(field) } : null,
    generate: c.generate === true,
    applies: true,
    why: null,
  };
}

function threshold(
  type: string,
  condition: unknown,
  rules: number,
  line: number | null,
): { min: number; field: string | null } {
  if (condition === undefined && type === 'temporal') return { min: rules, field: null };
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition))
    throw new RuleFault('the correlation condition is a map such as {gte: 10}', line);
  const c = condition as Record<string, unknown>;
  const field = typeof c.field === 'string' ? c.field : null;
  const ops = Object.keys(c).filter((k) => k !== 'field');
  if (ops.length !== 1 || (ops[0] !== 'gte' && ops[0] !== 'gt'))
    throw new RuleFault(
      `correlation condition ${ops.join('/') || '(none)'} is not supported: use gte or gt (a lower bound can be judged as records arrive)`,
      line,
    );
  const n = Number(c[ops[0]]);
  if (!Number.isInteger(n) || n < 0)
    throw new RuleFault(`the correlation condition ${ops[0]} needs a whole number`, line);
  return { min: ops[0] === 'gt' ? n + 1 : n, field };
}
