import { AppError } from './errors.js';

/**
 * The largest row count a command's --limit takes: far beyond what a terminal shows, and a whole number every
 * store binds exactly (SQLite refused 99999999999999999999 with a bare "datatype mismatch").
 */
export const MAX_LIMIT = 1_000_000_000;

/**
 * A row count a person typed (`--limit 50`): a whole number from 1 to `max`. Too large says so and names the
 * maximum (LIMIT_TOO_LARGE); anything else is not a positive whole number (BAD_INPUT). `what` names the input
 * in the message (`--limit`), `hint` says how it is used.
 */
export function parseLimit(text: string, options: { what: string; hint: string; max?: number }): number {
  const { what, hint, max = MAX_LIMIT } = options;
  const value = text.trim();
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  if (!/^\d+$/.test(value) || /^0+$/.test(value)) {
    throw new AppError('BAD_INPUT', `${what} ${shown} is not a positive whole number`, {
      hint: `${hint} (from 1 to ${max})`,
      details: { input: text },
    });
  }
  const n = Number(value);
  if (n > max) {
    throw new AppError('LIMIT_TOO_LARGE', `${what} ${shown} is too large: the most is ${max}`, {
      hint: `${hint} (from 1 to ${max})`,
      details: { input: text, max },
    });
  }
  return n;
}
