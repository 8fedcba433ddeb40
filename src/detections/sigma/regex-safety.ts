/**
 * Refuses `|re` patterns that can backtrack catastrophically, before a rule runs: JavaScript's regex
 * engine backtracks, so `^(a+)+$` over "aaaa…a!" takes exponential time and one downloaded rule would
 * stop detection for every tenant (the evaluator runs on the import, collect and serve paths).
 * Three shapes cause it (ADR 0038):
 * - a quantifier inside a quantifier (star height above 1) — fastify's safe-regex2 decides this, and
 *   also refuses more than 25 quantifiers in one pattern (its bound on long polynomial chains);
 * - alternatives under a quantifier that can match the same text (`(\w|\d)+`, `(a|aa)*`): judged
 *   here on the same parse (ret, safe-regex2's parser), position by position over character sets;
 * - backreferences (`\1`, `\k<name>`), which no linear-time engine supports;
 * - more than two unbounded repetitions in a row that can take the same characters (`^.*a.*a.*b`, or
 *   `a.*a.*b` where the search for a start is the first): polynomial, but of a degree that makes a few
 *   hundred characters run for minutes.
 * A pattern ret cannot parse (lookbehind) cannot be judged, so it is refused too, with the reason.
 */
import ret, { types, type Root, type SetToken, type Token } from 'ret';
import safeRegex from 'safe-regex2';

/**
 * ret's module.exports is the tokenizer itself (what safe-regex2 calls); its types describe an ES module
 * whose default is the tokenizer, so TypeScript sees the namespace where Node hands the function.
 */
const parse = ret as unknown as typeof ret.tokenizer;

/** safe-regex2's default: more quantifiers than this in one pattern count as unsafe. */
export const MAX_QUANTIFIERS = 25;

/** Why `source` may backtrack catastrophically, or null when it is safe to run. */
export function regexHazard(source: string, flags: string): string | null {
  let root: Root;
  try {
    root = parse(source);
  } catch (e) {
    return `cannot be checked for catastrophic backtracking (${(e as Error).message.replace(/^Invalid regular expression: /, '')}); write it without lookbehind`;
  }
  if (/\(\?<[A-Za-z_$]/.test(source) && /\\k</.test(source)) return 'uses a backreference (\\k<name>)';
  // Exact counts written out first: `x{3}` is `xxx`, it offers the engine no choice to backtrack over, so
  // `(?:[0-9a-f]{4}-){3}` is one level of nothing. What an exact count repeats is judged in each copy.
  // Overlapping alternatives are judged both ways: as written, an exact count repeats them (`(a|a){30}` has
  // 2^30 ways to fail); written out, an exact count inside one is a run to compare (`(a{2}|a)+`).
  const expanded = writtenOut(root);
  const judged = expanded === 'too large' ? root : (expanded ?? root);
  for (const tree of judged === root ? [root] : [root, judged]) {
    const found = walk(tree.stack ?? [], tree.options, false, flags.includes('i'));
    if (found) return found;
  }
  if (!safeRegex(judged === root ? source : ret.reconstruct(judged), { limit: MAX_QUANTIFIERS })) {
    const count = quantifiers(judged);
    return count > MAX_QUANTIFIERS
      ? `has ${count} quantifiers (more than ${MAX_QUANTIFIERS})`
      : `nests a quantifier inside another${expanded === 'too large' ? ` (exact counts are written out only up to ${MAX_WRITTEN_OUT} tokens)` : ''}`;
  }
  const degree = polynomialDegree(judged, flags.includes('m'), flags.includes('i'));
  if (degree > MAX_DEGREE) {
    const searched = !anchored(judged, flags.includes('m'));
    return (
      `has ${degree} repetitions in a row that can take the same characters${searched ? ' (the first is the search for where a match starts: the pattern does not begin with ^)' : ''}, ` +
      `so a value that fails to match can take time growing as its length to the power ${degree}; ` +
      `${searched ? 'begin it with ^ (^.*x finds x anywhere, as x does) or ' : ''}let neighbouring repetitions take different characters ([^/]* rather than .*)`
    );
  }
  return null;
}

/** The most tokens exact counts may be written out into; past it the pattern is judged as written. */
const MAX_WRITTEN_OUT = 4_000;

/** The parse with every exact count (`{n}`, `{n,n}`) written out as n copies; null when it has none. */
function writtenOut(root: Root): Root | null | 'too large' {
  let budget = MAX_WRITTEN_OUT;
  let changed = false;
  const tokens = (list: Token[]): Token[] => list.flatMap(token);
  const token = (t: Token): Token[] => {
    if (--budget < 0) throw new RangeError('too large');
    if (t.type === types.GROUP)
      return [
        {
          ...t,
          ...(t.stack ? { stack: tokens(t.stack) } : {}),
          ...(t.options ? { options: t.options.map(tokens) } : {}),
        },
      ];
    if (t.type !== types.REPETITION) return [t];
    const inner = token(t.value);
    if (t.min !== t.max)
      return [{ ...t, value: inner.length === 1 ? inner[0]! : { type: types.GROUP, remember: false, stack: inner } }];
    changed = true;
    const copies: Token[] = [];
    const size = inner.reduce((n, x) => n + sizeOf(x), 0);
    for (let i = 0; i < t.min; i++) {
      budget -= size;
      if (budget < 0) throw new RangeError('too large');
      copies.push(...inner);
    }
    return [{ type: types.GROUP, remember: false, stack: copies }];
  };
  try {
    const out: Root = {
      ...root,
      ...(root.stack ? { stack: tokens(root.stack) } : {}),
      ...(root.options ? { options: root.options.map(tokens) } : {}),
    };
    return changed ? out : null;
  } catch (e) {
    if (e instanceof RangeError) return 'too large';
    throw e;
  }
}

function walk(stack: Token[], options: Token[][] | undefined, repeated: boolean, fold: boolean): string | null {
  if (options) {
    if (repeated) {
      const overlap = overlapping(options, fold);
      if (overlap) return `repeats alternatives that can match the same text (${overlap})`;
    }
    for (const option of options) {
      const found = walk(option, undefined, repeated, fold);
      if (found) return found;
    }
  }
  for (const token of stack) {
    if (token.type === types.REFERENCE) return `uses a backreference (\\${token.value})`;
    if (token.type === types.GROUP) {
      const found = walk(token.stack ?? [], token.options, repeated, fold);
      if (found) return found;
    }
    if (token.type === types.REPETITION) {
      const found = walk([token.value], undefined, repeated || token.max > 1, fold);
      if (found) return found;
    }
  }
  return null;
}

/** Tokens in a parse, nested ones included. */
function sizeOf(token: Root | Token): number {
  if (token.type === types.REPETITION) return 1 + sizeOf(token.value);
  if (token.type !== types.ROOT && token.type !== types.GROUP) return 1;
  return [...(token.stack ?? []), ...(token.options ?? []).flat()].reduce((n, t) => n + sizeOf(t), 1);
}

function quantifiers(token: Root | Token): number {
  if (token.type === types.REPETITION) return 1 + quantifiers(token.value);
  if (token.type !== types.ROOT && token.type !== types.GROUP) return 0;
  const children = [...(token.stack ?? []), ...(token.options ?? []).flat()];
  return children.reduce((n, t) => n + quantifiers(t), 0);
}

/** A run of characters as sets of code-point ranges; null when an alternative is not such a run. */
type Run = [number, number][][];

/**
 * Two alternatives under a quantifier are ambiguous when some text is one of them and also a sequence
 * of the others (`\w` and `\d` share "1"; `aa` is `a` then `a`): the engine then tries every split.
 * Alternatives holding quantifiers are left to the star-height check, which refuses them anyway.
 */
function overlapping(options: Token[][], fold: boolean): string | null {
  const runs = options.map((o) => runOf(o, fold)).filter((r): r is Run => r !== null && r.length > 0);
  for (let i = 0; i < runs.length; i++) {
    const target = runs[i]!;
    const pieces = runs.filter((_, j) => j !== i);
    const reach = new Set<number>([0]);
    for (let at = 0; at < target.length; at++) {
      if (!reach.has(at)) continue;
      for (const piece of pieces)
        if (at + piece.length <= target.length && piece.every((set, k) => intersects(set, target[at + k]!)))
          reach.add(at + piece.length);
    }
    if (reach.has(target.length)) return `alternative ${i + 1} of ${options.length}`;
  }
  return null;
}

function runOf(tokens: Token[], fold: boolean): Run | null {
  const run: Run = [];
  for (const token of tokens) {
    if (token.type === types.POSITION) continue;
    if (token.type === types.CHAR || token.type === types.SET) run.push(rangesOf(token, fold));
    else if (token.type === types.GROUP && !token.followedBy && !token.notFollowedBy && !token.options) {
      const inner = runOf(token.stack ?? [], fold);
      if (!inner) return null;
      run.push(...inner);
    } else return null;
  }
  return run;
}

const LAST = 0x10ffff;

function rangesOf(token: SetToken, fold: boolean): [number, number][] {
  let ranges: [number, number][];
  if (token.type === types.CHAR) ranges = [[token.value, token.value]];
  else if (token.type === types.RANGE) ranges = [[token.from, token.to]];
  else {
    ranges = token.set.flatMap((t) => rangesOf(t, fold));
    if (token.not) return complement(ranges);
  }
  if (!fold) return ranges;
  const folded = ranges.flatMap(([from, to]): [number, number][] => {
    const lower: [number, number] = [Math.max(from, 65), Math.min(to, 90)];
    const upper: [number, number] = [Math.max(from, 97), Math.min(to, 122)];
    return [
      ...(lower[0] <= lower[1] ? [[lower[0] + 32, lower[1] + 32] as [number, number]] : []),
      ...(upper[0] <= upper[1] ? [[upper[0] - 32, upper[1] - 32] as [number, number]] : []),
    ];
  });
  return [...ranges, ...folded];
}

function complement(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let next = 0;
  for (const [from, to] of sorted) {
    if (from > next) out.push([next, from - 1]);
    next = Math.max(next, to + 1);
  }
  if (next <= LAST) out.push([next, LAST]);
  return out;
}

function intersects(a: [number, number][], b: [number, number][]): boolean {
  return a.some(([f1, t1]) => b.some(([f2, t2]) => f1 <= t2 && f2 <= t1));
}

/** Unbounded repetitions in a row that may take the same characters: 2 (quadratic) is the most accepted. */
export const MAX_DEGREE = 2;

type Ranges = [number, number][];
const EVERY: Ranges = [[0, LAST]];

function anchored(root: Root, multiline: boolean): boolean {
  const first = root.stack?.[0];
  return !multiline && first?.type === types.POSITION && first.value === '^';
}

/**
 * The degree of the polynomial a failing match can take (regexploit's "starriness"): the longest chain of
 * unbounded repetitions where each one's first characters can be taken by the one before, and so can every
 * required character between them — the engine then tries every way to share a run of those characters
 * out. A pattern that does not begin with ^ is tried at every position: that search is the chain's first.
 */
function polynomialDegree(root: Root, multiline: boolean, fold: boolean): number {
  const start = (tokens: Token[]): number => chain(tokens, anchored(root, multiline) ? null : EVERY, fold);
  return root.options ? Math.max(...root.options.map(start)) : start(root.stack ?? []);
}

function chain(tokens: Token[], searched: Ranges | null, fold: boolean): number {
  let best = searched ? 1 : 0;
  let length = best;
  let star = searched;
  for (const token of flat(tokens)) {
    if (isZeroWidth(token)) continue;
    if (token.type === types.GROUP && token.options) {
      best = Math.max(best, ...token.options.map((o) => chain(o, null, fold)));
      if (canBeEmpty(token)) continue;
    }
    if (token.type === types.REPETITION && token.max === Infinity) {
      length = star && intersects(star, firstOf([token.value], fold)) ? length + 1 : 1;
      star = setOf(token.value, fold);
      best = Math.max(best, length);
      continue;
    }
    if (token.type === types.REPETITION && token.min === 0) continue;
    // A required character the repetition before cannot take ends the chain.
    if (star && !intersects(star, setOf(token, fold))) star = null;
  }
  return best;
}

/** A sequence with plain groups (no alternatives, no lookaround, not repeated) opened up. */
function flat(tokens: Token[]): Token[] {
  return tokens.flatMap((t) => (t.type === types.GROUP && !t.options && !isZeroWidth(t) ? flat(t.stack ?? []) : [t]));
}

function isZeroWidth(token: Token): boolean {
  return (
    token.type === types.POSITION || (token.type === types.GROUP && Boolean(token.followedBy || token.notFollowedBy))
  );
}

function canBeEmpty(token: Token): boolean {
  if (isZeroWidth(token) || token.type === types.REFERENCE) return true;
  if (token.type === types.REPETITION) return token.min === 0 || canBeEmpty(token.value);
  if (token.type === types.GROUP)
    return token.options ? token.options.some((o) => o.every(canBeEmpty)) : (token.stack ?? []).every(canBeEmpty);
  return false;
}

/** Every character a token can take. */
function setOf(token: Token, fold: boolean): Ranges {
  if (token.type === types.CHAR || token.type === types.SET) return rangesOf(token, fold);
  if (token.type === types.REPETITION) return setOf(token.value, fold);
  if (token.type !== types.GROUP || isZeroWidth(token)) return [];
  return [...(token.stack ?? []), ...(token.options ?? []).flat()].flatMap((t) => setOf(t, fold));
}

/** The characters a sequence can begin with. */
function firstOf(tokens: Token[], fold: boolean): Ranges {
  const out: Ranges = [];
  for (const token of tokens) {
    if (isZeroWidth(token)) continue;
    if (token.type === types.REPETITION) out.push(...firstOf([token.value], fold));
    else if (token.type === types.GROUP)
      out.push(...(token.options ?? [token.stack ?? []]).flatMap((o) => firstOf(o, fold)));
    else out.push(...setOf(token, fold));
    if (!canBeEmpty(token)) break;
  }
  return out;
}
