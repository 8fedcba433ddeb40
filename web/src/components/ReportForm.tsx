import { useState } from 'react';
import type { JsonSchema } from '../api.js';
import { forConsole } from '../report-text.js';

/**
 * A field per parameter of the report's JSON schema (from its zod definition on the server). A parameter that takes
 * a string or a list (tenant, user: anyOf [string, array]) is a list: read as plain text, its field gave no
 * "comma-separated" hint.
 */
export function kindOf(s: JsonSchema): 'number' | 'boolean' | 'list' | 'enum' | 'text' {
  if (s.anyOf?.some((x) => x.type === 'array')) return 'list';
  const inner = s.anyOf?.find((x) => x.type !== 'null') ?? s;
  const t = Array.isArray(inner.type) ? inner.type.find((x) => x !== 'null') : inner.type;
  if (inner.enum) return 'enum';
  if (t === 'number' || t === 'integer') return 'number';
  if (t === 'boolean') return 'boolean';
  if (t === 'array') return 'list';
  return 'text';
}

/** Words people read for the common parameters; any other identifier is spelled out (minFiles → "Min files"). */
const LABELS: Record<string, string> = {
  start: 'From',
  end: 'To',
  user: 'Users',
  tenant: 'Tenants',
  workload: 'Workloads',
};

export function labelOf(name: string): string {
  if (LABELS[name]) return LABELS[name];
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The label of a parameter's field in the form (undefined: the report has no such parameter). */
export function fieldLabel(schema: JsonSchema | undefined, name: string): string | undefined {
  const s = schema?.properties?.[name];
  return s ? (s.title ?? labelOf(name)) : undefined;
}

export function ReportForm({
  schema,
  onRun,
  busy,
}: {
  schema: JsonSchema | undefined;
  onRun: (params: Record<string, unknown>) => void;
  busy: boolean;
}) {
  const props = Object.entries(schema?.properties ?? {});
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const submit = (e: React.FormEvent): void => {
    e.preventDefault();
    const params: Record<string, unknown> = {};
    for (const [name, s] of props) {
      const v = values[name];
      if (v === undefined || v === '') continue;
      const kind = kindOf(s);
      params[name] =
        kind === 'number'
          ? Number(v)
          : kind === 'list'
            ? String(v)
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean)
            : v;
    }
    onRun(params);
  };
  return (
    <form className="report-form" onSubmit={submit}>
      {props.map(([name, s]) => {
        const kind = kindOf(s);
        const required = schema?.required?.includes(name);
        const placeholder =
          s.default !== undefined
            ? `default: ${typeof s.default === 'string' ? s.default : JSON.stringify(s.default)}`
            : kind === 'list'
              ? 'comma-separated'
              : '';
        return (
          <label
            key={name}
            className="field"
            title={s.description === undefined ? undefined : forConsole(s.description, (p) => fieldLabel(schema, p))}
          >
            <span className="label">
              {s.title ?? labelOf(name)}
              {required ? ' *' : ''}
            </span>
            {kind === 'boolean' ? (
              <input
                type="checkbox"
                name={name}
                checked={values[name] === true}
                onChange={(e) => setValues({ ...values, [name]: e.target.checked })}
              />
            ) : kind === 'enum' ? (
              <select
                name={name}
                value={String(values[name] ?? '')}
                onChange={(e) => setValues({ ...values, [name]: e.target.value })}
              >
                <option value="">{placeholder || '—'}</option>
                {(s.enum ?? s.anyOf?.find((x) => x.enum)?.enum ?? []).map((o) => (
                  <option key={String(o)} value={String(o)}>
                    {String(o)}
                  </option>
                ))}
              </select>
            ) : (
              <input
                name={name}
                type={kind === 'number' ? 'number' : 'text'}
                value={String(values[name] ?? '')}
                placeholder={placeholder}
                required={required}
                onChange={(e) => setValues({ ...values, [name]: e.target.value })}
              />
            )}
          </label>
        );
      })}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Running…' : 'Run report'}
      </button>
    </form>
  );
}
