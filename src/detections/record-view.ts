/**
 * One record as every rule sees it: the stored columns at once, the raw AuditData parsed lazily and
 * at most once whatever the number of rules that look into it (the evaluator runs on every ingested
 * record, and JSON.parse is most of its cost).
 */
import { parseBoundedJson } from '../core/json.js';
import { unescapeJsonText } from '../core/json-unescape.js';
import type { StoredRecord } from '../core/record.js';

export type Json = Record<string, unknown>;

export interface ExternalCheck {
  isExternal(view: RecordView, address: string): boolean;
}

export class RecordView {
  private parsed: Json | undefined;
  private opLower: string | undefined;
  private escaped: boolean | undefined;
  private unescaped: string | undefined;

  constructor(
    readonly record: StoredRecord,
    /** The tenant domains the `external` modifier asks (set by the evaluator). */
    readonly domains: ExternalCheck | null = null,
  ) {}

  /** The raw AuditData as an object; {} when it is not JSON (one bad record never stops the rules). */
  get data(): Json {
    if (this.parsed === undefined) {
      RecordView.parses++;
      this.parsed = parseObject(this.record.raw);
    }
    return this.parsed;
  }

  /** Whether the raw AuditData has been parsed (tests check that prefilters keep it unparsed). */
  get isParsed(): boolean {
    return this.parsed !== undefined;
  }

  /**
   * Whether the raw text writes a printable ASCII character as a `\uXXXX` escape. JSON allows any character
   * so written, and common writers do it for `&`, `<`, `>`, `'` and `+` (Go's encoding/json, .NET's
   * System.Text.Json, Windows PowerShell's ConvertTo-Json): then a value's literal is not in the raw text
   * though the parsed field holds it, so a raw-text prefilter cannot rule the record out. Normalization now
   * writes such escapes as their characters (ADR 0011), but records stored before keep them, and JSON held in
   * a string value (`Parameters`, `OperationProperties`) keeps its own, one level down (`\\u0026`).
   */
  get escapesAscii(): boolean {
    if (this.escaped === undefined) this.escaped = ASCII_ESCAPE.test(this.record.raw);
    return this.escaped;
  }

  /**
   * The raw text with its needless `\uXXXX` escapes written as their characters (core/json-unescape.ts), as
   * normalization stores raw since ADR 0011's rule: what keywords and `Payload` match, so a record stored
   * before with `Caf\u00e9` is matched by `café` as a new one is. A record without `\u` is raw itself.
   */
  get text(): string {
    if (this.unescaped === undefined) this.unescaped = unescapeJsonText(this.record.raw);
    return this.unescaped;
  }

  get operationLower(): string {
    if (this.opLower === undefined) this.opLower = lower(this.record.operation);
    return this.opLower;
  }

  /** How many raw records were parsed in this process (tests and benchmarks read it). */
  static parses = 0;
}

/**
 * `\u0020` to `\u007e` (either case of hex digit), printable ASCII written as an escape, but for `\u0022` and
 * `\u005c`: normalization keeps those (JSON needs `"` and `\` escaped, and System.Text.Json writes `"` so), and
 * no prefilter needle holds either character (values.ts PLAIN), so they never hide one.
 */
const ASCII_ESCAPE = /\\u00(?:2[013-9a-fA-F]|[346][0-9a-fA-F]|5[0-9abd-fABD-F]|7[0-9a-eA-E])/;

const lowered = new Map<string, string>();

/** Lower case of the few distinct operation and workload names, computed once each (no copy per record). */
export function lower(text: string): string {
  let value = lowered.get(text);
  if (value === undefined) {
    value = text.toLowerCase();
    if (lowered.size < 10_000) lowered.set(text, value);
  }
  return value;
}

function parseObject(text: string): Json {
  const value = parseBoundedJson(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
