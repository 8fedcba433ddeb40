/**
 * Sigma's condition language: selection names joined by `and`, `or`, `not` and parentheses, with
 * `1 of sel_*`, `all of sel_*`, `1 of them`, `all of them` (N of X: at least N). Precedence: not,
 * then and, then or. The v1 aggregation pipe (`| count() by …`) is refused with the way to say it in
 * Sigma v2: a correlation rule.
 */
import { RuleFault } from './problem.js';

export type Cond =
  | { k: 'sel'; name: string }
  | { k: 'and'; items: Cond[] }
  | { k: 'or'; items: Cond[] }
  | { k: 'not'; item: Cond }
  | { k: 'of'; min: number | 'all'; names: string[] };

export function parseCondition(text: string, selections: readonly string[], line: number | null): Cond {
  if (text.includes('|'))
    throw new RuleFault(
      'the aggregation pipe in a condition ("| count() …", Sigma v1) is not supported: write a correlation rule (Sigma v2)',
      line,
    );
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  if (!tokens.length) throw new RuleFault('the condition is empty', line);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos]?.toLowerCase();
  const fail = (what: string): never => {
    throw new RuleFault(`condition "${text}": ${what}`, line);
  };

  const orExpr = (): Cond => {
    const items = [andExpr()];
    while (peek() === 'or') {
      pos++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0]! : { k: 'or', items };
  };
  const andExpr = (): Cond => {
    const items = [notExpr()];
    while (peek() === 'and') {
      pos++;
      items.push(notExpr());
    }
    return items.length === 1 ? items[0]! : { k: 'and', items };
  };
  const notExpr = (): Cond => {
    if (peek() === 'not') {
      pos++;
      return { k: 'not', item: notExpr() };
    }
    return atom();
  };
  const atom = (): Cond => {
    const token = tokens[pos];
    if (token === undefined) return fail('ends too early');
    pos++;
    if (token === '(') {
      const inner = orExpr();
      if (tokens[pos++] !== ')') fail('a parenthesis is not closed');
      return inner;
    }
    if (token === ')') return fail('a closing parenthesis has no opening one');
    const lower = token.toLowerCase();
    if (['and', 'or', 'of'].includes(lower)) return fail(`"${token}" is out of place`);
    if (/^(\d+|all|any)$/.test(lower) && peek() === 'of') {
      pos++;
      const target = tokens[pos++];
      if (target === undefined) return fail(`"${token} of" names no selections`);
      const names = expand(target, selections, text, line);
      const min = lower === 'all' ? 'all' : lower === 'any' ? 1 : Number(lower);
      return { k: 'of', min, names };
    }
    if (!selections.includes(token))
      fail(`"${token}" is not a selection of this rule (${selections.join(', ') || 'none'})`);
    return { k: 'sel', name: token };
  };

  const tree = orExpr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]}"`);
  return tree;
}

function expand(target: string, selections: readonly string[], text: string, line: number | null): string[] {
  if (target.toLowerCase() === 'them') return selections.filter((s) => !s.startsWith('_'));
  const re = new RegExp(
    `^${target
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const names = selections.filter((s) => re.test(s));
  if (!names.length) throw new RuleFault(`condition "${text}": "${target}" matches no selection of this rule`, line);
  return names;
}

/** Every selection the condition can reach. */
export function selectionsOf(cond: Cond): string[] {
  switch (cond.k) {
    case 'sel':
      return [cond.name];
    case 'of':
      return cond.names;
    case 'not':
      return selectionsOf(cond.item);
    default:
      return cond.items.flatMap(selectionsOf);
  }
}
