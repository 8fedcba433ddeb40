import { CONTENT_TYPES, type ContentType } from '../../src/core/record.js';
import { DAY } from '../../src/core/time.js';
import type { SimRecord } from '../sim/types.js';
import { unit } from '../util/rand.js';
import type { World } from '../world.js';

/**
 * Blob assembly (spec §2.6, behaviour 26), derived deterministically from the seed and the simulator's
 * records per CreationTime slot, so ground truth is stable and nothing has to be stored:
 * - a slot's records land in 1–3 blobs per content type, each becoming available (contentCreated) at
 *   slot end + delivery delay + a seeded jitter larger than a slot, so blobs are not in event order;
 * - about 3% of records repeat in a second blob of the slot (or twice in the same blob), about 2% also
 *   in the next slot's first blob; about 10% of slots with records add an empty blob (`[]`), ~5% of blobs;
 * - a blob expires 7 days after contentCreated.
 * Listing needs only blob metadata, but empty slots are known only from their records, so records are
 * generated per slot and kept in a bounded cache.
 */
export interface BlobRef {
  tenantId: string;
  contentType: ContentType;
  slot: number;
  index: number;
  contentCreated: number;
  /** Whether the blob holds records (false = an empty `[]` blob). */
  hasRecords: boolean;
}

/**
 * Records kept in the slot cache (least recently used slots go first). A simulated record costs about
 * 2.4 KB of heap; 25,000 hold a day of five 200-user tenants, enough for collectors listing a day per
 * tenant at once, and keep a week of 5 × 200 users well under the 500 MB budget (bench/emulator.bench.ts).
 */
const CACHE_LIMIT_RECORDS = 25_000;
/** Share of slots with records that also list an empty `[]` blob (~5% of all listed blobs, DESIGN). */
const EMPTY_BLOB_SLOT_RATE = 0.1;

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:TZ.]/g, '');
}

export function contentIdOf(b: BlobRef): string {
  const ct = b.contentType.replace('.', '_');
  return `${stamp(b.contentCreated)}$${stamp(b.contentCreated)}${b.slot}$${ct.toLowerCase()}$${ct}$${String(b.index).padStart(2, '0')}`;
}

const ID_RE = /^(\d{17})\$(\d{17})(\d+)\$([a-z_]+)\$([A-Za-z_]+)\$(\d{2})$/;

/** Parses a contentId; null when it is not one this service could have issued (AF20052). */
export function parseContentId(
  id: string,
): { slot: number; index: number; contentType: ContentType; created: string } | null {
  const m = ID_RE.exec(id);
  if (!m || m[1] !== m[2]) return null;
  const contentType = CONTENT_TYPES.find((c) => c.replace('.', '_') === m[5]);
  if (!contentType || contentType.replace('.', '_').toLowerCase() !== m[4]) return null;
  return { slot: Number(m[3]), index: Number(m[6]), contentType, created: m[1]! };
}

export class BlobCatalog {
  private cache = new Map<string, SimRecord[]>();
  private cachedRecords = 0;

  constructor(private readonly world: World) {}

  private get slotMs(): number {
    return this.world.tuning.slotMs;
  }

  /** Every record of a tenant's slot (all content types), that exists: UAL was on at its CreationTime. */
  slotRecords(tenantId: string, slot: number): SimRecord[] {
    const key = `${tenantId}|${slot}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const from = slot * this.slotMs;
    const to = from + this.slotMs;
    const extra = this.world.state
      .tenant(tenantId)
      .extraRecords.filter((r) => r.creationTime >= from && r.creationTime < to);
    // Set-AdminAuditLogConfig "always writes" its record (§5.5), so protocol-side records skip the UAL filter.
    const records = [
      ...this.world.sim.records(tenantId, from, to).filter((r) => this.world.ualEnabledAt(tenantId, r.creationTime)),
      ...extra,
    ];
    // The current slot is still filling (activity keeps arriving): never cache it.
    if (to <= this.world.now()) this.remember(key, records);
    return records;
  }

  private remember(key: string, records: SimRecord[]): void {
    this.cache.set(key, records);
    this.cachedRecords += records.length;
    for (const [old, held] of this.cache) {
      if (this.cachedRecords <= CACHE_LIMIT_RECORDS || old === key) break;
      this.cache.delete(old);
      this.cachedRecords -= held.length;
    }
  }

  /** Drops cached slots of a tenant (after the protocol side added a record or switched UAL). */
  invalidate(tenantId: string): void {
    for (const [key, held] of [...this.cache]) {
      if (!key.startsWith(`${tenantId}|`)) continue;
      this.cache.delete(key);
      this.cachedRecords -= held.length;
    }
  }

  /** The blobs of one slot and content type, with their metadata (no contents). */
  slotBlobs(tenantId: string, contentType: ContentType, slot: number): BlobRef[] {
    const { seed, tuning } = this.world;
    const own = this.slotRecords(tenantId, slot).filter((r) => r.contentType === contentType).length;
    const hasAny = own > 0 || this.carriedInto(tenantId, contentType, slot).length > 0;
    // An empty blob only beside real ones (~10% of slots with records ≈ 5% of listed blobs, DESIGN), and
    // never more blobs than records, so a blob meant to hold records never comes out `[]`.
    const withEmpty = hasAny && unit(seed, tenantId, contentType, slot, 'empty') < EMPTY_BLOB_SLOT_RATE;
    const n = hasAny ? Math.min(1 + Math.floor(unit(seed, tenantId, contentType, slot, 'n') * 3), Math.max(1, own)) : 0;
    const blobs: BlobRef[] = [];
    for (let i = 0; i < n + (withEmpty ? 1 : 0); i++) {
      const jitter = Math.floor(unit(seed, tenantId, contentType, slot, i, 'jitter') * tuning.deliveryJitterMs);
      const contentCreated = (slot + 1) * this.slotMs + tuning.deliveryDelayMs + jitter;
      blobs.push({ tenantId, contentType, slot, index: i, contentCreated, hasRecords: i < n });
    }
    return blobs;
  }

  /** Records of the previous slot that also land in this slot's first blob (duplicates across slots). */
  private carriedInto(tenantId: string, contentType: ContentType, slot: number): SimRecord[] {
    return this.slotRecords(tenantId, slot - 1).filter(
      (r) => r.contentType === contentType && unit(this.world.seed, recordId(r), 'carry') < 0.02,
    );
  }

  /** The records in one blob, in blob order (shuffled by seed, not event order), duplicates included. */
  blobRecords(b: BlobRef): Record<string, unknown>[] {
    if (!b.hasRecords) return [];
    const n = this.slotBlobs(b.tenantId, b.contentType, b.slot).filter((x) => x.hasRecords).length;
    const seed = this.world.seed;
    const out: SimRecord[] = [];
    const own = this.slotRecords(b.tenantId, b.slot).filter((r) => r.contentType === b.contentType);
    const ranked = own
      .map((r) => ({ r, id: recordId(r), u: unit(seed, recordId(r), 'blob') }))
      .sort((x, y) => x.u - y.u || (x.id < y.id ? -1 : 1));
    for (const [rank, { r, id }] of ranked.entries()) {
      // Ranked by a seeded hash and dealt round-robin: every blob of the slot gets at least one record.
      const home = rank % n;
      const dup = unit(seed, id, 'dup');
      if (home === b.index) out.push(r);
      if (dup < 0.03) {
        const other = n > 1 ? (home + 1) % n : home;
        if (other === b.index) out.push(r);
      }
    }
    if (b.index === 0) out.push(...this.carriedInto(b.tenantId, b.contentType, b.slot));
    out.sort((x, y) => unit(seed, recordId(x), out.length) - unit(seed, recordId(y), out.length));
    return out.map((r) => r.record);
  }

  /**
   * Blobs of a content type whose contentCreated lies in [from, to), oldest first. Only slots whose
   * blobs can fall in the window are visited (contentCreated is slot end + delay + jitter).
   */
  blobsCreatedIn(tenantId: string, contentType: ContentType, from: number, to: number): BlobRef[] {
    const { deliveryDelayMs, deliveryJitterMs } = this.world.tuning;
    const earliest = this.world.sim.options.start - this.world.sim.options.days * DAY;
    const firstSlot = Math.max(
      Math.floor(earliest / this.slotMs),
      Math.floor((from - deliveryDelayMs - deliveryJitterMs) / this.slotMs) - 1,
    );
    const lastSlot = Math.floor((to - deliveryDelayMs) / this.slotMs);
    const out: BlobRef[] = [];
    for (let slot = firstSlot; slot <= lastSlot; slot++) {
      for (const b of this.slotBlobs(tenantId, contentType, slot))
        if (b.contentCreated >= from && b.contentCreated < to) out.push(b);
    }
    return out.sort((a, b) => a.contentCreated - b.contentCreated || contentIdOf(a).localeCompare(contentIdOf(b)));
  }
}

export function recordId(r: SimRecord): string {
  return typeof r.record.Id === 'string' ? r.record.Id : JSON.stringify(r.record).slice(0, 200);
}
