import type { AuditRecord, ContentType, Outcome, RecordSource } from '../../core/record.js';
import { operationKeyOf, recordFlags, workloadKeyOf } from '../../store/columns.js';
import { ipKey } from '../../store/ip-key.js';
import type { RecordKeys } from '../../store/contract.js';
import { isWellFormed } from '../well-formed.js';

/**
 * Records as columns, for the trip from the parse worker to the importer's thread: structured cloning an
 * array of objects writes every key of every object, one array per field does not. The worker also derives
 * what the store writes beside the fields (store/columns.ts recordKeys), so the writing thread only writes
 * (ADR 0034).
 *
 * The string fields whose values repeat (tenants, operations, users, addresses, agents: CODED) cross as
 * numbers into a dictionary both sides keep for the file: each distinct value crosses once, and the
 * writing thread gets one string per value instead of one per record, whose hash (the rollups' lookups) and
 * memory are shared. Past DICTIONARY_MAX words new values cross as they are (INLINE), so memory stays
 * bounded whatever the file holds.
 */
export interface PackedRecords {
  id: string[];
  objectId: (string | null)[];
  creationTime: number[];
  recordType: number[];
  userType: (number | null)[];
  clientPort: (number | null)[];
  logonType: (number | null)[];
  /**
   * The CODED fields of each record, one record after another (an Int32Array's buffer, transferred): a word's
   * number in the dictionary, NULL_CODE, or INLINE_CODE (the value is the next of `inline`).
   */
  codes: ArrayBuffer;
  /** Words this batch adds to the dictionary, in the order of their numbers. */
  words: string[];
  /** The values coded INLINE_CODE, in the order they are met. */
  inline: string[];
  /** raw, where it is not in rawBytes ('' where it is). */
  raw: string[];
  /**
   * The batch's raws as UTF-8, one after another (transferred, not copied), where each record's ends in it
   * (-1: its raw is in `raw`, as it holds a lone surrogate, which UTF-8 cannot carry) and whether it is pure
   * ASCII. Written here, raw's ASCII-ness costs no scan of its own, and the writing thread binds the bytes
   * instead of encoding each 1 KB raw again (ADR 0034).
   */
  rawBytes: ArrayBuffer;
  rawEnds: number[];
  rawAscii: boolean[];
  plain: boolean[];
  nul: boolean[];
  /** The few records whose key the source spelled otherwise (AuditRecord.receivedKey), by position in the batch. */
  received: { at: number; tenant: string; id: string }[];
}

/** The repeating string fields of a record, and of what the store derives from it, in their order in `codes`. */
const CODED_FIELDS = [
  'tenant',
  'operation',
  'workload',
  'userId',
  'userKey',
  'clientIp',
  'resultStatus',
  'outcome',
  'organizationId',
  'source',
  'contentType',
  'userAgent',
  'appId',
] as const satisfies readonly (keyof AuditRecord)[];
/**
 * The key columns, after the fields in `codes`, each a function of one coded field (store/columns.ts): the
 * packer derives a key once per distinct value of its field.
 */
const CODED_KEYS = [
  { key: 'operationKey', from: 'operation', derive: (v: string | null) => operationKeyOf(v!) },
  { key: 'workloadKey', from: 'workload', derive: workloadKeyOf },
  { key: 'clientIpKey', from: 'clientIp', derive: ipKey },
] as const satisfies readonly {
  key: keyof RecordKeys;
  from: (typeof CODED_FIELDS)[number];
  derive: (v: string | null) => string | null;
}[];
const WIDTH = CODED_FIELDS.length + CODED_KEYS.length;
const NULL_CODE = -1;
const INLINE_CODE = -2;
/** A key not derived yet from a word (RecordPacker.keyCodes). */
const UNKNOWN = -3;
/** Words a file's dictionary holds at most (both threads keep it: a few MB). */
export const DICTIONARY_MAX = 100_000;

/** The worker's side: packs each batch of one file, numbering new words as they come. */
export class RecordPacker {
  private readonly numbers = new Map<string, number>();
  /** Per CODED_KEYS entry, by the number of its field's word: the number of the key derived from it, or UNKNOWN. */
  private readonly keyCodes: Int32Array[];
  /** Where each CODED_KEYS entry's field sits in a record's codes. */
  private static readonly FROM = CODED_KEYS.map(({ from }) => CODED_FIELDS.indexOf(from));

  constructor(private readonly max = DICTIONARY_MAX) {
    this.keyCodes = CODED_KEYS.map(() => new Int32Array(max).fill(UNKNOWN));
  }

  pack(records: readonly AuditRecord[]): PackedRecords {
    const n = records.length;
    const codes = new Int32Array(n * WIDTH);
    const p: PackedRecords = {
      id: [],
      objectId: [],
      creationTime: [],
      recordType: [],
      userType: [],
      clientPort: [],
      logonType: [],
      codes: codes.buffer,
      words: [],
      inline: [],
      raw: [],
      rawBytes: new ArrayBuffer(0),
      rawEnds: [],
      rawAscii: [],
      plain: [],
      nul: [],
      received: [],
    };
    // Room for every raw at one byte a character, and for the longest at its most (three bytes a UTF-16 unit):
    // then no write below is cut short, and a raw took one byte a character exactly when it is pure ASCII.
    let room = 0;
    let longest = 0;
    for (const r of records) {
      room += r.raw.length;
      longest = Math.max(longest, r.raw.length);
    }
    // Not from Node's pool: its memory is the batch's own, so it can be transferred.
    const bytes = Buffer.allocUnsafeSlow(room + 3 * longest);
    let used = 0;
    for (let i = 0; i < n; i++) {
      const r = records[i]!;
      const written = bytes.write(r.raw, used, 'utf8');
      const ascii = written === r.raw.length;
      if (ascii || isWellFormed(r.raw)) {
        used += written;
        p.rawEnds.push(used);
        p.raw.push('');
      } else {
        p.rawEnds.push(-1);
        p.raw.push(r.raw);
      }
      p.rawAscii.push(ascii);
      const first = i * WIDTH;
      let at = first;
      for (const field of CODED_FIELDS) codes[at++] = this.code(r[field], p);
      for (let k = 0; k < CODED_KEYS.length; k++) {
        const source = codes[first + RecordPacker.FROM[k]!]!;
        let key = source >= 0 ? this.keyCodes[k]![source]! : UNKNOWN;
        if (key === UNKNOWN) {
          const { from, derive } = CODED_KEYS[k]!;
          key = this.code(derive(r[from]), p);
          if (source >= 0 && key !== INLINE_CODE) this.keyCodes[k]![source] = key;
        }
        codes[at++] = key;
      }
      const flags = recordFlags(r, ascii);
      p.plain.push(flags.plain);
      p.nul.push(flags.nul);
      p.id.push(r.id);
      p.objectId.push(r.objectId);
      p.creationTime.push(r.creationTime);
      p.recordType.push(r.recordType);
      p.userType.push(r.userType);
      p.clientPort.push(r.clientPort);
      p.logonType.push(r.logonType);
      if (r.receivedKey) p.received.push({ at: i, ...r.receivedKey });
    }
    p.rawBytes = bytes.buffer;
    return p;
  }

  /** A value's code in batch `p`: its word's number (numbering a new word while there is room), NULL or INLINE. */
  private code(value: string | null, p: PackedRecords): number {
    if (value === null) return NULL_CODE;
    const known = this.numbers.get(value);
    if (known !== undefined) return known;
    if (this.numbers.size >= this.max) {
      p.inline.push(value);
      return INLINE_CODE;
    }
    const number = this.numbers.size;
    this.numbers.set(value, number);
    p.words.push(value);
    return number;
  }
}

/** The importer's side: unpacks the batches of one file in the order they were packed. */
export class RecordUnpacker {
  private readonly words: string[] = [];

  unpack(p: PackedRecords): { records: AuditRecord[]; keys: RecordKeys[] } {
    for (const w of p.words) this.words.push(w);
    const n = p.id.length;
    const out: AuditRecord[] = new Array<AuditRecord>(n);
    const keys: RecordKeys[] = new Array<RecordKeys>(n);
    const codes = new Int32Array(p.codes);
    const bytes = Buffer.from(p.rawBytes);
    let inline = 0;
    let at = 0;
    const next = (): string | null => {
      const c = codes[at++]!;
      return c >= 0 ? this.words[c]! : c === NULL_CODE ? null : p.inline[inline++]!;
    };
    let start = 0;
    for (let i = 0; i < n; i++) {
      // In CODED_FIELDS order, then CODED_KEYS.
      const tenant = next()!;
      const operation = next()!;
      const workload = next();
      const userId = next();
      const userKey = next();
      const clientIp = next();
      const resultStatus = next();
      const outcome = next() as Outcome;
      const organizationId = next();
      const source = next() as RecordSource;
      const contentType = next() as ContentType | null;
      const userAgent = next();
      const appId = next();
      const k: RecordKeys = {
        operationKey: next()!,
        workloadKey: next(),
        clientIpKey: next(),
        plain: p.plain[i]!,
        nul: p.nul[i]!,
      };
      const end = p.rawEnds[i]!;
      let raw = p.raw[i]!;
      if (end >= 0) {
        raw = bytes.toString(p.rawAscii[i] ? 'latin1' : 'utf8', start, end);
        k.rawBytes = bytes.subarray(start, end);
        start = end;
      }
      keys[i] = k;
      out[i] = {
        tenant,
        id: p.id[i]!,
        creationTime: p.creationTime[i]!,
        recordType: p.recordType[i]!,
        operation,
        workload,
        userId,
        userKey,
        userType: p.userType[i]!,
        clientIp,
        clientPort: p.clientPort[i]!,
        objectId: p.objectId[i]!,
        resultStatus,
        outcome,
        organizationId,
        source,
        contentType,
        userAgent,
        appId,
        logonType: p.logonType[i]!,
        raw,
      };
    }
    for (const { at, tenant, id } of p.received) out[at]!.receivedKey = { tenant, id };
    return { records: out, keys };
  }
}
