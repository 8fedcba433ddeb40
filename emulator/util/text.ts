/** A value as text: strings as they are, numbers and booleans printed, objects as JSON, nothing as "". */
export function str(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x === undefined || x === null) return '';
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  return JSON.stringify(x);
}
