import { resolveRecordType, resolveUserType } from '../core/catalog/index.js';
import { contentTypeForRecordType } from '../core/catalog/index.js';
import type { AuditRecord, ContentType, RecordSource } from '../core/record.js';
import { isODataAnnotation } from '../core/json.js';
import { parseClientAddress, type ClientAddress } from './client-address.js';
import { parseCreationTime } from './creation-time.js';
import { emptyExtracted, extractFields, type Extracted } from './extract.js';
import { columnInteger, recordFacts } from './facts.js';
import { deriveOutcome } from './outcome.js';
import { derivedRecordId } from './record-id.js';
import { nestedDeeperThan, objectDeeperThan, TOO_DEEP } from './depth.js';
import { wellFormedJson, wellFormedText } from './well-formed.js';
import { unescapeJsonText } from '../core/json-unescape.js';
import { canonicalKey } from '../core/guid.js';

/**
 * Any audit record shape → one AuditRecord (issue 2 §3): PascalCase AuditData (Management Activity API
 * blobs, Search-UnifiedAuditLog, CSV AuditData cells), a Graph auditLogRecord (camelCase envelope with
 * `auditData` inside; `raw` is then the auditData JSON), lower-case keys, numbers sent as strings.
 * A record that cannot be stored faithfully is refused with a reason, never repaired silently.
 */
export interface NormalizeContext {
  /** Tenant key to file the record under; defaults to the record's OrganizationId. */
  tenant?: string;
  source: RecordSource;
  /** The feed it came from; undefined → the content-type routing rule of core/catalog. */
  contentType?: ContentType | null;
  /** When the record arrives (injected clock): a CreationTime more than FUTURE_SLACK after it is refused. */
  now?: number;
}

/**
 * CreationTimes outside these bounds are refused with the reason (issue 18.10, 18.16): Microsoft 365
 * audit records start in the 2010s, and a record dated 9999-12-31 became the tenant's newest record
 * and hid that collection had stopped. A day of slack covers clocks that run ahead.
 */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
const FUTURE_SLACK = 24 * 3600_000;
/**
 * Records nested deeper than this are refused before anything walks them (issue 18.9: a deep record
 * crashed the import, and once stored, every search that printed it). Real audit records nest < 10.
 */
const MAX_DEPTH = 64;
/**
 * The most UTF-8 bytes of the values the stores index (tenant, Id, Operation, UserId): PostgreSQL refuses an
 * index entry past 2,704 bytes (`index row size … exceeds btree maximum`), and one such record failed its whole
 * batch, so an import stopped and a collector could never commit the blob holding it (SQLite kept it: the two
 * stores disagreed). Real values are GUIDs, operation names and UPNs of well under 300 bytes; tenant and Id
 * share one index, so each gets a little under half.
 */
const MAX_KEY_BYTES = 1_024;

/** `notJson`: JSON.parse refused the text given (an importer can then say where and why: import/json-problem.ts). */
export type NormalizeResult = { ok: true; record: AuditRecord } | { ok: false; reason: string; notJson?: true };

type Json = Record<string, unknown>;

export function normalizeRecord(input: string | object, ctx: NormalizeContext): NormalizeResult {
  let parsed: unknown = input;
  if (typeof input === 'string') {
    if (nestedDeeperThan(input, MAX_DEPTH)) return fail(TOO_DEEP);
    try {
      parsed = JSON.parse(input);
    } catch (e) {
      return { ok: false, reason: `not valid JSON (${(e as Error).message})${cutByPowerShell(input)}`, notJson: true };
    }
  } else if (objectDeeperThan(input, MAX_DEPTH)) return fail(TOO_DEEP);
  if (!isObject(parsed))
    return fail(`not a JSON object but ${describe(parsed)}: an audit record is an object${cutByPowerShell(parsed)}`);
  const text = typeof input === 'string' ? input : null;
  const fields = emptyExtracted();
  let body: Json = parsed;
  let raw: string;
  if (isGraphEnvelope(parsed)) {
    const inner = parsed.auditData;
    if (typeof inner === 'string') {
      if (nestedDeeperThan(inner, MAX_DEPTH)) return fail(TOO_DEEP);
      const decoded = tryParse(inner);
      if (!isObject(decoded)) return fail(`the Graph record's auditData is not a JSON object${cutByPowerShell(inner)}`);
      body = withoutODataAnnotations(decoded);
      raw = body === decoded ? inner : JSON.stringify(body);
    } else if (isObject(inner)) {
      body = withoutODataAnnotations(inner);
      raw = JSON.stringify(body);
    } else {
      raw = text ?? JSON.stringify(parsed);
    }
    if (body !== parsed) extractFields(body, fields, false);
    extractFields(parsed, fields, true);
  } else {
    extractFields(parsed, fields, false);
    raw = text ?? JSON.stringify(parsed);
    if (fields.auditData !== undefined) {
      // A Search-UnifiedAuditLog output row (ConvertTo-Json, a script's NDJSON): as with a CSV export, only its
      // AuditData is the record; CreationDate is local time (or `/Date(ms)/`), Identity is not named Id.
      const row = fields.auditData;
      if (typeof row === 'string' && nestedDeeperThan(row, MAX_DEPTH)) return fail(TOO_DEEP);
      const decoded = typeof row === 'string' ? tryParse(row) : row;
      if (!isObject(decoded))
        return fail(
          `the AuditData property is not a JSON object (a Search-UnifiedAuditLog row holds its record there)${cutByPowerShell(row)}`,
        );
      body = decoded;
      raw = typeof row === 'string' ? row : JSON.stringify(body);
      Object.assign(fields, emptyExtracted());
      extractFields(body, fields, false);
    }
  }
  // Needless \u escapes written as their characters (free text and Sigma keywords match raw's text: ADR 0011),
  // then any lone surrogate as its escape.
  return build(fields, body, wellFormedJson(unescapeJsonText(raw)), ctx);
}

/**
 * Graph sends a record's auditData with OData annotations (`"@odata.type":
 * "#microsoft.graph.security.defaultAuditData"`, or `Prop@odata.type` with full metadata). They describe the
 * Graph type, not the record: the Management API's copy of the same record has none, so kept they made every
 * record a history fill stored first a conflict when the live feed brought it again.
 */
export function withoutODataAnnotations(body: Json): Json {
  let out: Json | null = null;
  for (const key of Object.keys(body)) {
    if (!isODataAnnotation(key)) continue;
    out ??= { ...body };
    delete out[key];
  }
  return out ?? body;
}

function build(f: Extracted, body: Json, raw: string, ctx: NormalizeContext): NormalizeResult {
  const timeField = f.creationTime !== undefined ? 'CreationTime' : 'CreationDate';
  const timeValue = f.creationTime ?? f.creationDate;
  if (timeValue === undefined) return fail('no CreationTime');
  const creationTime = typeof timeValue === 'string' ? parseCreationTime(timeValue) : null;
  if (creationTime === null) return fail(`${timeField} ${JSON.stringify(timeValue)} is not an ISO 8601 date-time`);
  const impossible = outOfRange(creationTime, ctx.now);
  if (impossible) return fail(`${timeField} ${JSON.stringify(timeValue)} ${impossible}`);
  if (f.recordType === undefined) return fail('no RecordType');
  const recordType = toRecordType(f.recordType);
  if (recordType === null)
    return fail(`RecordType ${JSON.stringify(f.recordType)} is neither a number nor a known record type name`);
  // A record without Operation is still evidence (Elastic's ip-formats fixtures have none): kept with ''.
  const operation = text(f.operation) ?? '';
  const organizationId = text(f.organizationId);
  const tenantAsGiven = ctx.tenant === undefined ? organizationId : wellFormedText(ctx.tenant);
  if (!tenantAsGiven) return fail('no tenant: the record has no OrganizationId; import it with --tenant NAME');
  const userId = text(f.userId) ?? text(f.userPrincipalName);
  const idAsGiven = text(f.id) ?? derivedRecordId(body);
  // GUIDs are keyed in lower case, whatever case the source wrote (core/guid.ts, ADR 0039).
  const tenant = canonicalKey(tenantAsGiven);
  const id = canonicalKey(idAsGiven);
  const long = longKey([
    ['the tenant', tenant],
    ['Id', id],
    ['Operation', operation],
    ['UserId', userId],
  ]);
  if (long) return fail(`${long} is longer than ${MAX_KEY_BYTES} bytes: no audit record's is`);
  const resultStatus = text(f.resultStatus);
  const address = clientAddress(f);
  return {
    ok: true,
    record: {
      tenant,
      id,
      creationTime,
      recordType,
      operation,
      workload: text(f.workload),
      userId,
      userKey: userId === null ? null : userId.toLowerCase(),
      userType: toUserType(f.userType),
      clientIp: address.ip,
      clientPort: address.port,
      objectId: text(f.objectId),
      resultStatus,
      outcome: deriveOutcome({ operation, recordType, resultStatus, logonError: f.logonError, errorCode: f.errorCode }),
      organizationId,
      source: ctx.source,
      contentType: ctx.contentType === undefined ? contentTypeForRecordType(recordType) : ctx.contentType,
      ...recordFacts(f),
      raw,
      ...(tenant === tenantAsGiven && id === idAsGiven
        ? {}
        : { receivedKey: { tenant: tenantAsGiven, id: idAsGiven } }),
    },
  };
}

/** Why a parsed CreationTime cannot be a real audit record's, or null. */
function outOfRange(time: number, now: number | undefined): string | null {
  if (time < EARLIEST) return 'is before 2000: no Microsoft 365 audit record is that old';
  if (time >= LATEST || (now !== undefined && time > now + FUTURE_SLACK))
    return 'is in the future: a record from then would hide that collection stopped';
  return null;
}

/** The first field that holds a usable address wins: ClientIP, ClientIPAddress, ActorIpAddress, UserIp, SenderIp. */
function clientAddress(f: Extracted): ClientAddress {
  let hostOnly: ClientAddress | null = null;
  for (const value of [f.clientIp, f.clientIpAddress, f.actorIpAddress, f.userIp, f.senderIp]) {
    if (value === undefined) continue;
    const parsed = parseClientAddress(value);
    if (parsed.ip !== null) return parsed;
    if (parsed.port !== null) hostOnly ??= parsed;
  }
  return hostOnly ?? { ip: null, port: null };
}

function toRecordType(value: unknown): number | null {
  const n = typeof value === 'number' || typeof value === 'string' ? resolveRecordType(value) : null;
  return columnInteger(n) ? n : null;
}

function toUserType(value: unknown): number | null {
  const n = typeof value === 'number' || typeof value === 'string' ? resolveUserType(value) : null;
  return columnInteger(n) ? n : null;
}

/**
 * Strings as given (empty → null) but for lone surrogates, which become U+FFFD (well-formed.ts: both stores then
 * keep and key the same text); numbers and booleans as their text; anything else → null.
 */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : wellFormedText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Graph auditLogRecord: lowerCamel envelope (security-auditlogrecord.md). */
function isGraphEnvelope(record: Json): boolean {
  return 'auditData' in record || 'auditLogRecordType' in record || 'createdDateTime' in record;
}

/**
 * Why an auditData that should hold the record holds a type name instead: PowerShell's ConvertTo-Json writes an
 * object nested deeper than its -Depth (2 unless given) as its type name or `@{…}` text, with at most a warning
 * (`Invoke-MgGraphRequest … | ConvertTo-Json` saves every Graph record's auditData so), and Export-Csv any object.
 */
export function cutByPowerShell(value: unknown): string {
  if (typeof value !== 'string') return '';
  const text = value.trim();
  if (!/^(System\.[\w.]+(\[\])?|@\{.*\})$/s.test(text)) return '';
  return `: it reads ${JSON.stringify(text.slice(0, 40))}, what PowerShell writes for an object it does not write whole (ConvertTo-Json past its -Depth, 2 unless given; Export-Csv always); save the records again with ConvertTo-Json -Depth 20`;
}

function tryParse(textValue: string): unknown {
  try {
    return JSON.parse(textValue);
  } catch {
    return undefined;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}

/** The name of the first indexed value longer than MAX_KEY_BYTES, or null. */
function longKey(values: readonly [string, string | null][]): string | null {
  for (const [name, value] of values)
    if (value !== null && value.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(value) > MAX_KEY_BYTES) return name;
  return null;
}

function fail(reason: string): NormalizeResult {
  return { ok: false, reason };
}
