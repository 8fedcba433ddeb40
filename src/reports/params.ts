import { z } from 'zod';

/**
 * Parameters every report takes, declared once. Values arrive as strings from the CLI and as JSON
 * from the HTTP API, so lists accept one value or many and numbers are coerced.
 */

/**
 * One value or a list of them, always a list after parsing (`--tenant a --tenant b`, `"tenant": "a"`). Never an empty
 * list: over the API `"user": []` ran user-activity for every user, and `"tenant": []` a report over every tenant.
 */
export const stringList = z
  .union([z.string().min(1).max(500), z.array(z.string().min(1).max(500)).min(1).max(1000)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

export const commonParams = z
  .object({
    tenant: stringList.optional().describe('tenant name or GUID; repeat for several; default every tenant'),
    start: z.string().max(100).default('7d').describe('period start: ISO date/time, "now" or a span back such as 7d'),
    end: z.string().max(100).default('now').describe('period end (exclusive): ISO date/time, "now" or a span back'),
    user: stringList.optional().describe('only this user (UserId, case-insensitive); repeatable'),
  })
  .strict();

export type CommonParams = z.output<typeof commonParams>;

/** A positive whole number with a default, given as a number or as text. */
export function count(defaultValue: number, what: string) {
  return z.coerce.number().int().positive().max(1_000_000_000).default(defaultValue).describe(what);
}

/** A yes/no flag given as a boolean or as text (true/false/yes/no/1/0). */
export function flag(defaultValue: boolean, what: string) {
  return z
    .union([z.boolean(), z.enum(['true', 'false', 'yes', 'no', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === 'yes' || v === '1')
    .default(defaultValue)
    .describe(what);
}
