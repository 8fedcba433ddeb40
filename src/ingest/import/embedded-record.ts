/**
 * Where, inside the text of a record known to be broken, the next record starts. A record that breaks off inside an
 * array of its own (its `]` and `}` lost: a line deleted by hand, a file cut short and another joined after it) or
 * inside a string (every quote after it then pairs the wrong way) never closes: the JSON splitter reads every record
 * after it as part of it, up to the end of the file or of the 16 Mi characters a record may hold. Searched only then
 * (the failure path), so good files pay nothing for it.
 *
 * A record here is an object whose own keys name a creation time (CreationTime, CreationDate, createdDateTime: every
 * audit record shape normalize.ts reads has one), starting at a `{` that is followed by a key and is not a value after
 * a `:` on the same line (the objects a record holds, such as a Graph record's auditData, are). Each candidate is read
 * on its own from its `{`, with its own string tracking, so a string left open before it does not matter. With
 * `before`, only a record starting before it is looked for (it may end after it); with `more` (text still to come), one
 * that has not closed by the end of the text is taken when its first key is a creation time or a Graph record's id.
 */
export function embeddedRecordStart(text: string, before = text.length, more = false): number {
  /** Characters scanned in all: candidates inside a long broken text cost at most a few passes over it. */
  let budget = 4 * text.length + (1 << 20);
  for (let q = text.indexOf('{', 1); q >= 0 && q < before && budget > 0; q = text.indexOf('{', q + 1)) {
    if (!startsObject(text, q)) continue;
    const end = objectEnd(text, q, budget);
    budget -= (end < 0 ? text.length : end) - q;
    if (end >= 0 && namesCreationTime(text.slice(q, end))) return q;
    // Text still to come (a chunk not read yet): a record that has not closed yet, whose own first key names the time.
    if (more && end < 0 && budget > 0 && OPENS_WITH_TIME.test(text.slice(q, q + 64))) return q;
  }
  return -1;
}

const OPENS_WITH_TIME = /^\{\s*"(?:CreationTime|CreationDate|createdDateTime|id)"\s*:/i;

function startsObject(text: string, q: number): boolean {
  let after = q + 1;
  while (isSpace(text.charCodeAt(after))) after++;
  if (text.charCodeAt(after) !== 34) return false;
  for (let before = q - 1; before >= 0; before--) {
    const c = text.charCodeAt(before);
    if (c === 10) return true;
    if (!isSpace(c)) return c !== 58;
  }
  return true;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** The end (past its `}`) of the object opening at q, or -1 when the text or the budget ends first. */
function objectEnd(text: string, q: number, budget: number): number {
  let depth = 0;
  const last = Math.min(text.length, q + budget);
  for (let i = q; i < last; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < last; i++) {
        const s = text.charCodeAt(i);
        if (s === 92) i++;
        else if (s === 34) break;
      }
    } else if (c === 123 || c === 91) depth++;
    else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
  }
  return -1;
}

function namesCreationTime(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.keys(value).some((key) => CREATION_KEYS.has(key.toLowerCase()));
}

const CREATION_KEYS = new Set(['creationtime', 'creationdate', 'createddatetime']);
