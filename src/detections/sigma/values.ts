/**
 * One field condition of a Sigma selection (`Field|mod|mod: value or [values]`) compiled to a test.
 * Sigma's rules: string matches are case-insensitive (unless `cased`) with `*` and `?` wildcards
 * (`\*`, `\?`, `\\` escape them); several values are alternatives unless `all`; a field holding a list
 * matches when any element does; `null` means the field is absent or null.
 */
import { BlockList, isIP } from 'node:net';
import { canonicalIp } from '../../core/ip.js';
import type { RecordView } from '../record-view.js';
import { compileGetter, DERIVED_FIELDS, type Getter } from './fields.js';
import { resolveRecordType } from '../../core/catalog/index.js';
import { RuleFault } from './problem.js';
import { regexHazard } from './regex-safety.js';
import { asText, stringMatcher, type Shape } from './strings.js';

export type Test = (view: RecordView) => boolean;

const TRANSFORMS = new Set(['base64', 'base64offset', 'windash', 'cased', 'all']);
const KINDS = new Set([
  'contains',
  'startswith',
  'endswith',
  're',
  'cidr',
  'exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'fieldref',
  'external',
]);
const RE_FLAGS = new Set(['i', 'm', 's']);
const UNSUPPORTED: Record<string, string> = {
  wide: 'UTF-16 encodings apply to Windows logs, not to audit records',
  utf16: 'UTF-16 encodings apply to Windows logs, not to audit records',
  utf16le: 'UTF-16 encodings apply to Windows logs, not to audit records',
  utf16be: 'UTF-16 encodings apply to Windows logs, not to audit records',
  expand: 'placeholders need a placeholder list, which tenantwatch does not have',
};

export interface FieldSpec {
  field: string;
  modifiers: string[];
}

export function parseKey(key: string, line: number | null): FieldSpec {
  const [field = '', ...modifiers] = key.split('|');
  for (const m of modifiers) {
    const lower = m.toLowerCase();
    if (UNSUPPORTED[lower]) throw new RuleFault(`modifier "${m}" is not supported: ${UNSUPPORTED[lower]}`, line);
    if (!TRANSFORMS.has(lower) && !KINDS.has(lower) && !RE_FLAGS.has(lower))
      throw new RuleFault(`unknown modifier "${m}" in "${key}"`, line);
  }
  return { field, modifiers: modifiers.map((m) => m.toLowerCase()) };
}

export function compileFieldTest(spec: FieldSpec, value: unknown, line: number | null): Test {
  const mods = new Set(spec.modifiers);
  const kinds = spec.modifiers.filter((m) => KINDS.has(m));
  const kind = kinds.find((k) => k !== 'fieldref') ?? (mods.has('fieldref') ? 'fieldref' : 'equals');
  if (kinds.filter((k) => k !== 'fieldref').length > 1)
    throw new RuleFault(`modifiers ${kinds.join(' and ')} cannot be combined`, line);
  const get: Getter = spec.field === '' ? (v) => v.text : compileGetter(spec.field);
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  if (values.length === 0) throw new RuleFault(`"${spec.field}" has an empty list of values`, line);
  const recordType = spec.field.toLowerCase() === 'recordtype' && kind === 'equals';
  const tests = values.map((one) => compileOne(kind, mods, get, recordType ? recordTypeValue(one) : one, line));
  const all = mods.has('all');
  const test: Test = all
    ? (v) => tests.every((t) => t(v))
    : tests.length === 1
      ? tests[0]!
      : (v) => tests.some((t) => t(v));
  const must = rawNeedles(spec, kind, mods, values);
  if (!must) return test;
  if (all) {
    const each = must.map((group) => new RegExp(group.map(escapeRe).join('|'), 'i'));
    return (v) => (v.escapesAscii || each.every((re) => re.test(v.record.raw))) && test(v);
  }
  const any = new RegExp(must.flat().map(escapeRe).join('|'), 'i');
  return (v) => (any.test(v.record.raw) || v.escapesAscii) && test(v);
}

/**
 * Characters a JSON writer writes as they are, unless it writes them as `\uXXXX` escapes (JSON allows any
 * character so; several writers escape `&<>'+`): a value made of them appears in the raw text as it is
 * when the text has no such escape (RecordView.escapesAscii), and only then may the prefilter rule a record out.
 */
const PLAIN = /^[A-Za-z0-9 _.,:;@=+#$%&!~'()[\]{}<>|^-]+$/;

/**
 * What the raw AuditData text must contain (case aside) for a string match on a raw field to hold:
 * the longest wildcard-free piece of each value. Testing that on the text first saves parsing the
 * JSON of records that cannot match. Null when no such piece is certain: column and derived fields,
 * computed ones (`.Removed`), non-string matches, and values a JSON writer could escape.
 */
function rawNeedles(spec: FieldSpec, kind: string, mods: Set<string>, values: unknown[]): string[][] | null {
  const field = spec.field.toLowerCase();
  if (!field || DERIVED_FIELDS.has(field) || /\.(removed|added)$/.test(field)) return null;
  if (!['equals', 'contains', 'startswith', 'endswith'].includes(kind) || mods.has('fieldref')) return null;
  const needles: string[][] = [];
  for (const value of values) {
    if (typeof value !== 'string') return null;
    const group: string[] = [];
    needles.push(group);
    for (const variant of transform(value, mods)) {
      const pieces = variant.split(/(?<!\\)[*?]/).map((p) => p.replace(/\\([*?\\])/g, '$1'));
      const longest = pieces.reduce((a, b) => (b.length > a.length ? b : a), '');
      if (longest.length < 3 || !PLAIN.test(longest)) return null;
      group.push(longest);
    }
  }
  return needles.length ? needles : null;
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `RecordType: ExchangeAdmin` means 1: names are resolved through the catalogue. */
function recordTypeValue(value: unknown): unknown {
  if (typeof value !== 'string' || /^\d+$/.test(value)) return value;
  return resolveRecordType(value) ?? value;
}

function compileOne(kind: string, mods: Set<string>, get: Getter, value: unknown, line: number | null): Test {
  if (kind === 'exists') {
    if (typeof value !== 'boolean') throw new RuleFault('the exists modifier takes true or false', line);
    return (v) => present(get(v)) === value;
  }
  if (value === null) return (v) => get(v) === undefined || get(v) === null;
  if (kind === 'gt' || kind === 'gte' || kind === 'lt' || kind === 'lte') return numeric(kind, get, value, line);
  if (kind === 'cidr') return cidr(get, value, line);
  if (kind === 'external') {
    if (typeof value !== 'boolean') throw new RuleFault('the external modifier takes true or false', line);
    return (v) => anyScalar(get(v), (s) => addresses(s).some((a) => v.domains?.isExternal(v, a) ?? false)) === value;
  }
  if (kind === 're') return regex(get, value, mods, line);
  if (typeof value === 'object') throw new RuleFault('a value must be a string, a number, a boolean or null', line);
  const shape: Shape = kind === 'contains' || kind === 'startswith' || kind === 'endswith' ? kind : 'equals';
  const cased = mods.has('cased');
  if (mods.has('fieldref')) {
    const other = compileGetter(asText(value));
    return (v) => {
      const want = scalarText(other(v));
      if (want === null) return false;
      const match = stringMatcher(escapeWildcards(want), shape, cased);
      return anyScalar(get(v), match);
    };
  }
  const variants = transform(asText(value), mods);
  const matchers = variants.map((text) => stringMatcher(text, shape, cased));
  const match = matchers.length === 1 ? matchers[0]! : (s: string) => matchers.some((m) => m(s));
  return (v) => anyScalar(get(v), match);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Calls `test` on each scalar of a field value as text; any true wins. */
export function anyScalar(value: unknown, test: (s: string) => boolean): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.some((item) => anyScalar(item, test));
  if (typeof value === 'object') return test(JSON.stringify(value));
  return test(asText(value));
}

function scalarText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.length ? scalarText(value[0]) : null;
  return asText(value);
}

function escapeWildcards(text: string): string {
  return text.replace(/[\\*?]/g, (c) => `\\${c}`);
}

function numeric(kind: string, get: Getter, value: unknown, line: number | null): Test {
  const limit = Number(value);
  if (typeof value === 'boolean' || !Number.isFinite(limit)) throw new RuleFault(`${kind} needs a number`, line);
  const cmp =
    kind === 'gt'
      ? (n: number) => n > limit
      : kind === 'gte'
        ? (n: number) => n >= limit
        : kind === 'lt'
          ? (n: number) => n < limit
          : (n: number) => n <= limit;
  return (v) => anyScalar(get(v), (s) => s.trim() !== '' && cmp(Number(s)));
}

function cidr(get: Getter, value: unknown, line: number | null): Test {
  const text = asText(value);
  const [net = '', prefixText = ''] = text.split('/');
  const network = canonicalIp(net);
  const family = network ? isIP(network) : 0;
  const prefix = Number(prefixText);
  if (!network || !/^\d+$/.test(prefixText) || prefix > (family === 4 ? 32 : 128))
    throw new RuleFault(`"${text}" is not a CIDR block (e.g. 203.0.113.0/24)`, line);
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  list.addSubnet(network, prefix, type);
  return (v) =>
    anyScalar(get(v), (s) => {
      const ip = canonicalIp(s);
      return ip !== null && isIP(ip) === family && list.check(ip, type);
    });
}

function regex(get: Getter, value: unknown, mods: Set<string>, line: number | null): Test {
  const flags = ['i', 'm', 's'].filter((f) => mods.has(f)).join('');
  let re: RegExp;
  try {
    re = new RegExp(asText(value), flags);
  } catch (e) {
    throw new RuleFault(`bad regular expression: ${(e as Error).message}`, line);
  }
  const hazard = regexHazard(re.source, flags);
  if (hazard)
    throw new RuleFault(
      `regular expression ${JSON.stringify(re.source)} ${hazard}: one crafted value could make it run for ever and ` +
        'stall detection, so the rule is not loaded; write it without nested or overlapping repetition ' +
        '(^a+$, not ^(a+)+$) or use contains/startswith/endswith (docs/adr/0038-regex-safety.md)',
      line,
    );
  return (v) => anyScalar(get(v), (s) => re.test(s));
}

function transform(text: string, mods: Set<string>): string[] {
  let values = [text];
  if (mods.has('windash'))
    values = values.flatMap((t) => ['-', '/', '\u2013', '\u2014', '\u2015'].map((c) => t.replace(/\B[-/]\b/g, c)));
  if (mods.has('base64offset')) values = values.flatMap(base64Offsets);
  else if (mods.has('base64')) values = values.map((t) => Buffer.from(t, 'utf8').toString('base64'));
  return [...new Set(values)];
}

/** Sigma's base64offset: the three encodings of a value at byte offsets 0, 1 and 2 of a larger text. */
function base64Offsets(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const starts = [0, 2, 3];
  const ends = [0, -3, -2];
  return [0, 1, 2].map((i) => {
    const encoded = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
    const end = ends[(bytes.length + i) % 3]!;
    return encoded.slice(starts[i], end === 0 ? undefined : end);
  });
}

const ADDRESS = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/** The mail addresses in a value (`smtp:a@b.com`, `"A" [SMTP:a@b.com]`, `a@b.com;c@d.com`, JSON). */
export function addresses(text: string): string[] {
  return text.match(ADDRESS) ?? [];
}
