/**
 * Where a JSON text first breaks JSON's grammar, and what stands there, in words a person can act on. Only called
 * once JSON.parse has refused a record (the failure path), so it costs nothing on good input.
 *
 * Written here rather than read from JSON.parse's message: V8 words it differently from one Node version to the next
 * ("Unexpected token } in JSON at position 812", "Expected ',' or '}' after property value in JSON at position 49",
 * later with "(line 1 column 50)"), names a position in UTF-16 units of the record rather than a line and column of
 * the file, and says what it expected, not what is wrong ("Bad control character in string literal" for a tab). A
 * walk of the grammar with a stack is all that is needed to find the same first fault and name it.
 */
export interface JsonProblem {
  /** Offset in the text (UTF-16 units) of the character at fault; the text's length when the text ends too soon. */
  offset: number;
  /** What is wrong there, in plain words. */
  problem: string;
  /** The text ends before its value does (cut short, or its closing brackets lost). */
  cutShort: boolean;
  /** When cut short: what would close it (`"`, `}`, `]`), innermost first, as words ("] and }"). */
  missing?: string;
}

type Expect = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'commaOrEnd' | 'nothing';

/** The first fault in `text` as JSON, or null when there is none (then JSON.parse refused it for another reason). */
export function jsonProblem(text: string): JsonProblem | null {
  /** Open containers, outermost first: '{' or '['. */
  const open: string[] = [];
  let expect: Expect = 'value';
  /** Where the last string value ended (past its quote). */
  let stringEnded = -1;
  /** Where the last , stood (a trailing one is named at its place, since that is what to delete). */
  let comma = -1;
  let i = skipSpace(text, 0);
  while (i < text.length || expect !== 'nothing') {
    if (i >= text.length) return cutShort(text, open, expect);
    const c = text.charCodeAt(i);
    switch (expect) {
      case 'nothing':
        return at(i, afterEnd(text, i));
      case 'colon':
        if (c !== 58) return at(i, `a : is missing after the key (${found(text, i)} stands there)`);
        expect = 'value';
        i = skipSpace(text, i + 1);
        continue;
      case 'key':
      case 'keyOrEnd':
        if (c === 125 && expect === 'keyOrEnd') {
          open.pop();
          expect = open.length ? 'commaOrEnd' : 'nothing';
          i = skipSpace(text, i + 1);
          continue;
        }
        if (c === 125) return at(comma, 'a , before the } (JSON allows no comma after the last member)');
        if (c !== 34) return at(i, notAKey(text, i, expect));
        {
          const end = stringEnd(text, i);
          if (typeof end !== 'number') return withMissing(end, open, '"');
          expect = 'colon';
          i = skipSpace(text, end);
        }
        continue;
      case 'commaOrEnd': {
        const inObject = open[open.length - 1] === '{';
        if (c === 44) {
          comma = i;
          expect = inObject ? 'key' : 'value';
          i = skipSpace(text, i + 1);
          continue;
        }
        if (c === (inObject ? 125 : 93)) {
          open.pop();
          expect = open.length ? 'commaOrEnd' : 'nothing';
          i = skipSpace(text, i + 1);
          continue;
        }
        // `"FileAccessed,"OrganizationId":…`: a string whose closing quote is missing ran on to the next key's quote.
        if (stringEnded === i && text.charCodeAt(i - 2) === 44 && /[\w@$]/.test(text[i]!))
          return at(i - 2, 'a string\'s closing " seems to be missing here (the string ran on into the next key)');
        return at(i, notACommaOrEnd(text, i, inObject));
      }
      case 'value':
      case 'valueOrEnd': {
        if (c === 93 && expect === 'valueOrEnd') {
          open.pop();
          expect = open.length ? 'commaOrEnd' : 'nothing';
          i = skipSpace(text, i + 1);
          continue;
        }
        if (c === 123 || c === 91) {
          open.push(c === 123 ? '{' : '[');
          expect = c === 123 ? 'keyOrEnd' : 'valueOrEnd';
          i = skipSpace(text, i + 1);
          continue;
        }
        if (c === 93 && open[open.length - 1] === '[')
          return at(comma, 'a , before the ] (JSON allows no comma after the last element)');
        const end = c === 34 ? stringEnd(text, i) : scalarEnd(text, i, open);
        if (typeof end !== 'number') return withMissing(end, open, '"');
        stringEnded = c === 34 ? end : -1;
        expect = open.length ? 'commaOrEnd' : 'nothing';
        i = skipSpace(text, end);
        continue;
      }
    }
  }
  return null;
}

function at(offset: number, problem: string): JsonProblem {
  return { offset, problem, cutShort: false };
}

function skipSpace(text: string, i: number): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
  }
  return i;
}

/** The closing brackets of `open`, innermost first, with `first` before them when given. */
function closers(open: string[], first?: string): string {
  const all: string[] = open.map((o) => (o === '{' ? '}' : ']')).reverse();
  if (first) all.unshift(first);
  return all.join(' and ');
}

function withMissing(problem: JsonProblem, open: string[], first: string): JsonProblem {
  return problem.cutShort ? { ...problem, missing: closers(open, first) } : problem;
}

/** The text ended where more was due. */
function cutShort(text: string, open: string[], expect: Expect): JsonProblem {
  const missing = closers(open);
  const due = expect === 'colon' ? 'a : and a value' : expect === 'value' && open.length ? 'a value' : null;
  const problem =
    open.length === 0
      ? 'the text is empty'
      : `the text ends before the record does: ${due ? `${due}, then ` : ''}${missing} never ${open.length === 1 && !due ? 'comes' : 'come'}`;
  return { offset: text.length, problem, cutShort: true, missing };
}

/** The end of the string opening at i (past its closing quote), or what is wrong inside it. */
function stringEnd(text: string, i: number): number | JsonProblem {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c === 92) {
      const e = text[j + 1];
      if (e === undefined) break;
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6)))
          return at(j, 'a \\u escape inside a string without four hexadecimal digits after it');
        j += 5;
      } else if ('"\\/bfnrt'.includes(e)) j++;
      else
        return at(
          j,
          `\\${e} inside a string is not a JSON escape (a backslash itself is written \\\\, as in C:\\\\Users)`,
        );
      continue;
    }
    if (c === 10 || c === 13)
      return at(j, 'a line break inside a string (JSON writes one as \\n; or the string\'s closing " is missing)');
    if (c < 32)
      return at(
        j,
        c === 9
          ? 'a tab character inside a string (JSON writes one as \\t)'
          : `a control character (${codePoint(c)}) inside a string (JSON writes one as \\u${hex(c)})`,
      );
  }
  return { offset: text.length, problem: 'the text ends inside a string: its closing " never comes', cutShort: true };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$.-]*/y;
const NOT_JSON_WORDS: Record<string, string> = {
  NaN: 'NaN is not a JSON value (a number that is not one is written null)',
  Infinity: 'Infinity is not a JSON value (JSON numbers are finite)',
  undefined: 'undefined is not a JSON value (a missing value is written null)',
  True: 'True is not a JSON value (JSON writes true, in lower case)',
  False: 'False is not a JSON value (JSON writes false, in lower case)',
  None: 'None is not a JSON value (JSON writes null)',
  NULL: 'NULL is not a JSON value (JSON writes null, in lower case)',
};

/** The end of the number or literal at i, or what is wrong with it. */
function scalarEnd(text: string, i: number, open: string[]): number | JsonProblem {
  for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, i)) return i + literal.length;
  const c = text.charCodeAt(i);
  if (c === 45 || (c >= 48 && c <= 57)) {
    NUMBER.lastIndex = i;
    const end = NUMBER.test(text) ? NUMBER.lastIndex : i;
    const next = text.charCodeAt(end);
    if (end > i && !(next >= 48 && next <= 57) && next !== 46 && next !== 101 && next !== 69) return end;
    return at(i, `${JSON.stringify(text.slice(i, i + 12).split(/[,}\]\s]/, 1)[0])} is not a number JSON allows`);
  }
  WORD.lastIndex = i;
  if (WORD.test(text)) {
    const word = text.slice(i, WORD.lastIndex);
    return at(
      i,
      NOT_JSON_WORDS[word] ?? `a bare word ${JSON.stringify(word.slice(0, 24))} (a string needs double quotes)`,
    );
  }
  if (c === 39) return at(i, 'a string in single quotes (JSON needs double quotes)');
  if (c === 44)
    return at(i, open.length ? 'a , where a value was due (a value is missing)' : 'a , where the record was due');
  if (c === 125 && open[open.length - 1] === '{') return at(i, 'a key without its value');
  if (c === 43 || c === 46) return at(i, `${found(text, i)}: a JSON number starts with a digit or -`);
  return at(i, `${found(text, i)} where a value was due`);
}

function notAKey(text: string, i: number, expect: Expect): string {
  const c = text.charCodeAt(i);
  if (c === 39) return 'a key in single quotes (JSON needs double quotes)';
  if (c === 44) return expect === 'key' ? 'two commas in a row' : 'a , where the first key was due';
  WORD.lastIndex = i;
  if (WORD.test(text) && text.charCodeAt(skipSpace(text, WORD.lastIndex)) === 58)
    return `a key without double quotes (${JSON.stringify(text.slice(i, WORD.lastIndex).slice(0, 24))})`;
  return `${found(text, i)} where a key in double quotes was due`;
}

function notACommaOrEnd(text: string, i: number, inObject: boolean): string {
  const c = text.charCodeAt(i);
  const between = inObject ? 'two members' : 'two elements';
  if (c === 34 || c === 123 || c === 91 || c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110)
    return inObject && c === 123
      ? 'a { after a value, where a , or the } was due (a , is missing, or this object lost its })'
      : `a , is missing between ${between}`;
  if (inObject && c === 93) return "a ] where a , or the object's } was due (a { or a } is missing before it)";
  if (!inObject && c === 125) return "a } where a , or the array's ] was due (a ] is missing before it)";
  return `${found(text, i)} after a value, where a , or ${inObject ? 'the }' : 'the ]'} was due`;
}

/** What follows a whole value (an NDJSON line holds one record and nothing else). */
function afterEnd(text: string, i: number): string {
  const c = text.charCodeAt(i);
  if (c === 44)
    return 'a , after the record (written as an element of a JSON array: remove the comma, or import the array itself)';
  if (c === 123) return 'a second record after the first on the same line (a line break between them is missing)';
  return `${found(text, i)} after the record's end`;
}

/** Names the character at i so that an invisible or look-alike one is recognised. */
function found(text: string, i: number): string {
  const cp = text.codePointAt(i)!;
  const name = NAMED[cp];
  if (name) return `${name} (${codePoint(cp)})`;
  if (cp < 32 || (cp >= 0x7f && cp < 0xa0)) return `a control character (${codePoint(cp)})`;
  if (/\p{White_Space}|\p{Cf}/u.test(String.fromCodePoint(cp)))
    return `an invisible character (${codePoint(cp)}) where JSON allows only spaces, tabs and line breaks`;
  return `a stray ${JSON.stringify(String.fromCodePoint(cp))}`;
}

const NAMED: Record<number, string> = {
  0xfeff: 'a byte order mark, invisible in most editors (files joined or text pasted with one)',
  0xa0: 'a no-break space',
  0x200b: 'a zero-width space',
  0x2028: 'a line separator',
  0x2029: 'a paragraph separator',
  0x201c: 'a curly quote', // “ and ”: a word processor's quotes in place of JSON's "
  0x201d: 'a curly quote',
  0x2018: 'a curly quote',
  0x2019: 'a curly quote',
};

function codePoint(cp: number): string {
  return `U+${hex(cp)}`;
}

export function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}
