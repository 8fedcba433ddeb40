/**
 * Reading a sink's stored options (SinkRow.options, set by `sink add --option key=value` and the
 * type's own flags) into typed settings, with one error shape: what is wrong and how to set it.
 */
import { AppError } from '../core/errors.js';

export type Options = Record<string, unknown>;

function bad(sink: string, key: string, what: string): AppError {
  return new AppError('CONFIG_INVALID', `Sink option ${key} ${what}`, {
    hint: `Set it again with tenantwatch sink add ${sink} … --option ${key}=VALUE`,
    details: { option: key },
  });
}

export function text(o: Options, sink: string, key: string, fallback: string): string;
export function text(o: Options, sink: string, key: string, fallback: null): string | null;
export function text(o: Options, sink: string, key: string, fallback: string | null): string | null {
  const v = o[key];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v !== 'string' && typeof v !== 'number') throw bad(sink, key, 'is not text');
  return String(v);
}

export function flag(o: Options, sink: string, key: string, fallback: boolean): boolean {
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
  const v = o[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(sink, key, `is not a whole number from ${min} to ${max}`);
  return n;
}

/** The URL of a sink, checked against the schemes its type accepts. */
export function sinkUrl(url: string, sink: string, schemes: readonly string[]): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('BAD_INPUT', `--url "${url}" of sink ${sink} is not a URL`, {
      hint: `Give e.g. ${schemes[0]}//host:port`,
    });
  }
  if (!schemes.includes(u.protocol))
    throw new AppError(
      'BAD_INPUT',
      `--url of sink ${sink} must start with ${schemes.join(' or ')} (got ${u.protocol})`,
      {
        hint: `Give e.g. ${schemes[0]}//host:port`,
      },
    );
  return u;
}

/** The secret a sink needs, or a clear error when it was not given. */
export function needSecret(secret: string | null, sink: string, what: string): string {
  if (secret) return secret;
  throw new AppError('SECRET_MISSING', `Sink ${sink} has no ${what}`, {
    hint: `Add it again with --token-env VAR (or --secret-env VAR) naming the variable that holds the ${what}`,
  });
}
