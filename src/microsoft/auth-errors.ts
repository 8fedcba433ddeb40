import { AppError, isAppError } from '../core/errors.js';

/**
 * AADSTS codes (spec §1.6) in plain words: what failed and what to do. The codes come from the
 * error_description ("AADSTS7000215: …") that msal-node puts in its error message.
 */
const AADSTS: Record<string, { what: string; hint: string }> = {
  '7000215': {
    what: 'the client secret is wrong',
    hint: 'Use the secret VALUE (not its ID) from the app registration, e.g. tenantwatch tenant add NAME … --secret-stdin',
  },
  '7000222': {
    what: 'the client secret has expired',
    hint: 'Create a new secret in the app registration and register it again',
  },
  '700016': {
    what: 'no app with this client id exists in the tenant (not consented there, or wrong client id)',
    hint: 'Check --client-id, and that an admin of this tenant consented to the app',
  },
  '90002': {
    what: 'the tenant was not found',
    hint: 'Check --tenant-id, and --cloud (a GCC High or DoD tenant is not in the commercial cloud)',
  },
  '900023': { what: 'the tenant id is neither a GUID nor a domain', hint: 'Give the tenant GUID with --tenant-id' },
  '700027': {
    what: 'the certificate was refused (signature invalid or certificate not registered on the app)',
    hint: 'Upload this certificate to the app registration, or give the matching --key',
  },
  '700024': {
    what: 'the signed client assertion is outside its valid time (clock skew)',
    hint: "Check this machine's clock",
  },
  '7000216': { what: 'no secret or certificate was sent', hint: 'Register a secret or a certificate for the tenant' },
  '7000218': { what: 'no secret or certificate was sent', hint: 'Register a secret or a certificate for the tenant' },
  '70011': { what: 'the requested scope is invalid', hint: 'Check --cloud: each cloud has its own API hosts' },
  '1002012': { what: 'the requested scope is invalid', hint: 'Check --cloud: each cloud has its own API hosts' },
  '500011': {
    what: 'the API is not available in this tenant (resource principal not found)',
    hint: 'Check --cloud, and that the tenant has Microsoft 365',
  },
};

export function aadstsCode(text: string): string | null {
  return /AADSTS(\d+)/.exec(text)?.[1] ?? null;
}

export function explainAuthFailure(e: unknown, who: { tenantId: string; clientId: string; login: string }): AppError {
  if (isAppError(e)) {
    if (e.code === 'NETWORK' || e.code === 'TIMEOUT') {
      return new AppError(e.code, `The sign-in service ${who.login} could not be used: ${e.message}`, {
        cause: e,
        ...(e.hint ? { hint: e.hint } : {}),
        ...(e.details ? { details: e.details } : {}),
      });
    }
    return e;
  }
  if (e instanceof Error && e.name === 'AbortError')
    return new AppError('CANCELLED', 'Stopped on request', { cause: e });
  const message = e instanceof Error ? e.message : String(e);
  const errorNo = (e as { errorNo?: unknown }).errorNo;
  const code = aadstsCode(message) ?? (typeof errorNo === 'string' && /^\d+$/.test(errorNo) ? errorNo : null);
  const plain = code ? AADSTS[code] : undefined;
  const nested = (e as { cause?: unknown }).cause;
  if (!code && nested && isAppError(nested)) return explainAuthFailure(nested, who);
  // No AADSTS code and not a configuration mistake: the sign-in service could not be reached or
  // answered garbage (metadata fetch failed, 5xx, cut connection). Transient: NETWORK (retried where the
  // client retries thrown errors, which then says so: net/retry.ts afterRetries).
  if (!code && (e as { name?: string }).name !== 'ClientConfigurationError') {
    return new AppError(
      'NETWORK',
      `The sign-in service ${who.login} could not be used: ${message.split('\n')[0]!.slice(0, 200)}`,
      { hint: 'Check the network and --base-url', cause: e },
    );
  }
  const what =
    plain?.what ??
    (code
      ? `Entra ID refused the sign-in (AADSTS${code})`
      : `the sign-in failed (${message.split('\n')[0]!.slice(0, 200)})`);
  return new AppError('AUTH_FAILED', `Sign-in for tenant ${who.tenantId} with app ${who.clientId} failed: ${what}`, {
    hint: plain?.hint ?? 'Check the tenant id, client id, credential and --cloud; run tenantwatch tenant test NAME',
    details: { aadsts: code, errorCode: (e as { errorCode?: unknown }).errorCode ?? null },
    cause: e,
  });
}
