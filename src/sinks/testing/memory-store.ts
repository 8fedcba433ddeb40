/**
 * An in-memory fake of exactly the store methods the forwarder uses (ports.ts): records in arrival
 * order with positions as decimal text, cursors, leases and sink rows. Used to test forwarding logic
 * without a database; the real stores are tested against the same contract by their conformance suite.
 */
import type { StoredRecord } from '../../core/record.js';
import type { SearchQuery } from '../../core/search-query.js';
import {
  addToSinkStats,
  sinkConsumer,
  type DeadLetter,
  type SinkRef,
  type SinkRow,
  type SinkStats,
  type SinkStore,
} from '../../core/sink.js';
import type { Cursors, ForwardStore, Leases, RecordTail, TailBatch, TailPosition } from '../ports.js';

export class MemoryForwardStore implements ForwardStore {
  readonly rows: StoredRecord[] = [];
  readonly cursorMap = new Map<string, TailPosition>();
  readonly leaseMap = new Map<string, { owner: string; until: number }>();
  readonly sinkMap = new Map<string, SinkRow>();
  readonly dead: DeadLetter[] = [];
  readonly statMap = new Map<string, SinkStats>();

  add(records: readonly StoredRecord[]): void {
    this.rows.push(...records);
  }

  readonly records: RecordTail = {
    tail: async (after, { limit }): Promise<TailBatch> => {
      const from = after === null ? 0 : Number(after);
      const records = this.rows.slice(from, from + limit);
      return { records, next: String(from + records.length) };
    },
    tailEnd: async () => String(this.rows.length),
    tailLag: async (after) => {
      const from = after === null ? 0 : Number(after);
      const rest = this.rows.slice(from);
      return { records: rest.length, oldestIngestedAt: rest[0]?.ingestedAt ?? null };
    },
    search: (query: SearchQuery) => {
      const rows = this.rows.filter(
        (r) =>
          r.creationTime >= query.range.start &&
          r.creationTime < query.range.end &&
          (!query.tenants || query.tenants.includes(r.tenant)),
      );
      return (async function* () {
        yield* rows;
      })();
    },
  };

  readonly cursors: Cursors = {
    get: async (c) => this.cursorMap.get(c) ?? null,
    set: async (c, p) => void this.cursorMap.set(c, p),
    remove: async (c) => void this.cursorMap.delete(c),
  };

  readonly ledger: Leases = {
    acquireLease: async (key, owner, until, now) => {
      const held = this.leaseMap.get(key);
      if (held && held.owner !== owner && held.until > now) return false;
      this.leaseMap.set(key, { owner, until });
      return true;
    },
    releaseLease: async (key, owner) => {
      if (this.leaseMap.get(key)?.owner === owner) this.leaseMap.delete(key);
    },
    leaseHolder: async (key) => this.leaseMap.get(key) ?? null,
    reclaimLease: async (key, from, owner, until) => {
      if (this.leaseMap.get(key)?.owner !== from) return false;
      this.leaseMap.set(key, { owner, until });
      return true;
    },
    renewLease: async (key, owner, until) => {
      if (this.leaseMap.get(key)?.owner !== owner) return false;
      this.leaseMap.set(key, { owner, until });
      return true;
    },
  };

  readonly sinks: SinkStore = {
    // As the stores: an update keeps the sink's identity and when it was first added.
    upsert: async (row) => {
      const stored = this.sinkMap.get(row.name);
      this.sinkMap.set(row.name, { ...row, id: stored?.id ?? row.id, addedAt: stored?.addedAt ?? row.addedAt });
    },
    list: async () => [...this.sinkMap.values()].sort((a, b) => a.name.localeCompare(b.name)),
    get: async (name) => this.sinkMap.get(name) ?? null,
    remove: async (name) => {
      this.cursorMap.delete(sinkConsumer(name));
      this.statMap.delete(name);
      this.dead.splice(0, this.dead.length, ...this.dead.filter((d) => d.sink !== name));
      return this.sinkMap.delete(name);
    },
    moveCursor: async (sink, position) => {
      if (!this.holds(sink)) return false;
      this.cursorMap.set(sinkConsumer(sink.name), position);
      return true;
    },
    addDeadLetters: async (sink, letters) => {
      if (this.holds(sink)) this.dead.push(...letters.map((d) => ({ ...d, sink: sink.name })));
    },
    deadLetters: async (sink, options) =>
      this.dead
        .filter((d) => d.sink === sink)
        .reverse()
        .slice(0, options?.limit ?? Infinity),
    countDeadLetters: async (sink) => this.dead.filter((d) => d.sink === sink).length,
    addStats: async (sink, change) => {
      if (this.holds(sink))
        this.statMap.set(sink.name, addToSinkStats(sink.name, this.statMap.get(sink.name) ?? null, change));
    },
    stats: async (sink) => this.statMap.get(sink) ?? null,
  };

  /** Whether that very sink is stored (its identity, not only its name), as the stores check with each write. */
  private holds(sink: SinkRef): boolean {
    return this.sinkMap.get(sink.name)?.id === sink.id;
  }
}
