import type { RecordHead } from '../../core/record.js';
import type { SearchQuery } from '../../core/search-query.js';
import { toIsoSeconds } from '../../core/time.js';
import { headBatches, type ScanDeps } from '../query.js';
import { SummaryTally } from '../summary.js';
import type { SplitParts } from '../split.js';
import type { Counted, ReportRow } from '../types.js';
import { compareText, type Failure } from './bursts.js';

/** One (tenant, user, address, agent): a row of the report. */
export interface SignInRow extends ReportRow {
  kind: 'sign-ins';
  user: string;
  clientIp: string;
  userAgent: string;
  successes: number;
  failures: number;
  newIp: boolean;
  first: string;
  last: string;
}

/**
 * What a read of sign-ins found, as plain data, so that a worker thread's part of the period crosses to
 * the report cheaply (reports/split.ts): the groups as flat arrays, the failures (for bursts), and the
 * summary's counts.
 */
export interface SignInPart {
  /** Four strings per group: tenant, user, user agent, address. */
  keys: string[];
  /** Four numbers per group: successes, failures, first and last sign-in (epoch ms). */
  counts: number[];
  failures: Failure[];
  counted: Counted;
}

/**
 * The sign-ins of a period grouped by tenant, user, user agent and address, found through nested maps
 * (tenant → user → agent → address → group number). A million-record period can build nearly one group
 * per sign-in (a spray from many addresses), and every group outlives the read: a key joining the four
 * values kept a second copy of them per group, and the garbage collector copying the survivors took
 * 0.31 s of the stress case's run; 0.26 s with nested maps.
 */
export class SignInGroups {
  private readonly keys: string[] = [];
  private readonly counts: number[] = [];
  private readonly failures: Failure[] = [];
  private readonly tally = new SummaryTally();
  private readonly index = new Map<string, Map<string, Map<string, Map<string, number>>>>();

  /** Reads the sign-ins `query` matches (unordered head batches: no AuditData, no sort). */
  static async read(deps: ScanDeps, query: SearchQuery): Promise<SignInGroups> {
    const groups = new SignInGroups();
    for await (const batch of headBatches(deps, query)) for (const r of batch) groups.add(r);
    return groups;
  }

  add(r: RecordHead): void {
    this.tally.countOnce(r);
    const failed = r.outcome === 'failure';
    if (failed)
      this.failures.push({ tenant: r.tenant, userKey: r.userKey, clientIp: r.clientIp, creationTime: r.creationTime });
    this.count(
      this.group(r.tenant, r.userKey ?? '', r.userAgent ?? '', r.clientIp ?? ''),
      failed ? 0 : 1,
      failed ? 1 : 0,
      r.creationTime,
      r.creationTime,
    );
  }

  /** Adds another part of the period (a worker thread's): its groups, failures and counts. */
  merge(part: SignInPart): void {
    const { keys, counts } = part;
    for (let i = 0; i < keys.length; i += 4)
      this.count(
        this.group(keys[i]!, keys[i + 1]!, keys[i + 2]!, keys[i + 3]!),
        counts[i]!,
        counts[i + 1]!,
        counts[i + 2]!,
        counts[i + 3]!,
      );
    for (const f of part.failures) this.failures.push(f);
    this.tally.addCounted(part.counted);
  }

  part(): SignInPart {
    return { keys: this.keys, counts: this.counts, failures: this.failures, counted: this.tally.counted() };
  }

  /** The failed sign-ins, in no order. */
  failed(): readonly Failure[] {
    return this.failures;
  }

  /** What was counted, for the report's summary. */
  counted(): Counted {
    return this.tally.counted();
  }

  /**
   * The rows, latest sign-in first; ties (several groups share a second) by tenant, user, address and
   * agent, so the order is the same whatever order the store read them in. `isNew` says whether a
   * (tenant, user, address) is new.
   */
  rowsNewestFirst(isNew: (tenant: string, user: string, ip: string) => boolean): SignInRow[] {
    const { keys, counts } = this;
    const order = Array.from({ length: keys.length / 4 }, (_, g) => 4 * g);
    order.sort(
      (a, b) =>
        counts[b + 3]! - counts[a + 3]! ||
        compareText(keys[a]!, keys[b]!) ||
        compareText(keys[a + 1]!, keys[b + 1]!) ||
        compareText(keys[a + 3]!, keys[b + 3]!) ||
        compareText(keys[a + 2]!, keys[b + 2]!),
    );
    return order.map((i) => ({
      tenant: keys[i]!,
      kind: 'sign-ins',
      user: keys[i + 1]!,
      clientIp: keys[i + 3]!,
      userAgent: keys[i + 2]!,
      successes: counts[i]!,
      failures: counts[i + 1]!,
      newIp: keys[i + 3] !== '' && isNew(keys[i]!, keys[i + 1]!, keys[i + 3]!),
      first: toIsoSeconds(counts[i + 2]!),
      last: toIsoSeconds(counts[i + 3]!),
    }));
  }

  /** The group's offset in keys and counts, made when new. */
  private group(tenant: string, user: string, userAgent: string, ip: string): number {
    const users = this.index.get(tenant) ?? put(this.index, tenant, new Map());
    const agents = users.get(user) ?? put(users, user, new Map());
    const addresses = agents.get(userAgent) ?? put(agents, userAgent, new Map());
    let at = addresses.get(ip);
    if (at === undefined) {
      at = this.keys.length;
      addresses.set(ip, at);
      this.keys.push(tenant, user, userAgent, ip);
      this.counts.push(0, 0, Infinity, -Infinity);
    }
    return at;
  }

  private count(at: number, successes: number, failures: number, first: number, last: number): void {
    const c = this.counts;
    c[at] = c[at]! + successes;
    c[at + 1] = c[at + 1]! + failures;
    if (first < c[at + 2]!) c[at + 2] = first;
    if (last > c[at + 3]!) c[at + 3] = last;
  }
}

/** How sign-ins reads the parts of a split read (reports/split.ts): its groups here, plain data from the worker. */
export function signInParts(deps: ScanDeps): SplitParts<SignInGroups, SignInPart> {
  return {
    task: 'sign-ins',
    local: (part) => SignInGroups.read(deps, part),
    here: async (part) => (await SignInGroups.read(deps, part)).part(),
  };
}

function put<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.set(key, value);
  return value;
}
