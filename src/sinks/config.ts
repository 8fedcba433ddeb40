/**
 * What a person types to register a sink, turned into a stored SinkRow: the name checked, the URL
 * checked against the type, the filter parsed as search filters, the type's own options validated
 * (the same parse the driver does, so a bad option fails at `sink add`, not at 3 a.m.), and the
 * secret kept as an `env:NAME` reference or sealed with the secret key — never stored in clear.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { sealSecret } from '../config/secrets.js';
import { AppError } from '../core/errors.js';
import { SINK_KINDS, type SinkKind, type SinkRow, type SinkTakes } from '../core/sink.js';
import { filterTerms, parseSinkFilter, type SinkFilterInput } from './filter.js';

export interface SinkInput {
  name: string;
  type: string;
  url: string;
  /** `env:NAME` (kept as a reference) or a plain secret (sealed). */
  secret: { kind: 'ref'; ref: string } | { kind: 'plain'; value: string } | null;
  caFile: string | null;
  takes?: string;
  filter: SinkFilterInput;
  /** `key=value` pairs from --option, and type flags folded in by the CLI. */
  options: Record<string, unknown>;
  enabled?: boolean;
}

/** `--type splunk` etc.; the names of the command surface, plus a few spellings people use. */
const ALIASES: Record<string, SinkKind> = {
  hec: 'splunk',
  'splunk-hec': 'splunk',
  elasticsearch: 'elastic',
  opensearch: 'elastic',
  'azure-monitor': 'sentinel',
  ndjson: 'file',
  smtp: 'email',
};

export function parseKind(type: string): SinkKind {
  const t = type.trim().toLowerCase();
  if ((SINK_KINDS as readonly string[]).includes(t)) return t as SinkKind;
  const alias = ALIASES[t];
  if (alias) return alias;
  throw new AppError('USAGE', `--type ${type} is not a sink type`, { hint: `Use one of ${SINK_KINDS.join(', ')}` });
}

export function parseTakes(value: string | undefined, kind: SinkKind): SinkTakes {
  if (value === undefined) return kind === 'email' ? 'alerts' : kind === 'webhook' ? 'alerts' : 'records';
  if (value === 'records' || value === 'alerts' || value === 'both') return value;
  throw new AppError('USAGE', `--takes ${value} is not records, alerts or both`, {
    hint: 'Say what the sink takes: --takes records (audit records), alerts or both',
  });
}

export function checkSinkName(name: string): string {
  const n = name.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(n))
    throw new AppError('BAD_INPUT', `Sink name "${name}" is not usable`, {
      hint: 'Use letters, digits, dot, dash or underscore (up to 64), starting with a letter or digit',
    });
  return n;
}

/** `key=value` from --option; numbers and true/false stay text and are read by each type's config. */
export function parseOptionPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0)
      throw new AppError('USAGE', `--option ${p} is not key=value`, { hint: 'Give e.g. --option index=o365' });
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}

export function buildSinkRow(
  input: SinkInput,
  key: () => Buffer,
  now: number,
  validate: (row: SinkRow) => void,
  existing?: SinkRow | null,
): SinkRow {
  const kind = parseKind(input.type);
  const secret = input.secret;
  if (secret?.kind === 'ref' && !/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(secret.ref))
    throw new AppError('BAD_INPUT', `"${secret.ref}" is not a secret reference`, { hint: 'Use --token-env NAME' });
  if (secret?.kind === 'plain' && !secret.value.trim())
    throw new AppError('SECRET_MISSING', 'The secret given is empty', {
      hint: 'Set the variable to the token or secret',
    });
  const name = checkSinkName(input.name);
  refuseUrlPassword(input.url.trim(), name, kind);
  const row: SinkRow = {
    name,
    kind,
    url: input.url.trim(),
    takes: parseTakes(input.takes, kind),
    filter: parseSinkFilter(input.filter),
    options: input.options,
    secret: secret === null ? null : secret.kind === 'ref' ? secret.ref : sealSecret(secret.value.trim(), key()),
    caFile: input.caFile ? resolve(input.caFile) : null,
    enabled: input.enabled ?? true,
    // Always a fresh one: the store keeps the stored sink's on an update, and a sink removed since `existing` was read
    // must not come back under the removed one's identity (a pass still out for it would write to this one).
    id: randomUUID(),
    addedAt: existing?.addedAt ?? now,
    updatedAt: now,
    urlSecret: null,
  };
  refuseAlertFilter(row);
  validate(row);
  return sealUrl(row, key);
}

/**
 * A URL that carries a credential (a webhook's path, a token in the query: urlSecrets) is stored masked as
 * listings show it, and whole only sealed with the secret key (SinkRow.urlSecret): a copy of the database
 * (a backup, a PostgreSQL reader) no longer holds a Slack or Teams webhook in clear.
 */
function sealUrl(row: SinkRow, key: () => Buffer): SinkRow {
  if (urlSecrets(row.url, row.kind).length === 0) return row;
  return { ...row, url: publicUrl(row.url, row.kind), urlSecret: sealSecret(row.url, key()) };
}

/**
 * A sink's filter chooses records only: alerts go where alerting.yaml's routes send them (every alert to
 * every alert sink when there is no route). `sink add desk --type email --tenant contoso` confirmed
 * "alerts with tenant=contoso" and then sent every tenant's alerts there — one customer's alerts to
 * another's desk. An alerts-only sink with a filter is refused, naming the route that does it.
 */
function refuseAlertFilter(row: SinkRow): void {
  if (row.takes !== 'alerts' || filterTerms(row.filter).length === 0) return;
  throw new AppError(
    'USAGE',
    `Sink ${row.name} takes alerts, and --tenant, --record-type, --workload and --operation choose records`,
    {
      hint: `Alerts go where the routes of alerting.yaml send them: add a route such as "- channel: ${row.name}" with "tenants: [contoso]" (docs/ALERTS.md), and give the sink no filter`,
    },
  );
}

/** How a stored secret is shown: never its value. */
export function describeSecret(stored: string | null): string {
  if (stored === null) return 'none';
  if (stored.startsWith('env:')) return `from $${stored.slice(4)}`;
  return 'stored encrypted';
}

/**
 * A sink URL as listings show it (`sink list`, any message): no user:password, every query value masked
 * (`?token=***`), and for webhooks no path — Slack, Teams and Discord incoming webhook URLs carry their
 * credential in the path (hooks.slack.com/services/T…/B…/XXXX), so a webhook shows only its origin and `/***`.
 */
export function publicUrl(url: string, kind?: SinkKind): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/\?.*$/, '?***').replace(/\/\/[^/@]*@/, '//');
  }
  const path = kind === 'webhook' && u.pathname.length > 1 ? '/***' : u.pathname;
  const keys = [...new Set(u.searchParams.keys())];
  const query = u.search ? `?${keys.length ? keys.map((k) => `${encodeURIComponent(k)}=***`).join('&') : '***'}` : '';
  return `${u.protocol}//${u.host}${path}${query}`;
}

/**
 * The parts of a sink URL that are credentials, for redaction beside the sink's secret (cli/sinks.ts
 * sinkSecrets): a password in it, its query (whole, and each value), and a webhook's path (whole, and each
 * long segment). Every log line, stored last error, dead letter reason and message passes through it.
 */
export function urlSecrets(url: string, kind: SinkKind): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const out: string[] = [];
  if (u.password) out.push(u.password, decodeURIComponent(u.password));
  if (u.search.length > 1) {
    out.push(u.search.slice(1));
    // Short values (format=json) are left: redacting them would blank common words; the whole query is.
    for (const value of u.searchParams.values()) if (value.length >= 8) out.push(value, encodeURIComponent(value));
  }
  if (kind === 'webhook' && u.pathname.length > 1) {
    out.push(u.pathname);
    for (const part of u.pathname.split('/')) if (part.length >= 8) out.push(part);
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/**
 * A password written into the URL (`https://user:pass@…`, `smtp://u:p@…`) is refused: it would be stored
 * and shown in clear, while the secret options keep it as a variable name or sealed with the secret key.
 */
export function refuseUrlPassword(url: string, sink: string, kind: SinkKind): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return; // the type's own check says what is wrong with it
  }
  if (!u.password) return;
  const how: Partial<Record<SinkKind, string>> = {
    elastic: ' with --option auth=basic, the variable holding user:password',
    email: ' with --option user=NAME, the variable holding the password',
  };
  throw new AppError('BAD_INPUT', `The --url of sink ${sink} holds a password (user:password@host)`, {
    hint: `A password in the URL would be stored and shown in clear. Give it with --secret-env VAR${how[kind] ?? ''} (add --seal to store it encrypted), and the URL without it: ${publicUrl(url, kind)}`,
  });
}
