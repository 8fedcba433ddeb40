/**
 * The offline merge of GUID keys stored in another case (docs/adr/0039-guid-keys-any-case.md, "The merge"):
 * `tenantwatch optimize --rekey`. Versions before ADR 0039 kept a GUID tenant or record Id in the case its source
 * wrote it, so a store may hold records under an upper-case (or mixed-case) key beside the lower-case key every
 * record now gets, and the same record under both. The merge moves every such record to the canonical key
 * (core/guid.ts canonicalKey) and keeps ONE record per canonical key.
 *
 * What is shared by both adapters lives here: which keys are candidates, which spellings of a key to look a group
 * up under, which record of a group stays, and the loop (runRekey) that walks the key index and hands each batch to
 * the adapter's transaction. The adapters (sqlite/rekey.ts, postgres/rekey.ts) read and write.
 *
 * A group is every record stored under a spelling of one canonical (tenant, id). The record stored first stays (the
 * rule of ADR 0030 for a key that arrives twice: what a current version would hold had it received both copies in
 * the order they came); it moves to the canonical key when it is not under it. Every other record of the group
 * goes: a duplicate when its content is the same (conflicts.ts sameContent, which reads Id and OrganizationId as
 * keys), else a conflict, its content kept in record_conflicts under the canonical key as an insert would keep it.
 */
import { canonicalKey, isGuid } from '../core/guid.js';
import { sameContent } from './conflicts.js';

/** A record's key: its tenant key and its Id. */
export interface RecordKey {
  tenant: string;
  id: string;
}

export interface RekeyOptions {
  /** Only find and count what would change; nothing is written. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Called after each batch (committed, or in a dry run counted) with the totals so far. */
  onBatch?: (totals: RekeyResult) => void;
  /** Keys read per step of the walk (REKEY_SCAN), and candidates merged per transaction (REKEY_BATCH): tests lower them. */
  scanBatch?: number;
  groupBatch?: number;
}

export interface RekeyResult {
  dryRun: boolean;
  /**
   * Record keys read: by the walk, every key stored after where the last run stopped (a record moved to a lower-case
   * tenant may be read again at its new place); then the records stored since the walk began, through the tail.
   */
  scanned: number;
  /** Records moved to the canonical key (the record kept of a group none of which was under it). */
  rekeyed: number;
  /** Records removed because the record kept is the same record (same content under another spelling). */
  duplicates: number;
  /** Records removed whose content differed from the record kept: that content is in record_conflicts. */
  conflicts: number;
  /** The tenant keys that were (or, in a dry run, would be) moved to lower case, in code point order. */
  tenantKeys: string[];
}

/** Keys read per step of the walk: one short read of the key index. */
export const REKEY_SCAN = 10_000;
/** Candidates merged per transaction: a few milliseconds of writing, so other writers keep their turn. */
export const REKEY_BATCH = 500;

/** True when the key is not what a current version would store: a GUID tenant or Id with an upper-case letter. */
export function needsRekey(key: RecordKey): boolean {
  return canonicalKey(key.tenant) !== key.tenant || canonicalKey(key.id) !== key.id;
}

export function canonicalOf(key: RecordKey): RecordKey {
  return { tenant: canonicalKey(key.tenant), id: canonicalKey(key.id) };
}

/**
 * The spellings of a key its group is looked up under: every stored spelling of the tenant (`tenantSpellings`, from
 * the store) with the Id as found, in lower case and in upper case. An Id stored in two different mixed-case
 * spellings (no source writes one) is found by its own candidate later: the merge is still whole, only a dry run's
 * counts may then differ from the run's.
 */
export function groupKeys(key: RecordKey, tenantSpellings: readonly string[]): RecordKey[] {
  const canonical = canonicalOf(key);
  const tenants = new Set([key.tenant, canonical.tenant, ...tenantSpellings]);
  const ids = new Set([key.id, canonical.id]);
  if (isGuid(canonical.id)) ids.add(canonical.id.toUpperCase());
  return [...tenants].flatMap((tenant) => [...ids].map((id) => ({ tenant, id })));
}

/** A stored record as the merge reads it. */
export interface GroupRow extends RecordKey {
  raw: string;
}

/** What becomes of one group: the record kept (moved when not under the canonical key) and the records removed. */
export interface GroupPlan<R extends GroupRow> {
  key: RecordKey;
  keeper: R;
  moved: boolean;
  removed: { row: R; conflict: boolean }[];
  /** Every key of the group that is not canonical (record_conflicts rows kept under one move with the record). */
  spellings: RecordKey[];
}

function keyText(key: RecordKey): string {
  return `${key.tenant}\u0000${key.id}`;
}

/** Key order of the stores' key index (code point order; the keys compared here differ only in ASCII letters). */
function before(a: RecordKey, b: RecordKey): boolean {
  return a.tenant < b.tenant || (a.tenant === b.tenant && a.id < b.id);
}

/**
 * The plans of one batch. `rows` are every record stored under the keys looked up (groupKeys of the batch's
 * candidates), in arrival order; grouped by canonical key, each group with a record not under it gets a plan. In a
 * dry run nothing moved, so a group met again (through a later spelling in the walk) was counted already: it is
 * planned only by the batch holding its first non-canonical key in key order, the one the walk meets first.
 */
export function planBatch<R extends GroupRow>(
  rows: readonly R[],
  candidates: readonly RecordKey[],
  dryRun: boolean,
): GroupPlan<R>[] {
  const groups = new Map<string, R[]>();
  const seen = new Set<string>();
  for (const row of rows) {
    const text = keyText(row);
    if (seen.has(text)) continue; // looked up under two candidates of the batch
    seen.add(text);
    const group = keyText(canonicalOf(row));
    const list = groups.get(group);
    if (list) list.push(row);
    else groups.set(group, [row]);
  }
  const asked = new Set(candidates.map(keyText));
  const plans: GroupPlan<R>[] = [];
  for (const group of groups.values()) {
    const spellings = group.filter(needsRekey).map((r): RecordKey => ({ tenant: r.tenant, id: r.id }));
    if (spellings.length === 0) continue;
    const first = spellings.reduce((a, b) => (before(b, a) ? b : a));
    if (dryRun && !asked.has(keyText(first))) continue;
    plans.push(planGroup(group, spellings));
  }
  return plans;
}

/** One group, its records in arrival order: the first stays, the others are duplicates or conflicts of it. */
function planGroup<R extends GroupRow>(group: readonly R[], spellings: RecordKey[]): GroupPlan<R> {
  const keeper = group[0]!;
  return {
    key: canonicalOf(keeper),
    keeper,
    moved: needsRekey(keeper),
    removed: group.slice(1).map((row) => ({ row, conflict: !sameContent(keeper.raw, row.raw) })),
    spellings,
  };
}

/** One step of the walk of the key index, as RekeyAdapter.scan answers it. */
export interface ScanStep {
  read: number;
  last: RecordKey | null;
  candidates: RecordKey[];
}

/**
 * A step from the rows of the adapters' scan statement: the candidates (tenant, id, null), then one last row holding
 * the step's last key and how many keys it read (a count PostgreSQL sends as text); no rows, or no count: the end.
 */
export function scanStep(rows: readonly (readonly [string, string, number | string | null])[]): ScanStep {
  const last = rows.at(-1);
  if (!last || last[2] === null) return { read: 0, last: null, candidates: [] };
  return {
    read: Number(last[2]),
    last: { tenant: last[0], id: last[1] },
    candidates: rows.slice(0, -1).map(([tenant, id]) => ({ tenant, id })),
  };
}

/** What runRekey needs of an adapter. */
export interface RekeyAdapter<R extends GroupRow> {
  /**
   * Reads up to `limit` keys of the key index after `after` (from the start when null), in key order: how many it
   * read, the last one (null: none left), and among them those that may need the merge (a superset of needsRekey).
   */
  scan(after: RecordKey | null, limit: number): Promise<ScanStep>;
  /** The stored tenant keys equal to a GUID but for case (RecordStore.tenantKeysAlike). */
  tenantSpellings(guid: string): Promise<string[]>;
  /**
   * In one transaction: reads every record stored under `keys` (arrival order), asks `plan` what to do, applies it
   * (when `write`) and returns the plans applied; with `progress` (only when `write`), saves it in that transaction
   * (the consumer REKEY_PROGRESS of the cursors table).
   */
  merge(
    keys: readonly RecordKey[],
    plan: (rows: R[]) => GroupPlan<R>[],
    write: boolean,
    progress?: string,
  ): Promise<GroupPlan<R>[]>;
  /** The progress a run saved (null: none). */
  progress(): Promise<string | null>;
  /** Saves the progress where no merge carries it (keys read with nothing to merge, the walk's end). */
  saveProgress(progress: string): Promise<void>;
}

/**
 * Where the merge reads what arrived since its walk began: RecordStore.tail and tailEnd (a position is a TailPosition,
 * spelled out here since the contract imports this file).
 */
export interface RekeyTail {
  tail(
    after: string | null,
    options: { limit: number; signal?: AbortSignal },
  ): Promise<{ records: readonly RecordKey[]; scanned?: number; next: string }>;
  tailEnd(): Promise<string>;
}

/** The cursors table's consumer the merge keeps its progress under. */
export const REKEY_PROGRESS = 'optimize:rekey';

/**
 * How far the merge got, saved with each transaction: the tail position when its walk of the key index began
 * (`since`: whatever arrived after it, anywhere in key order, is read through the tail), the last key of the walk
 * whose candidates are all merged (`after`), and whether the walk ended (`walked`).
 */
interface Progress {
  since: string;
  after: RecordKey | null;
  walked: boolean;
}

function readProgress(text: string | null): Progress | null {
  if (text === null) return null;
  try {
    const p = JSON.parse(text) as Partial<Progress>;
    if (typeof p.since === 'string' && typeof p.walked === 'boolean')
      return { since: p.since, after: p.after ?? null, walked: p.walked };
  } catch {
    // Not ours (or cut short): the walk starts over, which is only slower.
  }
  return null;
}

/**
 * Walks the key index once and merges every group a candidate belongs to, REKEY_BATCH candidates per transaction,
 * then reads through the tail what arrived since the walk began (an earlier version writing meanwhile, behind the
 * walk's position) and merges that too. Each transaction saves how far it got (Progress), so a run stopped at any
 * point (a signal, a kill) leaves whole transactions and the next run goes on from there, and a run after one that
 * finished reads only what arrived since. A dry run reads the progress and saves none.
 */
export async function runRekey<R extends GroupRow>(
  adapter: RekeyAdapter<R>,
  feed: RekeyTail,
  options: RekeyOptions = {},
): Promise<RekeyResult> {
  const dryRun = options.dryRun === true;
  const totals: RekeyResult = { dryRun, scanned: 0, rekeyed: 0, duplicates: 0, conflicts: 0, tenantKeys: [] };
  const tenantKeys = new Set<string>();
  const spellings = new Map<string, string[]>();
  const spellingsOf = async (tenant: string): Promise<string[]> => {
    const key = canonicalKey(tenant);
    if (!isGuid(key)) return [];
    let found = spellings.get(key);
    if (!found) spellings.set(key, (found = await adapter.tenantSpellings(key)));
    return found;
  };
  const saved = readProgress(await adapter.progress());
  const progress: Progress = saved ?? { since: await feed.tailEnd(), after: null, walked: false };
  const save = async (): Promise<void> => {
    if (!dryRun) await adapter.saveProgress(JSON.stringify(progress));
  };
  const mergeBatch = async (candidates: RecordKey[]): Promise<void> => {
    options.signal?.throwIfAborted();
    const keys = new Map<string, RecordKey>();
    for (const c of candidates) for (const k of groupKeys(c, await spellingsOf(c.tenant))) keys.set(keyText(k), k);
    const plan = (rows: R[]) => planBatch(rows, candidates, dryRun);
    const plans = await adapter.merge([...keys.values()], plan, !dryRun, dryRun ? undefined : JSON.stringify(progress));
    for (const p of plans) {
      if (p.moved) totals.rekeyed++;
      for (const r of p.removed) totals[r.conflict ? 'conflicts' : 'duplicates']++;
      for (const s of p.spellings) if (s.tenant !== p.key.tenant) tenantKeys.add(s.tenant);
    }
    totals.tenantKeys = [...tenantKeys].sort();
    options.onBatch?.({ ...totals, tenantKeys: [...totals.tenantKeys] });
  };
  const scanBatch = options.scanBatch ?? REKEY_SCAN;
  const groupBatch = options.groupBatch ?? REKEY_BATCH;
  const walking = !progress.walked;
  let pending: RecordKey[] = [];
  for (let after = progress.after; !progress.walked;) {
    options.signal?.throwIfAborted();
    const step = await adapter.scan(after, scanBatch);
    totals.scanned += step.read;
    pending.push(...step.candidates.filter(needsRekey));
    while (pending.length >= groupBatch || (step.last === null && pending.length > 0)) {
      const batch = pending.slice(0, groupBatch);
      pending = pending.slice(groupBatch);
      // Every candidate up to the batch's last is merged once it commits (the walk is in key order).
      progress.after = pending.length || step.last === null ? batch.at(-1)! : step.last;
      await mergeBatch(batch);
    }
    if (step.last === null) {
      Object.assign(progress, { after: null, walked: true });
      await save();
    } else if (pending.length === 0 && !keyEquals(progress.after, step.last)) {
      progress.after = step.last;
      await save();
    }
    after = step.last;
  }
  // A dry run that walked counted all that is stored: the tail would count records the walk read twice.
  if (!(dryRun && walking))
    await mergeTail(feed, progress, { scanBatch, groupBatch, dryRun, options, totals }, mergeBatch, save);
  return { ...totals, tenantKeys: [...totals.tenantKeys] };
}

function keyEquals(a: RecordKey | null, b: RecordKey | null): boolean {
  return a === b || (!!a && !!b && a.tenant === b.tenant && a.id === b.id);
}

/**
 * What arrived since `progress.since`, through the tail: its candidates merged, REKEY_BATCH a transaction, the last
 * of each tail read carrying the position after it (a run stopped between reads that one again: merged keys are no
 * candidates).
 */
async function mergeTail(
  feed: RekeyTail,
  progress: Progress,
  run: { scanBatch: number; groupBatch: number; dryRun: boolean; options: RekeyOptions; totals: RekeyResult },
  mergeBatch: (candidates: RecordKey[]) => Promise<void>,
  save: () => Promise<void>,
): Promise<void> {
  for (;;) {
    run.options.signal?.throwIfAborted();
    const read = await feed.tail(progress.since, {
      limit: run.scanBatch,
      ...(run.options.signal ? { signal: run.options.signal } : {}),
    });
    if (read.next === progress.since) return;
    run.totals.scanned += read.scanned ?? read.records.length;
    const seen = new Set<string>();
    const candidates = read.records.filter((r) => needsRekey(r) && !seen.has(keyText(r)) && seen.add(keyText(r)));
    const next = read.next;
    if (candidates.length === 0) {
      progress.since = next;
      await save();
      continue;
    }
    for (let i = 0; i < candidates.length; i += run.groupBatch) {
      const last = i + run.groupBatch >= candidates.length;
      if (last) progress.since = next;
      await mergeBatch(candidates.slice(i, i + run.groupBatch).map((r) => ({ tenant: r.tenant, id: r.id })));
    }
  }
}

/**
 * An alert's tenant and record ids keyed as the merge keys the records it names (AlertStore.rekey); null when they
 * are already. Two spellings of one record id become one.
 */
export function rekeyedAlert(
  tenant: string,
  recordIds: readonly string[],
): { tenant: string; recordIds: string[] } | null {
  const key = canonicalKey(tenant);
  const ids = [...new Set(recordIds.map(canonicalKey))];
  if (key === tenant && ids.length === recordIds.length && ids.every((id, i) => id === recordIds[i])) return null;
  return { tenant: key, recordIds: ids };
}
