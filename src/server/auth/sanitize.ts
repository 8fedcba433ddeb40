import { MAX_VALUES_PER_FILTER } from '../../search/filters.js';

/** Keys whose values never enter the trail, whatever route sends them. */
const SECRET_KEY = /pass|secret|token|key|credential|cookie|authorization/i;
/**
 * An API token's shape (secrets.ts): cut from any text the trail keeps, under whatever name it came. Tokens are
 * never taken from a query or body, but people paste them there (`?auth=tw_…`); the refusal, with its query, was
 * recorded with the token whole, for every admin who reads the trail to use.
 */
const API_TOKEN = /tw_[0-9a-f]{16}_[\w-]+/i;
const API_TOKENS = new RegExp(API_TOKEN.source, 'gi');

/**
 * Text as the trail keeps it: a NUL character (a refused request may hold one) becomes U+FFFD, since
 * PostgreSQL refuses NUL in text and jsonb, and the entry of that refusal was lost.
 */
export function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

/** The longest text the trail keeps whole: a longer one is kept as its first TEXT_KEPT characters and `…`. */
const TEXT_KEPT = 500;
/**
 * The most values of a list the trail keeps, a longer list kept as its first LIST_KEPT: the most a search or report
 * filter takes, so every value a search was asked about is in its entry. It was 50, and a search for one person
 * listed after 50 others was recorded without that person. (A query string is at most Node's 16 KB of header.)
 */
const LIST_KEPT = MAX_VALUES_PER_FILTER;

/**
 * The most keys of one object the trail keeps, the rest said by MORE_KEYS: the API's bodies and queries have a few
 * dozen fields at most. Every key was kept, so a body of one object with some hundred thousand made-up keys (up to the
 * 1 MB body limit) became an entry that large, for any route that takes a body.
 */
const KEYS_KEPT = 200;
/** The key under which an object cut to KEYS_KEPT says how many keys were left out ("1,234 more keys not kept"). */
const MORE_KEYS = '…';

/** How deep the trail keeps a request's objects and lists: the API's bodies are flat objects with a few lists. */
const DEPTH_KEPT = 4;
/** What the trail keeps of an object or list nested deeper than DEPTH_KEPT. */
const DEEPER = '…';

/**
 * A request's parameters as the trail keeps them: secrets dropped, long values cut, no NUL, nothing nested deeper
 * than DEPTH_KEPT. Deeper objects were kept as sent, with keys that look like secrets, and lists were followed at
 * any depth: an extra field nested some thousands deep in a triage's body (which reads only its own fields)
 * overflowed the stack here or in the store's JSON writer, and the action was done with no entry.
 */
export function sanitize(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    const kept = storable(value.length > TEXT_KEPT ? `${value.slice(0, TEXT_KEPT)}…` : value);
    return API_TOKEN.test(kept) ? kept.replace(API_TOKENS, 'tw_…') : kept;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= DEPTH_KEPT) return DEEPER;
  if (Array.isArray(value)) return value.slice(0, LIST_KEPT).map((v) => sanitize(v, depth + 1));
  const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => !SECRET_KEY.test(k));
  // A key is text as any other: one key of the whole body's length was kept whole.
  const kept = entries.slice(0, KEYS_KEPT).map(([k, v]) => [sanitize(k), sanitize(v, depth + 1)]);
  const left = entries.length - KEYS_KEPT;
  if (left > 0) kept.push([MORE_KEYS, `${left.toLocaleString('en-US')} more ${left === 1 ? 'key' : 'keys'} not kept`]);
  return Object.fromEntries(kept);
}

/**
 * True when the trail keeps this value as it is and keeps no other value the same way, so an entry holding it was
 * asked exactly this: no text over TEXT_KEPT characters (kept cut, as is every text that begins alike; the cut text
 * itself, `…` and all, is one of them), no API token (kept cut), no list of LIST_KEPT values or more (a longer list
 * is kept as one of exactly LIST_KEPT), no object of more than KEYS_KEPT keys or with the key MORE_KEYS (a longer one
 * is kept as KEYS_KEPT and that key), no key the trail drops, no U+FFFD (a NUL is kept as one), nothing nested deeper
 * than DEPTH_KEPT.
 */
export function keptExactly(value: unknown, depth = 0): boolean {
  if (typeof value === 'string')
    return value.length <= TEXT_KEPT && !value.includes('\uFFFD') && !API_TOKEN.test(value);
  if (value === null || typeof value !== 'object') return true;
  if (depth >= DEPTH_KEPT) return false;
  if (Array.isArray(value)) return value.length < LIST_KEPT && value.every((v) => keptExactly(v, depth + 1));
  const entries = Object.entries(value);
  if (entries.length > KEYS_KEPT || Object.hasOwn(value, MORE_KEYS)) return false;
  return entries.every(([k, v]) => !SECRET_KEY.test(k) && keptExactly(k) && keptExactly(v, depth + 1));
}
