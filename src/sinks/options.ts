/**
 * Reading a sink's stored options (SinkRow.options, set by `sink add --option key=value` and the
 * type's own flags) into typed settings, with one error shape: what is wrong and how to set it.
 */
import { AppError } from '../core/errors.js';
import type { SinkRow } from '../core/sink.js';
import { closeNames } from '../search/suggest.js';

export type Options = Record<string, unknown>;

/** The keys each options object was asked for (checkOptionsUsed), noted by text, flag and int. */
const asked = new WeakMap<Options, Set<string>>();

function note(o: Options, key: string): void {
  let keys = asked.get(o);
  if (!keys) asked.set(o, (keys = new Set()));
  keys.add(key);
}

/**
 * Parses a sink's settings (a type's config function) and refuses the options it never asked for: an option
 * misspelt (idnex=o365) or one that does not apply (starttls on smtps) would otherwise be stored and ignored,
 * and the records would go where the person did not mean. Says which options the sink does use.
 */
export function checkOptionsUsed(row: SinkRow, parse: (row: SinkRow) => unknown): void {
  const options = { ...row.options };
  parse({ ...row, options });
  const used = [...(asked.get(options) ?? [])].sort();
  const unused = Object.keys(options).filter((k) => !used.includes(k));
  if (unused.length === 0) return;
  const close = unused.flatMap((k) => closeNames(k, used, 1).map((c) => `${k} → ${c}?`));
  throw new AppError(
    'CONFIG_INVALID',
    `Sink ${row.name} (${row.kind}) does not use the option${unused.length > 1 ? 's' : ''} ${unused.join(', ')}${close.length ? ` (${close.join(', ')})` : ''}`,
    {
      hint: used.length
        ? `The options this ${row.kind} sink uses: ${used.join(', ')}`
        : `A ${row.kind} sink set up like this takes no --option`,
      details: { unused },
    },
  );
}

function bad(sink: string, key: string, what: string): AppError {
  return new AppError('CONFIG_INVALID', `Sink option ${key} ${what}`, {
    hint: `Set it again with tenantwatch sink add ${sink} … --option ${key}=VALUE`,
    details: { option: key },
  });
}

export function text(o: Options, sink: string, key: string, fallback: string): string;
export function text(o: Options, sink: string, key: string, fallback: null): string | null;
export function text(o: Options, sink: string, key: string, fallback: string | null): string | null {
  note(o, key);
  const v = o[key];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v !== 'string' && typeof v !== 'number') throw bad(sink, key, 'is not text');
  return String(v);
}

export function flag(o: Options, sink: string, key: string, fallback: boolean): boolean {
  note(o, key);
  const v = o[key];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw bad(sink, key, 'is not true or false');
}

export function int(
  o: Options,
  sink: string,
  key: string,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  note(o, key);
  const v = o[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(sink, key, `is not a whole number from ${min} to ${max}`);
  return n;
}

/** The URL of a sink, checked against the schemes its type accepts. */
export function sinkUrl(url: string, sink: string, schemes: readonly string[]): URL {
  const example = urlExample(schemes[0]!);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('BAD_INPUT', `--url "${url}" of sink ${sink} is not a URL`, {
      hint: `Give e.g. ${example}`,
    });
  }
  if (!schemes.includes(u.protocol))
    throw new AppError(
      'BAD_INPUT',
      `--url of sink ${sink} must start with ${schemes.join(' or ')} (got ${u.protocol})`,
      {
        hint: `Give e.g. ${example}`,
      },
    );
  // new URL() takes port 0, and every connection to it fails (EADDRNOTAVAIL, or refused) at the first delivery.
  if (u.port === '0')
    throw new AppError('BAD_INPUT', `--url "${url}" of sink ${sink} has port 0, where nothing listens`, {
      hint: `Give the receiver's port, e.g. ${urlExample(u.protocol)}`,
    });
  return u;
}

/** What a URL of this scheme looks like: a file sink's is a path, not host:port. */
export function urlExample(scheme: string): string {
  return scheme === 'file:' ? 'file:///var/log/tenantwatch/records.ndjson' : `${scheme}//host:port`;
}

/** The secret a sink needs, or a clear error when it was not given. */
export function needSecret(secret: string | null, sink: string, what: string): string {
  if (secret) return secret;
  throw new AppError('SECRET_MISSING', `Sink ${sink} has no ${what}`, {
    hint: `Add it again with --token-env VAR (or --secret-env VAR) naming the variable that holds the ${what}`,
  });
}
