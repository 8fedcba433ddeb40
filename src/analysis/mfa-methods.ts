/**
 * What an Entra "Update user." record did to a user's MFA methods. Its ModifiedProperties carry
 * StrongAuthenticationMethod's old and new value as JSON arrays of `{ MethodType, Default }` (see the
 * splunk example logs in shared/corpus): comparing the two sets tells an added method (often benign: a user
 * registers the authenticator) from a removed one (an attacker clearing MFA, or a helpdesk reset) and from a
 * change of the default method alone. Reports and detections read the same answer from here.
 */

import { parseBoundedJson } from '../core/json.js';

export type MfaMethodChange = 'added' | 'removed' | 'replaced' | 'default changed' | 'cleared' | 'unchanged';

export interface MfaMethodDiff {
  change: MfaMethodChange;
  /** Method types present before and after (as numbers, in the order given). */
  before: number[];
  after: number[];
  added: number[];
  removed: number[];
  /** The default method type before and after, when one is marked. */
  defaultBefore: number | null;
  defaultAfter: number | null;
}

interface Method {
  type: number;
  isDefault: boolean;
}

/** The methods in one StrongAuthenticationMethod value; null when the value is not such a list. */
export function parseMfaMethods(value: string | null | undefined): Method[] | null {
  const text = (value ?? '').trim();
  if (text === '') return [];
  const parsed = parseBoundedJson(text);
  if (!Array.isArray(parsed)) return null;
  const methods: Method[] = [];
  for (const item of parsed) {
    if (typeof item !== 'object' || item === null) continue;
    const entry = item as Record<string, unknown>;
    const type = Number(entry.MethodType ?? entry.methodType);
    if (!Number.isFinite(type)) continue;
    methods.push({ type, isDefault: entry.Default === true || entry.default === true });
  }
  return methods;
}

/** Compares the old and new StrongAuthenticationMethod values; null when either cannot be read. */
export function diffMfaMethods(
  oldValue: string | null | undefined,
  newValue: string | null | undefined,
): MfaMethodDiff | null {
  const before = parseMfaMethods(oldValue);
  const after = parseMfaMethods(newValue);
  if (!before || !after) return null;
  const beforeTypes = before.map((m) => m.type);
  const afterTypes = after.map((m) => m.type);
  const added = afterTypes.filter((t) => !beforeTypes.includes(t));
  const removed = beforeTypes.filter((t) => !afterTypes.includes(t));
  const defaultBefore = before.find((m) => m.isDefault)?.type ?? null;
  const defaultAfter = after.find((m) => m.isDefault)?.type ?? null;
  let change: MfaMethodChange;
  if (after.length === 0 && before.length > 0) change = 'cleared';
  else if (added.length && removed.length) change = 'replaced';
  else if (removed.length) change = 'removed';
  else if (added.length) change = 'added';
  else if (defaultBefore !== defaultAfter) change = 'default changed';
  else change = 'unchanged';
  return { change, before: beforeTypes, after: afterTypes, added, removed, defaultBefore, defaultAfter };
}

/** True when the change took a method away (removed, replaced or cleared): the case worth an alert. */
export function losesMfaMethod(diff: MfaMethodDiff): boolean {
  return diff.removed.length > 0;
}

/** One line a person reads: "removed method type 6 (was default); now 7, 0" and the like. */
export function describeMfaDiff(diff: MfaMethodDiff): string {
  const list = (types: number[]) => (types.length ? types.map((t) => `method type ${t}`).join(', ') : 'none');
  const now = `now: ${list(diff.after)}`;
  switch (diff.change) {
    case 'cleared':
      return `removed every MFA method (was: ${list(diff.before)})`;
    case 'removed':
      return `removed ${list(diff.removed)}; ${now}`;
    case 'added':
      return `added ${list(diff.added)}; ${now}`;
    case 'replaced':
      return `removed ${list(diff.removed)}, added ${list(diff.added)}; ${now}`;
    case 'default changed':
      return `default MFA method changed from ${diff.defaultBefore ?? 'none'} to ${diff.defaultAfter ?? 'none'}; ${now}`;
    case 'unchanged':
      return `MFA methods rewritten without a change (${list(diff.after)})`;
  }
}
