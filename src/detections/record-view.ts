/**
 * One record as every rule sees it: the stored columns at once, the raw AuditData parsed lazily and
 * at most once whatever the number of rules that look into it (the evaluator runs on every ingested
 * record, and JSON.parse is most of its cost).
 */
import { parseBoundedJson } from '../core/json.js';
import type { StoredRecord } from '../core/record.js';

export type Json = Record<string, unknown>;

export interface ExternalCheck {
  isExternal(view: RecordView, address: string): boolean;
}

export class RecordView {
  private parsed: Json | undefined;
  private opLower: string | undefined;
  private escaped: boolean | undefined;

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
   * though the parsed field holds it, so a raw-text prefilter cannot rule the record out.
   */
  get escapesAscii(): boolean {
    if (this.escaped === undefined) this.escaped = ASCII_ESCAPE.test(this.record.raw);
    return this.escaped;
  }

  get operationLower(): string {
    if (this.opLower === undefined) this.opLower = lower(this.record.operation);
    return this.opLower;
  }

  /** How many raw records were parsed in this process (tests and benchmarks read it). */
  static parses = 0;
}

/** `\u0020` to `\u007f` (either case of hex digit): printable ASCII written as an escape. */
const ASCII_ESCAPE = /\\u00[2-7][0-9a-fA-F]/;

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
