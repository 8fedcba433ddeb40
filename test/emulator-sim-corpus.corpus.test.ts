import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { DAY } from '../src/core/time.js';
import { createSimulation } from '../emulator/sim/index.js';
import { corpusDir, corpusSkip } from './support/paths.js';

/**
 * Simulated records must look like the real ones: per RecordType, every top-level field we emit exists
 * in a real corpus record of that RecordType or in the field catalogue (fields.json) for that type, and
 * the common fields are always there.
 */
const fieldsJson = resolve(corpusDir, '..', 'spec', 'schema', 'fields.json');
const COMMON = [
  'Id',
  'RecordType',
  'CreationTime',
  'Operation',
  'OrganizationId',
  'UserType',
  'UserKey',
  'Workload',
  'UserId',
  'ClientIP',
];

type Json = Record<string, unknown>;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every audit record the corpus holds: JSON files (Sekoia's input.message), NDJSON/JSONL/log lines. */
function corpusRecords(): Json[] {
  const out: Json[] = [];
  const add = (x: unknown): void => {
    if (x && typeof x === 'object' && !Array.isArray(x) && ('RecordType' in x || 'Operation' in x)) out.push(x);
  };
  for (const file of walk(corpusDir)) {
    if (/\.(ndjson|jsonl|log)$/.test(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim().startsWith('{')) add(tryJson(line));
    } else if (file.endsWith('.json')) {
      const doc = tryJson(readFileSync(file, 'utf8')) as Json | Json[] | undefined;
      if (Array.isArray(doc)) doc.forEach(add);
      else if (doc && typeof (doc.input as Json | undefined)?.message === 'string')
        add(tryJson((doc.input as Json).message as string));
      else add(doc);
    }
  }
  return out;
}

interface Schema {
  extends: string | null;
  record_types: number[] | 'all' | null;
  fields: { name: string }[];
}

/** Field names fields.json allows for a RecordType: its schemas and what they extend, up to Common. */
function catalogueFields(recordType: number): Set<string> {
  const schemas = (JSON.parse(readFileSync(fieldsJson, 'utf8')) as { schemas: Record<string, Schema> }).schemas;
  const names = new Set<string>();
  const addChain = (name: string | null): void => {
    const s = name ? schemas[name] : undefined;
    if (!s) return;
    for (const f of s.fields) names.add(f.name);
    addChain(s.extends);
  };
  addChain('Common');
  for (const [name, s] of Object.entries(schemas))
    if (Array.isArray(s.record_types) && s.record_types.includes(recordType)) addChain(name);
  return names;
}

test(
  'simulated records use only fields real records or the catalogue have, per RecordType',
  { skip: corpusSkip },
  () => {
    const corpus = new Map<number, Set<string>>();
    for (const r of corpusRecords()) {
      const rt = Number(r.RecordType);
      if (!corpus.has(rt)) corpus.set(rt, new Set());
      for (const k of Object.keys(r)) corpus.get(rt)!.add(k);
    }
    const start = Date.UTC(2025, 5, 18, 9, 30, 0);
    const sim = createSimulation({ seed: 3, start, users: 30, days: 7 });
    const emitted = new Map<number, Set<string>>();
    for (const t of sim.tenants) {
      for (const r of sim.records(t.tenantId, start - 7 * DAY, start)) {
        const rt = Number(r.record.RecordType);
        for (const f of COMMON) assert.ok(f in r.record, `${f} missing from ${String(r.record.Operation)}`);
        if (!emitted.has(rt)) emitted.set(rt, new Set());
        for (const k of Object.keys(r.record)) emitted.get(rt)!.add(k);
      }
    }
    // The corpus's own common fields: on real records of ten or more record types (Version, for one).
    const spread = new Map<string, number>();
    for (const fields of corpus.values()) for (const f of fields) spread.set(f, (spread.get(f) ?? 0) + 1);
    const everywhere = [...spread].filter(([, n]) => n >= 10).map(([f]) => f);
    assert.ok(everywhere.includes('Version'));
    const unknown: string[] = [];
    for (const [rt, fields] of emitted) {
      const allowed = new Set([...(corpus.get(rt) ?? []), ...catalogueFields(rt), ...everywhere]);
      for (const f of fields) if (!allowed.has(f)) unknown.push(`RecordType ${rt}: ${f}`);
    }
    assert.deepEqual(unknown, []);
    // and the record types we simulate are ones the corpus has real examples of (18 only in the catalogue)
    assert.deepEqual(
      [...emitted.keys()].filter((rt) => !corpus.has(rt) && rt !== 18),
      [],
    );
  },
);
