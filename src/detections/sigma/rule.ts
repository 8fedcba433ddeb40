/**
 * One YAML document of a Sigma file turned into a rule: its metadata (title, id, level, tags,
 * references, tenantwatch's `runbook:`), and either a compiled detection (with the tenantwatch
 * `first-seen:` extension) or a correlation (correlation.ts). Problems are RuleFaults with lines.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { RuleInfo, Severity } from '../contract.js';
import type { FirstSeenSpec, Rule } from '../types.js';
import { compileCorrelation } from './correlation-def.js';
import { both, compileDetection, type Need } from './detection.js';
import { compileGetter } from './fields.js';
import { applicableTypes, mapLogsource, unknownField } from './logsource.js';
import { RuleFault, type CompileContext } from './problem.js';
import type { YamlDoc } from './yaml.js';

const LEVELS: readonly Severity[] = ['informational', 'low', 'medium', 'high', 'critical'];

export function compileDoc(doc: YamlDoc, file: string, index: number, warn: CompileContext['warn']): Rule {
  const ctx: CompileContext = { lineOf: (p) => doc.lineOf(p), warn };
  const body = doc.value;
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new RuleFault('a Sigma rule is a map (title, detection, …)', doc.line);
  const y = body as Record<string, unknown>;
  if ('action' in y)
    throw new RuleFault(
      'rule collections with "action: global/repeat" (Sigma v1) are not supported: write each rule in full',
      ctx.lineOf(['action']),
    );
  const info = metadata(
    y,
    file,
    index,
    ctx,
    'correlation' in y ? 'correlation' : 'first-seen' in y ? 'first-seen' : 'record',
  );
  const base = {
    info,
    name: typeof y.name === 'string' ? y.name : null,
    line: doc.line,
    fields: strings(y.fields),
  };
  if ('correlation' in y) return { ...base, ...compileCorrelation(y.correlation, ctx) };
  if (!('detection' in y)) throw new RuleFault('the rule has no detection (nor correlation)', doc.line);
  const mapped = mapLogsource(y.logsource);
  const detection = compileDetection(y.detection, ctx);
  const need: Need = mapped.applies
    ? both(detection.need, { operations: null, workloads: null, recordTypes: mapped.recordTypes })
    : detection.need;
  if (mapped.applies) {
    const types = applicableTypes(mapped.recordTypes, detection.need);
    for (const f of detection.fields) {
      const why = unknownField(f.name, types);
      if (why) warn(why, f.line);
    }
  } else warn(`${mapped.why}: the rule is loaded but not evaluated`, ctx.lineOf(['logsource']));
  return {
    ...base,
    kind: info.kind === 'first-seen' ? 'first-seen' : 'record',
    applies: mapped.applies,
    why: mapped.applies ? null : mapped.why,
    test: detection.test,
    need,
    generate: true,
    firstSeen: info.kind === 'first-seen' ? firstSeen(y['first-seen'], ctx) : null,
  };
}

function metadata(
  y: Record<string, unknown>,
  file: string,
  index: number,
  ctx: CompileContext,
  kind: RuleInfo['kind'],
): RuleInfo {
  if (typeof y.title !== 'string' || !y.title.trim()) throw new RuleFault('the rule has no title', ctx.lineOf([]));
  const level = typeof y.level === 'string' ? y.level.toLowerCase() : null;
  let severity: Severity = 'medium';
  if (level && (LEVELS as readonly string[]).includes(level)) severity = level as Severity;
  else
    ctx.warn(
      level
        ? `level "${String(y.level)}" is not one of ${LEVELS.join(', ')}: medium used`
        : 'the rule has no level: medium used',
      ctx.lineOf(['level']),
    );
  return {
    id: typeof y.id === 'string' && y.id.trim() ? y.id.trim() : derivedId(file, index),
    title: y.title.trim(),
    description: typeof y.description === 'string' ? y.description.trim() : '',
    severity,
    tags: strings(y.tags),
    references: strings(y.references),
    runbook: typeof y.runbook === 'string' ? y.runbook.trim() : null,
    file,
    kind,
  };
}

/** A rule without an id gets one from its file name and place: stable across runs and machines. */
function derivedId(file: string, index: number): string {
  const hash = createHash('sha1')
    .update(`${basename(file)}#${index}`)
    .digest('hex')
    .slice(0, 12);
  return `${basename(file).replace(/\.ya?ml$/i, '')}${index ? `-${index}` : ''}-${hash}`;
}

export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function firstSeen(block: unknown, ctx: CompileContext): FirstSeenSpec {
  const line = ctx.lineOf(['first-seen']);
  if (block === null || typeof block !== 'object' || Array.isArray(block))
    throw new RuleFault('first-seen is a map: field (or fields), group-by, days', line);
  const b = block as Record<string, unknown>;
  const fields = strings(b.fields ?? b.field);
  if (!fields.length) throw new RuleFault('first-seen needs field: the value that is new', line);
  const days = Number(b.days ?? 14);
  if (!Number.isFinite(days) || days <= 0)
    throw new RuleFault('first-seen days must be a positive number', ctx.lineOf(['first-seen', 'days']));
  return {
    fields: fields.map((name) => ({ name, get: compileGetter(name) })),
    groupBy: strings(b['group-by']).map((name) => ({ name, get: compileGetter(name) })),
    window: days * 86_400_000,
  };
}
