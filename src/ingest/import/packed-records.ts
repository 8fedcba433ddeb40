import type { AuditRecord, ContentType, Outcome, RecordSource } from '../../core/record.js';
import { recordKeys } from '../../store/columns.js';
import type { RecordKeys } from '../../store/contract.js';

/**
 * Records as columns, for the trip from the parse worker to the importer's thread: structured
 * cloning an array of objects writes every key of every object, one array per field does not, and
 * that clone is the worker's only overhead. Both functions name every field, so the compiler flags a
 * required field added to AuditRecord and not carried here. The worker also derives what the store
 * writes beside the fields (store/columns.ts recordKeys), so the writing thread only writes (ADR 0034).
 */
export interface PackedRecords {
  tenant: string[];
  id: string[];
  creationTime: number[];
  recordType: number[];
  operation: string[];
  workload: (string | null)[];
  userId: (string | null)[];
  userKey: (string | null)[];
  userType: (number | null)[];
  clientIp: (string | null)[];
  clientPort: (number | null)[];
  objectId: (string | null)[];
  resultStatus: (string | null)[];
  outcome: Outcome[];
  organizationId: (string | null)[];
  source: RecordSource[];
  contentType: (ContentType | null)[];
  userAgent: (string | null)[];
  appId: (string | null)[];
  logonType: (number | null)[];
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
  operationKey: string[];
  workloadKey: (string | null)[];
  clientIpKey: (string | null)[];
  plain: boolean[];
  nul: boolean[];
}

export function packRecords(records: readonly AuditRecord[]): PackedRecords {
  const p: PackedRecords = {
    tenant: [],
    id: [],
    creationTime: [],
    recordType: [],
    operation: [],
    workload: [],
    userId: [],
    userKey: [],
    userType: [],
    clientIp: [],
    clientPort: [],
    objectId: [],
    resultStatus: [],
    outcome: [],
    organizationId: [],
    source: [],
    contentType: [],
    userAgent: [],
    appId: [],
    logonType: [],
    raw: [],
    rawBytes: new ArrayBuffer(0),
    rawEnds: [],
    rawAscii: [],
    operationKey: [],
    workloadKey: [],
    clientIpKey: [],
    plain: [],
    nul: [],
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
  for (const r of records) {
    const written = bytes.write(r.raw, used, 'utf8');
    const ascii = written === r.raw.length;
    if (ascii || wellFormed(r.raw)) {
      used += written;
      p.rawEnds.push(used);
      p.raw.push('');
    } else {
      p.rawEnds.push(-1);
      p.raw.push(r.raw);
    }
    p.rawAscii.push(ascii);
    const keys = recordKeys(r, ascii);
    p.operationKey.push(keys.operationKey);
    p.workloadKey.push(keys.workloadKey);
    p.clientIpKey.push(keys.clientIpKey);
    p.plain.push(keys.plain);
    p.nul.push(keys.nul);
    p.tenant.push(r.tenant);
    p.id.push(r.id);
    p.creationTime.push(r.creationTime);
    p.recordType.push(r.recordType);
    p.operation.push(r.operation);
    p.workload.push(r.workload);
    p.userId.push(r.userId);
    p.userKey.push(r.userKey);
    p.userType.push(r.userType);
    p.clientIp.push(r.clientIp);
    p.clientPort.push(r.clientPort);
    p.objectId.push(r.objectId);
    p.resultStatus.push(r.resultStatus);
    p.outcome.push(r.outcome);
    p.organizationId.push(r.organizationId);
    p.source.push(r.source);
    p.contentType.push(r.contentType);
    p.userAgent.push(r.userAgent);
    p.appId.push(r.appId);
    p.logonType.push(r.logonType);
  }
  p.rawBytes = bytes.buffer;
  return p;
}

export function unpackRecords(p: PackedRecords): { records: AuditRecord[]; keys: RecordKeys[] } {
  const out: AuditRecord[] = new Array<AuditRecord>(p.id.length);
  const keys: RecordKeys[] = new Array<RecordKeys>(p.id.length);
  const bytes = Buffer.from(p.rawBytes);
  let start = 0;
  for (let i = 0; i < p.id.length; i++) {
    const end = p.rawEnds[i]!;
    let raw = p.raw[i]!;
    keys[i] = {
      operationKey: p.operationKey[i]!,
      workloadKey: p.workloadKey[i]!,
      clientIpKey: p.clientIpKey[i]!,
      plain: p.plain[i]!,
      nul: p.nul[i]!,
    };
    if (end >= 0) {
      raw = bytes.toString(p.rawAscii[i] ? 'latin1' : 'utf8', start, end);
      keys[i]!.rawBytes = bytes.subarray(start, end);
      start = end;
    }
    out[i] = {
      tenant: p.tenant[i]!,
      id: p.id[i]!,
      creationTime: p.creationTime[i]!,
      recordType: p.recordType[i]!,
      operation: p.operation[i]!,
      workload: p.workload[i]!,
      userId: p.userId[i]!,
      userKey: p.userKey[i]!,
      userType: p.userType[i]!,
      clientIp: p.clientIp[i]!,
      clientPort: p.clientPort[i]!,
      objectId: p.objectId[i]!,
      resultStatus: p.resultStatus[i]!,
      outcome: p.outcome[i]!,
      organizationId: p.organizationId[i]!,
      source: p.source[i]!,
      contentType: p.contentType[i]!,
      userAgent: p.userAgent[i]!,
      appId: p.appId[i]!,
      logonType: p.logonType[i]!,
      raw,
    };
  }
  return { records: out, keys };
}

/** No lone surrogate (ES2024's String.prototype.isWellFormed, in Node since 20; the project's lib is ES2023). */
function wellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}
