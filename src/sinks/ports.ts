/**
 * What the forwarder needs from the store, declared here so sinks never import store/ (the dependency
 * rules of DESIGN.md). The store's own interfaces (store/contract.ts: RecordStore.tail/tailEnd/tailLag,
 * CursorStore, the ledger's leases) have exactly these shapes, and both take SinkStore from core/sink.ts,
 * so the CLI passes the store in as it is. Tests use testing/memory-store.ts, an in-memory fake of exactly these methods.
 */
import type { StoredRecord } from '../core/record.js';
import type { SearchQuery } from '../core/search-query.js';
import type { SinkStore } from '../core/sink.js';

export { sinkConsumer } from '../core/sink.js';

/** Where a consumer stands in the arrival order of records: opaque, compared only by the store. */
export type TailPosition = string;

export interface TailBatch {
  records: StoredRecord[];
  next: TailPosition;
}

export interface RecordTail {
  tail(after: TailPosition | null, options: { limit: number; signal?: AbortSignal }): Promise<TailBatch>;
  tailEnd(): Promise<TailPosition>;
  tailLag(after: TailPosition | null): Promise<{ records: number; oldestIngestedAt: number | null }>;
  /** For `sink replay --since`: the records of a period (any order). */
  search(query: SearchQuery, options?: { signal?: AbortSignal }): AsyncIterable<StoredRecord>;
}

export interface Cursors {
  get(consumer: string): Promise<TailPosition | null>;
  set(consumer: string, position: TailPosition, at: number): Promise<void>;
  remove(consumer: string): Promise<void>;
}

export interface Leases {
  acquireLease(key: string, owner: string, until: number, now: number): Promise<boolean>;
  releaseLease(key: string, owner: string): Promise<void>;
  leaseHolder(key: string): Promise<{ owner: string; until: number } | null>;
  reclaimLease(key: string, from: string, owner: string, until: number): Promise<boolean>;
  renewLease(key: string, owner: string, until: number): Promise<boolean>;
}

/** The part of the Store the forwarder uses. */
export interface ForwardStore {
  records: RecordTail;
  cursors: Cursors;
  ledger: Leases;
  sinks: SinkStore;
}
