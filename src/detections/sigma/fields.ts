/**
 * Field access for rules: a Sigma field name compiled once to a getter over a RecordView.
 * - The UAL's own names (Operation, Workload, UserId, ClientIP, RecordType, ResultStatus, ObjectId…)
 *   read the stored columns, so rules on them never parse the raw record.
 * - Dotted paths walk nested objects and arrays (`AppAccessContext.AADSessionId`, `Actor.ID`), JSON
 *   held in a string included (`Data.an`), and reach Name/Value arrays by name:
 *   `Parameters.ForwardTo`, `ExtendedProperties.UserAgent`, `ModifiedProperties.Role.DisplayName.NewValue`
 *   (a name may itself contain dots; the longest name that exists wins).
 * - A bare name the record does not have is looked up in its ExtendedProperties and DeviceProperties
 *   (SigmaHQ writes `RequestType`, which Entra keeps in ExtendedProperties).
 * - SigmaHQ's generic m365 names: eventSource = Workload, eventName = Operation (and an alert's Name for
 *   SecurityComplianceAlerts, RecordType 40), status = the derived outcome (success/failure), Payload =
 *   the whole raw record as text (RecordView.text: its needless \uXXXX escapes undone, as keywords see it).
 * - tenantwatch extension: `ModifiedProperties.<Name>.Removed` / `.Added`, the elements of a JSON list
 *   that OldValue has and NewValue lacks (or the reverse); boolean flags such as `Default` do not make
 *   an element different, so changing the default MFA method removes nothing.
 * A getter returns undefined for an absent field, else a value or a list of values (any may match).
 */
import { parseBoundedJson } from '../../core/json.js';
import { field } from '../../ingest/fields.js';
import type { Json, RecordView } from '../record-view.js';

export type Getter = (view: RecordView) => unknown;

const COLUMNS: Record<string, Getter> = {
  operation: (v) => v.record.operation,
  workload: (v) => v.record.workload ?? undefined,
  userid: (v) => v.record.userId ?? undefined,
  clientip: (v) => v.record.clientIp ?? undefined,
  recordtype: (v) => v.record.recordType,
  resultstatus: (v) => v.record.resultStatus ?? undefined,
  objectid: (v) => v.record.objectId ?? undefined,
  usertype: (v) => v.record.userType ?? undefined,
  organizationid: (v) => v.record.organizationId ?? undefined,
};

/** SigmaHQ's m365 generic field names (spec/schema/ecs-mapping.md, "SigmaHQ"). */
const TAXONOMY: Record<string, Getter> = {
  eventsource: (v) => v.record.workload ?? undefined,
  eventname: (v) => (v.record.recordType === 40 ? [v.record.operation, field(v.data, 'Name')] : v.record.operation),
  status: (v) => v.record.outcome,
  payload: (v) => v.text,
};

/** Field names read from columns or derived, never from the raw record: they exist on every record. */
export const DERIVED_FIELDS = new Set([...Object.keys(COLUMNS), ...Object.keys(TAXONOMY)]);

const FALLBACK_ARRAYS = ['ExtendedProperties', 'DeviceProperties'];

export function compileGetter(name: string): Getter {
  const lower = name.toLowerCase();
  const direct = COLUMNS[lower] ?? TAXONOMY[lower];
  if (direct) return direct;
  const segments = name.split('.');
  if (segments.length === 1) {
    return (v) => {
      const value = field(v.data, name);
      if (value !== undefined) return value;
      for (const array of FALLBACK_ARRAYS) {
        const found = walk(field(v.data, array), segments, 0);
        if (found !== undefined) return found;
      }
      return undefined;
    };
  }
  return (v) => walk(v.data, segments, 0);
}

function walk(value: unknown, segs: readonly string[], i: number): unknown {
  if (i === segs.length) return value;
  if (typeof value === 'string') {
    const c = value.trimStart()[0];
    if (c !== '{' && c !== '[') return undefined;
    const parsed = parseBoundedJson(value);
    return parsed === undefined ? undefined : walk(parsed, segs, i);
  }
  if (Array.isArray(value)) return walkArray(value, segs, i);
  if (value !== null && typeof value === 'object') {
    const obj = value as Json;
    for (let j = segs.length; j > i; j--) {
      const found = field(obj, segs.slice(i, j).join('.'));
      if (found !== undefined) return walk(found, segs, j);
    }
    return virtual(obj, segs, i);
  }
  return undefined;
}

function walkArray(items: unknown[], segs: readonly string[], i: number): unknown {
  if (isNameValueArray(items)) {
    for (let j = segs.length; j > i; j--) {
      const name = segs.slice(i, j).join('.').toLowerCase();
      // Only the objects: a null or a string beside the entries (odd shapes happen) is no entry, not a crash.
      const entries = items.filter((e) => isObject(e) && String(field(e, 'Name')).toLowerCase() === name) as Json[];
      if (!entries.length) continue;
      const out = entries.map((e) => (j === segs.length ? entryValue(e) : walk(e, segs, j)));
      return flatten(out);
    }
    return undefined;
  }
  return flatten(items.map((item) => walk(item, segs, i)));
}

function isNameValueArray(items: unknown[]): boolean {
  const first = items[0];
  return isObject(first) && field(first, 'Name') !== undefined;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An entry's value: Value for Parameters and the like, NewValue (what it became) for ModifiedProperties. */
function entryValue(entry: Json): unknown {
  const value = field(entry, 'Value');
  return value !== undefined ? value : field(entry, 'NewValue');
}

function flatten(values: unknown[]): unknown {
  const out: unknown[] = [];
  for (const v of values) {
    if (v === undefined) continue;
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out.length ? out : undefined;
}

function virtual(obj: Json, segs: readonly string[], i: number): unknown {
  if (i !== segs.length - 1) return undefined;
  const which = segs[i]!.toLowerCase();
  if (which !== 'removed' && which !== 'added') return undefined;
  const before = elements(field(obj, 'OldValue'));
  const after = elements(field(obj, 'NewValue'));
  const [from, to] = which === 'removed' ? [before, after] : [after, before];
  const gone = [...from].filter((e) => !to.has(e));
  return gone.length ? gone : undefined;
}

/** The elements of a JSON list (or a single value) by identity: canonical JSON without boolean flags. */
function elements(value: unknown): Set<string> {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    parsed = value.trim() === '' ? [] : (parseBoundedJson(value) ?? value.split(',').map((s) => s.trim()));
  }
  const list = Array.isArray(parsed) ? parsed : parsed === null || parsed === undefined ? [] : [parsed];
  return new Set(list.map(identity));
}

function identity(item: unknown): string {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return String(item);
  const kept = Object.entries(item as Json)
    .filter(([, v]) => typeof v !== 'boolean')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(kept));
}
