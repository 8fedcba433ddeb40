/** Keys whose values never enter the trail, whatever route sends them. */
const SECRET_KEY = /pass|secret|token|key|credential|cookie|authorization/i;

/**
 * Text as the trail keeps it: a NUL character (a refused request may hold one) becomes U+FFFD, since
 * PostgreSQL refuses NUL in text and jsonb, and the entry of that refusal was lost.
 */
export function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

/** The longest text the trail keeps whole: a longer one is kept as its first TEXT_KEPT characters and `…`. */
const TEXT_KEPT = 500;
/** The most values of a list the trail keeps: a longer list is kept as its first LIST_KEPT. */
const LIST_KEPT = 50;

/** A request's parameters as the trail keeps them: secrets dropped, long values cut, no NUL. */
export function sanitize(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return storable(value.length > TEXT_KEPT ? `${value.slice(0, TEXT_KEPT)}…` : value);
  if (Array.isArray(value)) return value.slice(0, LIST_KEPT).map((v) => sanitize(v, depth + 1));
  if (value && typeof value === 'object' && depth < 4) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !SECRET_KEY.test(k))
        .map(([k, v]) => [storable(k), sanitize(v, depth + 1)]),
    );
  }
  return value;
}

/**
 * True when the trail keeps this value as it is and keeps no other value the same way, so an entry holding it was
 * asked exactly this: no text over TEXT_KEPT characters (kept cut, as is every text that begins alike; the cut text
 * itself, `…` and all, is one of them), no list of LIST_KEPT values or more (a longer list is kept as one of exactly
 * LIST_KEPT), no key the trail drops, no U+FFFD (a NUL is kept as one).
 */
export function keptExactly(value: unknown): boolean {
  if (typeof value === 'string') return value.length <= TEXT_KEPT && !value.includes('\uFFFD');
  if (Array.isArray(value)) return value.length < LIST_KEPT && value.every(keptExactly);
  if (value && typeof value === 'object') {
    return Object.entries(value).every(([k, v]) => !SECRET_KEY.test(k) && keptExactly(k) && keptExactly(v));
  }
  return true;
}
