import { parseBoundedJson } from '../../core/json.js';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../core/errors.js';
import { canonicalKey } from '../../core/guid.js';
import { canonicalIp, ipMatches, parseIpFilter } from '../../core/ip.js';
import type { IpFilter } from '../../core/search-query.js';
import type { StoredRecord } from '../../core/record.js';
import type { AlertExclusion, AlertSnooze, ExclusionKind } from '../../store/contract.js';
import type { Hit } from '../contract.js';

/**
 * Exclusions and snoozes as data. An exclusion keeps a hit from being raised when it matches EVERY
 * record behind the hit (one service account in a brute force, one scanner's address in a spray): a hit
 * with one other user or address in it is still raised. A hit with no records (posture drift) is matched
 * on its facts (`user`, `address`, `application`).
 */
export const EXCLUSION_KINDS: readonly ExclusionKind[] = ['user', 'address', 'application'];

/** Raw fields that name the application a record is about, besides the AppId column. */
const APP_FIELDS = [
  'AppId',
  'ApplicationId',
  'ClientAppId',
  'ClientAppName',
  'ApplicationDisplayName',
  'AppDisplayName',
];

/**
 * Whether an exclusion or snooze names this rule and tenant. A GUID tenant is one key in any case (ADR 0039): one
 * filed from an alert a version before it raised on an upper-case spelling still applies once its hits come under
 * the lower-case key (after `optimize --rekey` too, which files the alerts there); an import label as written.
 */
export function appliesTo(e: { ruleId: string; tenant: string }, ruleId: string, tenant: string): boolean {
  return (
    (e.ruleId === '*' || e.ruleId === ruleId) &&
    (e.tenant === '*' || e.tenant === tenant || canonicalKey(e.tenant) === canonicalKey(tenant))
  );
}

type Matcher = (record: StoredRecord | null, facts: Record<string, string>) => boolean;

function rawApps(record: StoredRecord): string[] {
  const raw = parseBoundedJson(record.raw);
  if (raw === null || typeof raw !== 'object') return [];
  return APP_FIELDS.map((f) => (raw as Record<string, unknown>)[f]).filter((v): v is string => typeof v === 'string');
}

/**
 * The value of `kind` a hit's facts carry, as an exclusion of that kind matches a hit with no records: a rule's
 * own fact name first, the raw field's name (a correlation keeps it) second.
 */
export function factValue(kind: ExclusionKind, facts: Record<string, string>): string | undefined {
  if (kind === 'user') return facts.user ?? facts.UserId;
  if (kind === 'address') return facts.address ?? facts.ClientIP;
  return facts.application ?? facts.AppId;
}

/**
 * Each kind's value in an alert's facts, ready to exclude: the console offers it as the example so it does not
 * restate factValue's fallbacks. A kind the facts do not name is left out.
 */
export function exclusionValues(facts: Record<string, string>): Partial<Record<ExclusionKind, string>> {
  const values: Partial<Record<ExclusionKind, string>> = {};
  for (const kind of EXCLUSION_KINDS) {
    const value = factValue(kind, facts);
    if (value !== undefined) values[kind] = value;
  }
  return values;
}

function matcher(e: AlertExclusion): Matcher {
  const value = e.value.trim().toLowerCase();
  if (e.kind === 'user') return (r, facts) => (r ? r.userKey : factValue('user', facts)?.toLowerCase()) === value;
  if (e.kind === 'address') {
    const filter = parseIpFilter(e.value) as IpFilter;
    const test = (ip: string | null | undefined): boolean => !!ip && ipMatches(canonicalIp(ip) ?? ip, filter);
    return (r, facts) => test(r ? r.clientIp : factValue('address', facts));
  }
  return (r, facts) =>
    r
      ? [r.appId, ...rawApps(r)].some((a) => a?.toLowerCase() === value)
      : factValue('application', facts)?.toLowerCase() === value;
}

/**
 * The first exclusion that matches every record behind the hit, or null. `records` are the records
 * behind it that could be found (a missing one is matched on the hit's facts).
 */
export function excludedBy(
  hit: Hit,
  records: readonly (StoredRecord | null)[],
  exclusions: readonly AlertExclusion[],
): AlertExclusion | null {
  for (const e of exclusions) {
    if (!appliesTo(e, hit.ruleId, hit.tenant)) continue;
    const match = matcher(e);
    const all = records.length ? records : [null];
    if (all.every((r) => match(r, hit.facts))) return e;
  }
  return null;
}

/** The latest end of the snoozes in force for this hit at `now`, or null. */
export function snoozedUntil(hit: Hit, snoozes: readonly AlertSnooze[], now: number): number | null {
  let until: number | null = null;
  for (const s of snoozes) {
    if (s.until <= now || !appliesTo(s, hit.ruleId, hit.tenant)) continue;
    if (s.groupKey !== null && s.groupKey !== hit.groupKey) continue;
    until = Math.max(until ?? 0, s.until);
  }
  return until;
}

export interface ExclusionInput {
  ruleId: string;
  tenant: string;
  kind: string;
  value: string;
  reason: string;
  author: string;
}

/** Checks a person's exclusion and makes the row; BAD_INPUT says which part is wrong. */
export function newExclusion(input: ExclusionInput, now: number): AlertExclusion {
  const bad = (message: string, hint: string): AppError => new AppError('BAD_INPUT', message, { hint });
  if (!EXCLUSION_KINDS.includes(input.kind as ExclusionKind))
    throw bad(`"${input.kind}" is not a kind of exclusion`, `Use one of ${EXCLUSION_KINDS.join(', ')}`);
  const value = input.value.trim();
  if (!value) throw bad('An exclusion needs a value', 'Give the user, address or application to exclude');
  if (value.length > 512)
    throw bad(
      `The value to exclude is ${value.length} characters long; at most 512 are accepted`,
      'Give the user, address or application to exclude',
    );
  if (input.kind === 'address' && !parseIpFilter(value))
    throw bad(
      `"${value.slice(0, 80)}" is not an address or CIDR block`,
      'Use e.g. 192.0.2.10, 192.0.2.0/24 or 2001:db8::/32',
    );
  if (!input.reason.trim()) throw bad('An exclusion needs a reason', 'Say why these hits are expected (--reason)');
  if (!input.ruleId.trim() || !input.tenant.trim())
    throw bad('An exclusion names a rule and a tenant', 'Use * for every rule or every tenant');
  return {
    id: `ex_${randomUUID().slice(0, 8)}`,
    ruleId: input.ruleId.trim(),
    tenant: input.tenant.trim(),
    kind: input.kind as ExclusionKind,
    value,
    reason: input.reason.trim(),
    author: input.author,
    createdAt: now,
    hits: 0,
    lastHitAt: null,
  };
}
