/**
 * Sigma string matching compiled once: case-insensitive unless cased, `*` any run and `?` one
 * character, `\*` `\?` `\\` for the characters themselves (any other backslash is literal). Plain
 * values become includes/startsWith/endsWith/=== on lower-cased text; only wildcards make a RegExp.
 */
export type Shape = 'equals' | 'contains' | 'startswith' | 'endswith';

interface Pattern {
  literal: string | null;
  source: string;
}

function parsePattern(text: string): Pattern {
  let source = '';
  let literal = '';
  let wild = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\\' && (next === '*' || next === '?' || next === '\\')) {
      literal += next;
      source += escapeRe(next);
      i++;
    } else if (c === '*') {
      wild = true;
      source += '.*';
    } else if (c === '?') {
      wild = true;
      source += '.';
    } else {
      literal += c;
      source += escapeRe(c);
    }
  }
  return { literal: wild ? null : literal, source };
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function stringMatcher(text: string, shape: Shape, cased: boolean): (s: string) => boolean {
  const p = parsePattern(text);
  if (p.literal !== null) {
    const want = cased ? p.literal : p.literal.toLowerCase();
    const norm = cased ? (s: string) => s : (s: string) => s.toLowerCase();
    switch (shape) {
      case 'equals':
        // Lower case can change a text's length ('İ' becomes 'i' and a combining dot): the length test
        // that saves lower-casing long texts holds only when the wanted text is ASCII.
        if (cased || /^[\x00-\x7f]*$/.test(want)) return (s) => s.length === want.length && norm(s) === want;
        return (s) => norm(s) === want;
      case 'contains':
        if (cased) return (s) => s.includes(want);
        // A case-insensitive search, not a lower-cased copy of every text searched (raw records are long).
        return (
          (re) => (s: string) =>
            re.test(s)
        )(new RegExp(escapeRe(want).replace(/\\\//g, '/'), 'i'));
      case 'startswith':
        return (s) => norm(s).startsWith(want);
      case 'endswith':
        return (s) => norm(s).endsWith(want);
    }
  }
  const body =
    shape === 'contains'
      ? `.*${p.source}.*`
      : shape === 'startswith'
        ? `${p.source}.*`
        : shape === 'endswith'
          ? `.*${p.source}`
          : p.source;
  const re = new RegExp(`^(?:${body})$`, cased ? 's' : 'is');
  return (s) => re.test(s);
}

/** A YAML or JSON value as text: scalars printed, anything else as JSON. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return value === undefined ? '' : JSON.stringify(value);
}
