import { Option } from 'commander';
import type { JsonSchema } from '../../reports/types.js';

/**
 * A report's parameters as command-line flags, read from the JSON schema the reports engine publishes
 * (reports/registry.ts listReports), so `tenantwatch report ID --help` and docs/reference/cli.md list
 * every parameter of every report without a second description of them. Flags are kebab-case
 * (`--burst-threshold`); lists repeat the flag; a yes/no parameter needs no value (`--suspicious-only`).
 * The engine still validates every value: these flags only carry them.
 */
export type FlagKind = 'list' | 'boolean' | 'number' | 'choice' | 'text';

/** What a parameter is, from its schema: zod writes lists and yes/no flags as anyOf (see reports/params.ts). */
export function flagKind(schema: JsonSchema): FlagKind {
  const parts = schema.anyOf ?? [schema];
  const types = parts.flatMap((p) => (Array.isArray(p.type) ? p.type : p.type ? [p.type] : []));
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('array')) return 'list';
  if (types.includes('integer') || types.includes('number')) return 'number';
  if (schema.enum) return 'choice';
  return 'text';
}

/** burstThreshold → burst-threshold: the flag of a parameter (commander turns it back into camelCase). */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function describe(schema: JsonSchema, kind: FlagKind, required: boolean): string {
  const parts = [schema.description ?? ''];
  if (kind === 'list' && !/repeat/i.test(parts[0]!)) parts.push('(repeatable)');
  if (required) parts.push('(required)');
  if (schema.default !== undefined && kind !== 'boolean') {
    const given = schema.default;
    const value = typeof given === 'string' ? given : Array.isArray(given) ? given.join(', ') : JSON.stringify(given);
    parts.push(`(default: ${value})`);
  }
  return parts.filter(Boolean).join(' ');
}

/** A repeated flag's values, in order. */
function collect(value: string, prior: string[] | undefined): string[] {
  return [...(prior ?? []), value];
}

/** The flags of one report, in the order its schema declares its parameters. */
export function reportOptions(schema: JsonSchema): Option[] {
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const kind = flagKind(property);
    const required = schema.required?.includes(name) ?? false;
    const text = describe(property, kind, required);
    const flag = `--${kebab(name)}`;
    const option =
      kind === 'boolean'
        ? new Option(`${flag} [yes|no]`, text)
        : kind === 'list'
          ? new Option(`${flag} <value>`, text).argParser(collect)
          : new Option(`${flag} <${kind === 'number' ? 'n' : 'value'}>`, text);
    if (kind === 'choice') option.choices((property.enum ?? []).map(String));
    if (required) option.makeOptionMandatory();
    return option;
  });
}

/**
 * The parameters to run a report with, from the parsed flags: only those given (the engine applies
 * the defaults), a yes/no flag given alone as true.
 */
export function reportParams(schema: JsonSchema, flags: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties ?? {})) {
    const value = flags[name];
    if (value !== undefined) params[name] = value;
  }
  return params;
}
