import type { AuditRecord, ContentType, RecordHead, StoredRecord, StoredSummary } from '../core/record.js';
import type { AuthStore, ConsoleAuditStore } from './auth-contract.js';
import type { CountDimension, CountRow, GroupCount, SearchCursor, SearchQuery } from '../core/search-query.js';
import type { SinkRef, SinkStore } from '../core/sink.js';
import type { RetentionStore } from './retention-contract.js';
import type { RekeyOptions, RekeyResult } from './rekey.js';

export type {
  RemovalSpan,
  RetentionPolicy,
  RetentionRemoval,
  RetentionStore,
  SweepKey,
  WholeMonthOptions,
  WholeMonthRemoval,
} from './retention-contract.js';
export type { RekeyOptions, RekeyResult } from './rekey.js';

/**
 * The storage contract, in two parts (docs/adr/0015-store-records-and-state.md):
 * - the records (RecordStore): many, append-only, read by search, scan, counts and the tail;
 * - the state (StateStore): tenants, the coverage ledger with its leases, posture, consumer cursors —
 *   few rows, updated in place, that need transactions.
 * Every adapter (store/sqlite, store/postgres) holds both in one database and passes both conformance
 * suites (records.conformance.ts, state.conformance.ts). A records-only engine could be paired with a
 * state adapter without faking transactions: the one operation that spans both parts,
 * LedgerStore.commitBlob, has a two-step form that keeps its guarantee (commit-blob.ts). Nothing outside
 * store/ imports a database driver.
 */
export interface Store extends StateStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly records: RecordStore;
  /** Creates or upgrades the schema; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** The state part: what the collector, the console and the consumers of the tail keep between runs. */
export interface StateStore {
  readonly tenants: TenantStore;
  readonly ledger: LedgerStore;
  readonly posture: PostureStore;
  /** Where each consumer of the tail (detections, sinks) stands. */
  readonly cursors: CursorStore;
  /** Accounts, tenant groups, sessions and API tokens of the console (server/auth). */
  readonly auth: AuthStore;
  /** The console's own append-only audit trail. */
  readonly consoleAudit: ConsoleAuditStore;
  /** Alerts raised from detection hits, their history, exclusions and snoozes. */
  readonly alerts: AlertStore;
  /** Registered sinks, their dead letters and delivery statistics (sinks/). */
  readonly sinks: SinkStore;
  /** Retention policies, the sweep's removals and the ledger's account of them (retention-contract.ts). */
  readonly retention: RetentionStore;
}

/** What the store derives from a record to write it (columns.ts recordKeys): lower-cased keys, the address key, flags. */
export interface RecordKeys {
  operationKey: string;
  workloadKey: string | null;
  clientIpKey: string | null;
  /** raw and objectId are pure ASCII (columns.ts isPlain). */
  plain: boolean;
  /** Some text field holds U+0000 (stored as its JSON escape). */
  nul: boolean;
  /**
   * raw as UTF-8, when an import's parse worker wrote it out already: SQLite binds the bytes as they are
   * instead of encoding raw again on the writing thread (a fifth of that thread's time).
   */
  rawBytes?: Uint8Array;
}

export interface InsertResult {
  /** Records that were new. */
  inserted: number;
  /**
   * Records whose (tenant, id) was already stored with the same content: dropped, by design (Microsoft
   * repeats records).
   */
  duplicates: number;
  /**
   * Positions in the batch of records whose (tenant, id) was already stored (or came earlier in the
   * batch) with other content: the stored record stays, this content is kept in the store's
   * record_conflicts table (store/conflicts.ts, ADR 0030). Not counted in `duplicates`; absent when none.
   */
  conflicts?: number[];
}

/** A content that arrived for a stored (tenant, id) and differed from the stored record (ADR 0030). */
export interface RecordConflict {
  raw: string;
  source: string;
  seenAt: number;
}

export interface SearchOptions {
  /** Maximum rows to return; undefined means all of them (no cap). */
  limit?: number;
  /** Continue strictly after this row (newest-first order). */
  after?: SearchCursor;
  signal?: AbortSignal;
}

export interface RecordStore {
  /** Inserts a batch in one transaction; a record whose (tenant, id) exists is ignored, not updated. */
  insert(records: readonly AuditRecord[]): Promise<InsertResult>;
  /** Matching records, newest first (creationTime desc, then tenant, then id desc), streamed. */
  search(query: SearchQuery, options?: SearchOptions): AsyncIterable<StoredRecord>;
  /**
   * search's rows without their raw AuditData, in search's order: a result list (the console's search page)
   * shows only the columns, and raw is two thirds of a record's bytes to read, send and decode.
   */
  searchSummaries(query: SearchQuery, options?: SearchOptions): AsyncIterable<StoredSummary>;
  /**
   * The rows of search without their raw AuditData, in batches and in no stated order (neither within
   * a batch nor between batches): for a report that aggregates from the columns alone, where search's
   * order would cost a sort it does not use (sign-ins over 60 days of the bench's million records).
   */
  headBatches(query: SearchQuery, options?: Pick<SearchOptions, 'signal'>): AsyncIterable<readonly RecordHead[]>;
  /** Exact number of matching records. */
  count(query: SearchQuery): Promise<number>;
  /** Matching records counted by one dimension, largest first (day/hour: in time order). */
  countBy(query: SearchQuery, dimension: CountDimension, options?: { limit?: number }): Promise<CountRow[]>;
  /**
   * Matching records counted by several dimensions together (e.g. tenant × user × client IP), largest
   * group first: the distinct combinations come from the database, not from reading every record.
   */
  groupCounts(query: SearchQuery, dimensions: readonly CountDimension[]): Promise<GroupCount[]>;
  get(tenant: string, id: string): Promise<StoredRecord | null>;
  /** The other contents seen for a stored (tenant, id), oldest first (InsertResult.conflicts). */
  conflictsOf(tenant: string, id: string): Promise<RecordConflict[]>;
  /**
   * Records that arrived after `after` (null: from the very first record), in arrival order, at most
   * `limit`. A position is never reused and the read never passes a record that could still appear before
   * it (on PostgreSQL it stops at the oldest writing transaction still open), so a consumer that persists
   * `next` once the records are handled sees every record exactly once, whatever writers run meanwhile.
   */
  tail(after: TailPosition | null, options: TailOptions): Promise<TailBatch>;
  /**
   * The position after everything stored now: a consumer that wants only new records starts here. A
   * record committed just before may still come after it (never one committed later before it).
   */
  tailEnd(): Promise<TailPosition>;
  /** How far behind a position is: records stored after it, and the oldest ingestedAt among them. */
  tailLag(after: TailPosition | null): Promise<{ records: number; oldestIngestedAt: number | null }>;
  /** Newest CreationTime stored per tenant (all tenants when none given). */
  newest(tenants?: string[]): Promise<Map<string, number>>;
  /**
   * The tenant keys records are stored under that equal `label` but for case (`toLowerCase`), `label` itself
   * among them when stored; in code point order. A look-up by seeks on the tenant key's index (store/case-keys.ts),
   * never a listing of every tenant: search/tenants.ts asks it for every label not stored exactly.
   */
  tenantKeysAlike(label: string): Promise<string[]>;
  /**
   * tenantKeysAlike for many GUIDs at once: every stored tenant key equal to one of them but for case, in code point
   * order. Every spelling of a GUID sorts between its all-upper and all-lower forms, so this is a loose scan of that
   * span of the key index per GUID, in one statement where the store takes one: a user's list of tenants names the
   * records an earlier version stored under an upper-case spelling (server/auth/scope.ts, ADR 0039) on every request.
   */
  guidTenantKeys(guids: readonly string[]): Promise<string[]>;
  /** Earliest CreationTime stored per tenant (all tenants when none given): how far back its history goes. */
  oldest(tenants?: string[]): Promise<Map<string, number>>;
  /**
   * Deletes every record stored under this tenant key and returns how many went (`tenant remove
   * --purge`). The one way records leave the store: whatever is kept beside them (the free-text index,
   * summaries) is updated here too. Runs in batches, so a large tenant never holds the write lock for
   * long and other writers keep their turn; stopped half-way, it leaves only whole records and the same
   * call finishes the job. Tail positions stay valid (a deleted record's position is never reused).
   */
  purgeTenant(tenant: string, options?: { signal?: AbortSignal }): Promise<number>;
  /**
   * Optional (the SQL stores have it): run after a large load. Refreshes the query planner's
   * statistics and, with `textIndex: true`, builds the substring index or brings it up to date (false
   * drops it; ADR 0033). Results are the same either way; only speed changes.
   */
  optimize?(options?: OptimizeOptions): Promise<OptimizeResult>;
  /**
   * Optional (the SQL stores have it): the offline merge of `tenantwatch optimize --rekey` (store/rekey.ts, ADR 0039).
   * Moves every record whose tenant key or Id is a GUID spelled with upper-case letters (stored by a version before
   * ADR 0039) to the lower-case key, and keeps one record where several spellings of one key are stored: the first
   * stored; the others are counted as duplicates, or as conflicts with their content kept as an insert keeps it
   * (conflictsOf). Rollups, the substring index and the tail move with the records. Runs in small transactions,
   * each saving how far it got: stopped half-way (a signal, a kill) it leaves only whole steps, and the same call
   * goes on from there and finishes the job; called after it finished, it reads only the records stored since
   * (through the tail). With `dryRun` it writes nothing and counts what would change.
   */
  rekey?(options?: RekeyOptions): Promise<RekeyResult>;
  /**
   * Optional (the SQL stores have it): a writer for large imports that spans many batches with few
   * commits (a commit per 5,000 rows rewrites the randomly placed (tenant, id) index pages each time).
   * Counts are exact per batch; rows become durable at the writer's periodic commits and at close().
   * Safe for idempotent imports (re-running one re-adds only what was lost); the collector uses
   * ledger.commitBlob instead.
   */
  bulk?(): BulkWriter;
}

/** Where a consumer stands in the arrival order of records: opaque, persisted as text, compared only by the store. */
export type TailPosition = string;

export interface TailOptions {
  /** Records to pass over at most (returned, or with `only`, passed over unread). */
  limit: number;
  signal?: AbortSignal;
  /**
   * A hint: records matching none of these may be passed over without being read (their positions are
   * still consumed and counted in `scanned`). The live detections ask for what their rules' prefilters
   * can match: reading every record whole was most of a live pass. A store may ignore it.
   */
  only?: TailFilter;
}

/** Which records a tail consumer wants whole: any one of the operations, record types or workloads (lower case). */
export interface TailFilter {
  operations?: readonly string[];
  recordTypes?: readonly number[];
  workloads?: readonly string[];
}

export interface TailBatch {
  /** Records that arrived after the position, in arrival order (at most `limit`). */
  records: StoredRecord[];
  /** Records passed over, the ones returned included (with `only`, may exceed records.length); absent: records.length. */
  scanned?: number;
  /**
   * With `only`: each tenant's newest CreationTime among every record passed over, wanted or not. Time moves
   * with the records a consumer did not read too (live first-seen rules decide once a tenant's newest record
   * is a day past a candidate).
   */
  newest?: Record<string, number>;
  /** Pass to the next tail() call and persist it once the records are handled; equals `after` when nothing new. */
  next: TailPosition;
}

export interface BulkWriter {
  /**
   * As RecordStore.insert: duplicates of stored (tenant, id) are ignored and counted. `keys[i]`, when
   * given, is what the store would derive from records[i] (columns.ts recordKeys), computed by the caller
   * on another thread (an import's parse worker).
   */
  insert(records: readonly AuditRecord[], keys?: readonly RecordKeys[]): Promise<InsertResult>;
  /**
   * How many insert() calls may be under way at once (absent: one at a time): each is then its own
   * transaction, and a caller keeps its own order of results (an import takes them in file order).
   */
  readonly concurrency?: number;
  /** Commits what is pending and ends the bulk load; call it in a finally. */
  close(): Promise<void>;
}

export interface OptimizeOptions {
  /** true: build the substring index (free text, objects) or catch it up; false: drop it; undefined: leave it. */
  textIndex?: boolean;
}

export interface OptimizeResult {
  /** Whether free-text and object searches now use an index. */
  textIndex: boolean;
  /** Time spent building or dropping the substring index, ms. */
  textIndexMs: number;
  /** Time spent refreshing planner statistics, ms. */
  analyzeMs: number;
}

/** Secret material is stored encrypted (config/secrets); the store only ever sees ciphertext. */
export interface TenantRow {
  /** Short name people type (unique). */
  name: string;
  /** Entra tenant GUID (unique); also the tenant key on records. */
  tenantId: string;
  domain: string | null;
  clientId: string;
  cloud: 'commercial' | 'gcc' | 'gcchigh' | 'dod';
  authKind: 'secret' | 'certificate';
  /** Encrypted credential blob, or a reference such as `env:NAME` / `file:/path`. */
  credential: string;
  /** Certificate (PEM, public part) for certificate auth, else null. */
  certificatePem: string | null;
  publisherId: string | null;
  /** Overrides every Microsoft host (emulator, proxies); null for the real cloud. */
  baseUrl: string | null;
  caFile: string | null;
  addedAt: number;
  updatedAt: number;
}

export interface TenantStore {
  upsert(row: TenantRow): Promise<void>;
  list(): Promise<TenantRow[]>;
  /** By name or tenant GUID (case-insensitive). */
  get(nameOrId: string): Promise<TenantRow | null>;
  /** True when something was removed. Collected records stay. */
  remove(nameOrId: string): Promise<boolean>;
}

/** A stream is what the ledger keeps books for: a content type, or a history source. */
export type LedgerStream = ContentType | 'graph' | 'search-unified-audit-log' | 'import';

export type WindowState = 'planned' | 'listed' | 'fetched' | 'partial' | 'failed' | 'expired';

/**
 * What a ledger row is. 'window': a window of the grid (or a history range). 'horizon-slice': the part of
 * a window that a run planned (from its queriedStart then) and that passed the 7-day horizon before any
 * run fetched it (collector/windows.ts `horizonSlice`); always `expired`, its start off the grid so it
 * never takes a window's key. Not a window: coverage reads it as where the stream's coverage began and
 * reports it as a gap of the window holding it (coverage/gaps.ts).
 */
export type WindowKind = 'window' | 'horizon-slice';

/**
 * Why a row is what it is, where that decides something (lastError only words it). 'awaiting-first-content':
 * the stream's new subscription had not had its first content when the window was last listed (Microsoft lists
 * it up to 12 h after the start, spec §2.2), so an empty answer proved nothing and the window stays unfinished
 * (collector/first-content.ts); on an `expired` row (a window or a horizon slice), the time passed the 7-day
 * horizon during that wait: it was never collectable through the feed (it is from before the subscription
 * started), not lost. 'beyond-retention': an `expired` row of a history stream whose time is older than
 * Microsoft keeps the tenant's audit log (collector/history-search.ts): no records exist to collect, so it is
 * no gap. null: nothing of the kind — an `expired` row without a cause was lost (not fetched in time).
 */
export type WindowCause = 'awaiting-first-content' | 'beyond-retention';

/** One window [start, end) of one stream of one tenant, as the coverage ledger keeps it. */
export interface CoverageWindow {
  tenant: string;
  stream: LedgerStream;
  start: number;
  end: number;
  kind: WindowKind;
  state: WindowState;
  cause: WindowCause | null;
  /** The startTime actually sent to the API for this window (re-used on resumption; see STYLE.md). */
  queriedStart: number | null;
  /**
   * How far a run fetched this window from its start, kept when a later run lists it again from a later start:
   * the last day fetched before an outage, fetched up to that run's now, is listed from the 7-day horizon when
   * the collector comes back, which moves queriedStart past what was fetched. [start, fetchedTo) was collected,
   * so only [fetchedTo, queriedStart) was lost (collector/windows.ts, coverage/gaps.ts). Also kept when a later
   * listing did not finish (failed, stopped, partial): [start, fetchedTo) stays collected, only the rest is the gap;
   * it ends at the first blob of the window that failed, or that a stop left unfetched, if that is inside it
   * (collector/stream.ts). null when no such listing followed one that fetched from the start: the usual case,
   * where queriedStart says all.
   */
  fetchedTo: number | null;
  blobsListed: number;
  blobsFetched: number;
  blobsFailed: number;
  records: number;
  newRecords: number;
  attempts: number;
  /** Words to show (the last failure, or why the row is what it is); never parsed: decisions read kind and cause. */
  lastError: string | null;
  updatedAt: number;
}

export interface BlobRow {
  tenant: string;
  contentType: ContentType;
  contentId: string;
  contentUri: string;
  contentCreated: number;
  contentExpiration: number | null;
  fetchedAt: number;
  /** Records in the blob body. */
  records: number;
  /** Records that were new to the store. */
  newRecords: number;
  /** sha256 (hex) of the body bytes as received: evidence of what was read. */
  sha256: string | null;
  /** 'fetched', or why it was not: 'refused', 'expired', 'missing', 'failed'. */
  status: 'fetched' | 'refused' | 'expired' | 'missing' | 'failed';
  reason: string | null;
  windowStart: number;
}

export interface Checkpoint {
  tenant: string;
  stream: LedgerStream;
  /** Everything available before this instant (contentCreated) has been committed. */
  position: number;
  updatedAt: number;
}

export interface LedgerStore {
  upsertWindow(window: CoverageWindow): Promise<void>;
  listWindows(filter?: {
    tenant?: string;
    stream?: LedgerStream;
    from?: number;
    to?: number;
  }): Promise<CoverageWindow[]>;
  /**
   * Stores a fetched blob's records and then its ledger row; returns how many records were new. The
   * collector's exactly-once rests on it: a blob with a ledger row is never fetched again, and every
   * record of it is stored. Where one engine holds both parts (the SQL adapters), both are written in
   * ONE transaction, so a crash leaves both or neither. Where the records live in another engine,
   * commitBlobAcross (commit-blob.ts) writes the records first, idempotently by (tenant, id), and the
   * ledger row after: a crash in between leaves records without a ledger row, so the blob is fetched
   * again and its records are ignored as duplicates (the row then says 0 new), never lost or doubled.
   */
  commitBlob(blob: Omit<BlobRow, 'records' | 'newRecords'>, records: readonly AuditRecord[]): Promise<InsertResult>;
  /** The ledger row of a blob whose records are already stored (commitBlobAcross's second step). */
  recordBlob(blob: BlobRow): Promise<void>;
  /** Records a blob that was not fetched (refused URL, expired, missing) with its reason. */
  recordBlobIssue(blob: Omit<BlobRow, 'records' | 'newRecords' | 'sha256'>): Promise<void>;
  /** True when this blob was already committed (status 'fetched'). */
  hasBlob(tenant: string, contentId: string): Promise<boolean>;
  listBlobs(filter: {
    tenant?: string;
    contentType?: ContentType;
    from?: number;
    to?: number;
    limit?: number;
  }): Promise<BlobRow[]>;
  getCheckpoint(tenant: string, stream: LedgerStream): Promise<Checkpoint | null>;
  /** Moves a checkpoint forward; a position before the stored one is ignored (returns false). */
  advanceCheckpoint(tenant: string, stream: LedgerStream, position: number, at: number): Promise<boolean>;
  /**
   * A lease lets several collector processes share work through the database: true when `owner`
   * now holds `key` until `until` (epoch ms). An expired lease can be taken over.
   */
  acquireLease(key: string, owner: string, until: number, now: number): Promise<boolean>;
  releaseLease(key: string, owner: string): Promise<void>;
  /** Who holds `key` and until when (epoch ms), expired or not; null when nobody does. */
  leaseHolder(key: string): Promise<{ owner: string; until: number } | null>;
  /**
   * Takes `key` from `from`, a holder the caller knows is gone (its process died), when `from` still
   * holds it: one compare-and-set, so of several reclaimers exactly one wins. True when `owner` holds it now.
   */
  reclaimLease(key: string, from: string, owner: string, until: number): Promise<boolean>;
  /**
   * Moves the term of `key` to `until` while `owner` still holds it, run out or not: one compare-and-set on the
   * owner, true when it did. False when another owner took it over, or it was let go or dropped since: unlike
   * acquireLease, a renewal never takes a key back that changed hands meanwhile (a holder that renews before each
   * step of its work then stops, and never does a step its successor may have done).
   */
  renewLease(key: string, owner: string, until: number): Promise<boolean>;
  /**
   * Removes the leases whose key starts with `prefix` and whose term ran out by `now` (until <= now, the test
   * acquireLease takes them over by); returns how many. For kinds keyed per item, whose rows left by a process
   * that died would otherwise pile up (alert routing's claims: one per alert and channel). Never for every key:
   * a run-out first-content lease is still read (collector/first-content.ts).
   */
  dropExpiredLeases(prefix: string, now: number): Promise<number>;
  /**
   * Forgets a tenant's books (windows, blobs, checkpoints) once its
   * records are purged: a ledger that still said "fetched" would make a re-added tenant skip the very
   * windows whose records are gone, and coverage would claim them. Returns the rows removed.
   */
  forgetTenant(tenant: string): Promise<{ windows: number; blobs: number; checkpoints: number }>;
}

/**
 * Per-consumer positions in the tail (consumer names: `detections:live`, `sink:<name>`). A cursor is
 * state, kept with the ledger, not with the records.
 */
export interface CursorStore {
  get(consumer: string): Promise<TailPosition | null>;
  /** Only the consumer moves its cursor, after the work for the records up to `position` is durable. */
  set(consumer: string, position: TailPosition, at: number): Promise<void>;
  list(): Promise<{ consumer: string; position: TailPosition; updatedAt: number }[]>;
  remove(consumer: string): Promise<void>;
}

export interface PostureSnapshot {
  tenant: string;
  takenAt: number;
  verdict: 'ok' | 'warning' | 'failing' | 'unknown';
  /** The full check result as JSON (posture module owns its shape). */
  body: unknown;
}

export interface PostureStore {
  save(snapshot: PostureSnapshot): Promise<void>;
  /** Newest first. */
  list(tenant: string, limit?: number): Promise<PostureSnapshot[]>;
  /** The newest snapshot of each tenant. */
  latest(): Promise<PostureSnapshot[]>;
}

/** The same values as detections' Severity (src/detections/contract.ts); the store keeps its own name so it never imports detections. */
export type AlertSeverity = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'new' | 'acknowledged' | 'resolved' | 'false_positive';

/**
 * One alert: every hit of one rule for one tenant and group key within one suppression window.
 * The id is derived from that key by the caller (detections/alerts), so a live run and a retro run
 * of the same rule over the same records name the same alert.
 */
export interface AlertRow {
  id: string;
  ruleId: string;
  tenant: string;
  groupKey: string;
  /** Start of the suppression window (epoch ms, a multiple of the window length) the alert covers. */
  windowStart: number;
  severity: AlertSeverity;
  title: string;
  status: AlertStatus;
  /** Who changed the status last and when (null while new and never touched). */
  statusBy: string | null;
  statusAt: number | null;
  /** CreationTime of the first and last record behind it, epoch ms. */
  firstSeen: number;
  lastSeen: number;
  hits: number;
  /** Record ids behind it, up to the bound the caller gives (store.records.get with the tenant). */
  recordIds: string[];
  /** Record ids of every hit counted, including those past the bound. */
  recordTotal: number;
  facts: Record<string, string>;
  /** While in the future, the alert is kept but not shown by default nor delivered (snooze). */
  snoozedUntil: number | null;
  /** When routing last delivered it (null: due for delivery once the snooze, if any, ends). */
  notifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A hit as the store applies it; the identities are computed by detections/alerts. */
export interface AlertHitInput {
  /** Identity of the hit (rule, tenant, group key, record ids…): applying it again changes nothing. */
  hitKey: string;
  alertId: string;
  ruleId: string;
  tenant: string;
  groupKey: string;
  windowStart: number;
  severity: AlertSeverity;
  title: string;
  recordIds: readonly string[];
  firstSeen: number;
  lastSeen: number;
  facts: Record<string, string>;
  /** A snooze in force for this hit (the alert is stored silently until then), else null. */
  snoozedUntil: number | null;
  /** How many record ids an alert keeps. */
  maxRecordIds: number;
}

export type ApplyHitOutcome = 'raised' | 'counted' | 'reopened' | 'duplicate';

/** What applying one hit did, and the alert as it stands after. */
export interface AppliedHit {
  outcome: ApplyHitOutcome;
  alert: AlertRow;
}

/**
 * The exclusions and snoozes a batch of hits was judged by (detections/alerts/raise.ts): the ids of those it read, the
 * snoozes those in force at the `now` the hits are applied at.
 */
export interface HitJudgement {
  exclusionIds: readonly string[];
  snoozeIds: readonly string[];
}

/**
 * The state of an alert as routing read it and sent it. A delivery is recorded (AlertStore.markNotified,
 * markChannelDelivered) only while the alert is still in that state: one that changed while it was being sent
 * (reopened, a new hit counted, its status or snooze changed) stays due, and its newer state is sent next pass.
 */
export type AlertVersion = Pick<AlertRow, 'id' | 'updatedAt' | 'hits' | 'status' | 'snoozedUntil'>;

/**
 * What AlertStore.markChannelDelivered did: recorded it; or not, because the alert changed since it was read (or is
 * gone), or because the channel's sink was removed meanwhile (a sink added again under its name is a new receiver).
 */
export type ChannelDeliveryRecord = 'recorded' | 'alert-changed' | 'sink-removed';

/**
 * What AlertStore.markNotified did: marked the alert delivered; or not, because it changed since it was read (or is
 * gone), or because a channel counted as having taken it no longer has its delivery row (its sink was removed).
 */
export type NotifyRecord = 'marked' | 'alert-changed' | 'channel-missing';

/** One channel (a sink's name) that took one alert, and when (AlertStore.markChannelDelivered). */
export interface ChannelDelivery {
  alertId: string;
  channel: string;
  at: number;
}

export interface AlertChange {
  alertId: string;
  at: number;
  /** A person's name, or `tenantwatch` for changes made by the product. */
  actor: string;
  action: 'raised' | 'reopened' | 'status' | 'snoozed';
  from: AlertStatus | null;
  to: AlertStatus | null;
  note: string | null;
}

export interface AlertFilter {
  tenants?: readonly string[];
  ruleIds?: readonly string[];
  severities?: readonly AlertSeverity[];
  statuses?: readonly AlertStatus[];
  /** Only alerts not snoozed at this instant (snoozedUntil null or ≤ it). */
  visibleAt?: number;
  /** Only alerts whose last hit is at or after this instant. */
  since?: number;
  limit?: number;
}

export type ExclusionKind = 'user' | 'address' | 'application';

/** Hits matching an exclusion are not raised (counted here). `*` as rule or tenant means every one. */
export interface AlertExclusion {
  id: string;
  ruleId: string;
  tenant: string;
  kind: ExclusionKind;
  /** A user (case-insensitive), an address or CIDR block, an application id or name. */
  value: string;
  reason: string;
  author: string;
  createdAt: number;
  /** Hits it kept from being raised, and when the last one was. */
  hits: number;
  lastHitAt: number | null;
}

/** While `until` is in the future, hits of the rule for the tenant (and group key, when given) are stored silently. */
export interface AlertSnooze {
  id: string;
  ruleId: string;
  tenant: string;
  /** null: every group key of the rule. */
  groupKey: string | null;
  until: number;
  reason: string;
  author: string;
  createdAt: number;
}

/** How detections derive an alert's id and a hit's key (detections/alerts/identity.ts): AlertStore.rekey derives them again. */
export interface AlertIdentity {
  alertId(ruleId: string, tenant: string, groupKey: string, windowStart: number): string;
  hitKey(hit: {
    ruleId: string;
    tenant: string;
    groupKey: string;
    recordIds: readonly string[];
    firstSeen: number;
  }): string;
  /** The record ids an alert keeps (two alerts merged keep as many). */
  maxRecordIds: number;
}

/** An alert id `optimize --rekey` changed (AlertStore.rekey): `from` names `to` from then on (AlertStore.movedTo). */
export interface AlertRename {
  from: string;
  to: string;
}

/** What AlertStore.rekey did (or, in a dry run, would do). */
export interface AlertRekey {
  /** Alerts changed: their tenant and record ids keyed in lower case, moved to a new id or not. */
  changed: number;
  /** The alerts among them whose id changed, in the order they were moved. */
  renamed: AlertRename[];
}

export interface AlertStore {
  /**
   * Applies one hit in one transaction: raises the alert (new), counts the hit on it (hits, last seen,
   * record ids up to the bound, severity raised to the highest), or reopens it when it was resolved.
   * A hit whose hitKey was applied before (a replay after a crash) changes nothing: 'duplicate'.
   */
  applyHit(hit: AlertHitInput, now: number): Promise<{ outcome: ApplyHitOutcome; alert: AlertRow }>;
  /**
   * Applies hits in order, all in one transaction (each exactly as applyHit would, a later hit seeing what
   * an earlier one did): what the live runner does with one tail batch's hits, since a commit per hit was
   * most of its cost. A crash replays the whole batch, which the hit keys make harmless.
   */
  applyHits(hits: readonly AlertHitInput[], now: number): Promise<AppliedHit[]>;
  /**
   * applyHits, only while the stored exclusions and snoozes (those in force at `now`) are still the ones the hits were
   * judged by, checked in its transaction; null, with nothing applied, when one was added or removed since: the
   * caller judges the hits again. So once `alerts exclude` or `alerts snooze` has stored one, no alert is raised, or
   * hit counted, that ignores it — not even from a batch of hits judged just before. PostgreSQL: the check holds a
   * lock that storing or removing an exclusion or snooze waits for.
   */
  applyJudgedHits(hits: readonly AlertHitInput[], now: number, judgedBy: HitJudgement): Promise<AppliedHit[] | null>;
  /** Counts a hit an exclusion kept back, once per hitKey; false when it was counted before. */
  countExcluded(hitKey: string, exclusionId: string, at: number): Promise<boolean>;
  /**
   * Deletes a tenant's alerts with their history and claimed hits (`tenant remove --purge`: the records
   * behind them are gone, and records stored again later must raise alerts again); returns how many
   * alerts went. Exclusions and snoozes, which people wrote, stay.
   */
  forgetTenant(tenant: string): Promise<number>;
  get(id: string): Promise<AlertRow | null>;
  /** Newest last hit first. */
  list(filter?: AlertFilter): Promise<AlertRow[]>;
  /**
   * The alerts' part of the merge of `optimize --rekey` (store/alert-rekey.ts, ADR 0039): an alert filed under a
   * GUID tenant spelled with upper-case letters, or naming records by such Ids, names them as the merged records are
   * keyed (lower case), so its records are found again, and moves to the id `identity` derives (the id the next hit
   * of its rule, group and window gets) with its history, deliveries and hit claims; an alert already under that id
   * takes it in (alert-rekey.ts mergeAlerts). Its status and snooze stay. Each alert is changed only as it was read
   * (one that took a hit meanwhile is left to the next run). Returns how many alerts changed and the ids that changed
   * (with `dryRun`: would change; nothing is written). Each old id is kept as an alias of the new one, in the move's
   * transaction (movedTo).
   */
  rekey(identity: AlertIdentity, options?: { dryRun?: boolean }): Promise<AlertRekey>;
  /**
   * The id of the alert that `id` became when `optimize --rekey` moved it (ADR 0039, the merge, point 5), or null
   * when no alert was moved from `id`. The old id was sent to channels and written in tickets, so whatever names an
   * alert by id (the CLI's alerts commands, the API's alert routes) follows it.
   */
  movedTo(id: string): Promise<string | null>;
  /**
   * The tenant keys alerts are filed under, in code point order (a tenant filter names a key alerts outlive their
   * records under: search/tenants.ts alertKeys).
   */
  tenantKeys(): Promise<string[]>;
  /**
   * Moves the status when it is still `from` (compare-and-set) and appends the change to the history;
   * false when the alert is missing or its status is no longer `from`.
   */
  setStatus(
    id: string,
    change: { from: AlertStatus; to: AlertStatus; actor: string; at: number; note?: string },
  ): Promise<boolean>;
  /** Sets (or with null clears) an alert's snooze, with a history entry. False when the alert is missing. */
  snooze(id: string, until: number | null, actor: string, at: number, note?: string): Promise<boolean>;
  /** Oldest-first history of an alert: raised, reopened, status changes, snoozes. */
  history(id: string): Promise<AlertChange[]>;
  /**
   * Alerts routing has not delivered yet whose snooze (if any) has ended at `now`, oldest first (created, then id);
   * `after` continues strictly after that alert (a page of a pass that reads them all).
   */
  due(now: number, limit: number, after?: { createdAt: number; id: string }): Promise<AlertRow[]>;
  /**
   * Marks the alert delivered when it is still in the state routing read (`sent`) and every channel of `taken` (the
   * channels routing found had it) still has its delivery row, checked with the write: 'alert-changed' when the alert
   * changed meanwhile or is gone, 'channel-missing' when a row went (its sink was removed, maybe added again under the
   * name: a new receiver that has not taken it); either way it stays due.
   */
  markNotified(sent: AlertVersion, at: number, taken?: readonly string[]): Promise<NotifyRecord>;
  /**
   * Which channels (sink names) already took these alerts since each last became due. An alert stays due
   * until every channel routed to took it; routing offers it only to the channels not listed here, so a
   * healthy channel is not sent it again while another one fails — across restarts and processes sharing
   * the store. Reopening the alert (applyHits), forgetting its tenant and removing the sink clear them.
   */
  channelDeliveries(alertIds: readonly string[]): Promise<ChannelDelivery[]>;
  /**
   * Records that a channel (the sink `channel`, named as in routes) took an alert: its receiver confirmed it, or
   * refused it for good (a dead letter). Called only after that answer (at least once); marking it again keeps the
   * first time. Recorded only while the alert is still in the state that was sent (`sent`) and that very sink exists
   * (its identity, not only its name), checked in the same transaction as the write: a row for an older state would
   * keep the newer one from that channel, and one for a removed sink would keep due alerts from a sink added again
   * under its name.
   */
  markChannelDelivered(sent: AlertVersion, channel: SinkRef, at: number): Promise<ChannelDeliveryRecord>;
  addExclusion(row: AlertExclusion): Promise<void>;
  listExclusions(filter?: { ruleId?: string; tenant?: string }): Promise<AlertExclusion[]>;
  removeExclusion(id: string): Promise<boolean>;
  addSnooze(row: AlertSnooze): Promise<void>;
  /** Snoozes still in force at `at` (all of them when at is undefined). */
  listSnoozes(at?: number): Promise<AlertSnooze[]>;
  removeSnooze(id: string): Promise<boolean>;
}

/** Sinks as registered, what they refused for good, and how they are doing (core/sink.ts). */
export type { SinkStore };
