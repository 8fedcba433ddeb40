/** Keys whose values never enter the trail, whatever route sends them. */
const SECRET_KEY = /pass|secret|token|key|credential|cookie|authorization/i;

/**
 * Text as the trail keeps it: a NUL character (a refused request may hold one) becomes U+FFFD, since
 * PostgreSQL refuses NUL in text and jsonb, and the entry of that refusal was lost.
 */
export function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

/** A request's parameters as the trail keeps them: secrets dropped, long values cut, no NUL. */
export function sanitize(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return storable(value.length > 500 ? `${value.slice(0, 500)}…` : value);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => sanitize(v, depth + 1));
  if (value && typeof value === 'object' && depth < 4) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !SECRET_KEY.test(k))
        .map(([k, v]) => [storable(k), sanitize(v, depth + 1)]),
    );
  }
  return value;
}
