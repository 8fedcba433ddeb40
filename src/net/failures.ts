import { AppError, isAppError } from '../core/errors.js';

/**
 * What went wrong below HTTP, named: a person reading "Connection failed" cannot tell an untrusted CA from
 * a wrong host name from a service that is down, and only the last one is worth retrying. Every socket or
 * TLS failure becomes a NETWORK AppError whose `details.cause` is one of the causes below and whose message
 * and hint say which it was and what to do. Certificate failures are permanent (retrying cannot make a
 * certificate trusted); the rest is transient. The hints never say "retried": whether a thrown error is retried
 * is each client's policy (the Exchange admin client reports one at once), so a client that retried says so
 * when it gives up (`afterRetries` in retry.ts).
 */
export type NetworkCause =
  | 'certificate-untrusted'
  | 'certificate-host'
  | 'certificate-expired'
  | 'certificate-not-yet-valid'
  | 'refused'
  | 'dns'
  | 'other';

/** OpenSSL's verification codes (as Node reports them) that mean "not signed by a CA you trust". */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);

interface Explained {
  cause: NetworkCause;
  message: string;
  hint: string;
}

function explain(e: unknown, host: string): Explained {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : '';
  if (UNTRUSTED.has(c))
    return {
      cause: 'certificate-untrusted',
      message: `The certificate of ${host} is not signed by a trusted certificate authority (${c})`,
      hint: 'If this is an emulator or a TLS-inspecting proxy, trust its CA with --ca-file; verification is never turned off',
    };
  if (c === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = (e as { cert?: { subjectaltname?: string } }).cert?.subjectaltname;
    return {
      cause: 'certificate-host',
      message: `The certificate of ${host} is for another host name${names ? ` (it names ${names})` : ''}`,
      hint: 'Use a base URL whose host is one the certificate names; a mismatch can also mean the traffic is intercepted',
    };
  }
  if (c === 'CERT_HAS_EXPIRED')
    return {
      cause: 'certificate-expired',
      message: `The certificate of ${host} has expired`,
      hint: "Renew the server's certificate, or check this machine's clock",
    };
  if (c === 'CERT_NOT_YET_VALID')
    return {
      cause: 'certificate-not-yet-valid',
      message: `The certificate of ${host} is not valid yet`,
      hint: "Check this machine's clock",
    };
  if (c === 'ECONNREFUSED')
    return {
      cause: 'refused',
      message: `Nothing accepts connections at ${host}`,
      hint: 'Check the base URL and that the service is running',
    };
  if (c === 'ENOTFOUND' || c === 'EAI_AGAIN')
    return {
      cause: 'dns',
      message: `The host name of ${host} could not be resolved`,
      hint: 'Check the base URL and DNS',
    };
  return {
    cause: 'other',
    message: `Connection to ${host} failed: ${message}`,
    hint: 'Check the network (and any proxy in between); run it again if it was a passing fault',
  };
}

/** A socket or TLS failure as a NETWORK AppError naming its cause; an abort stays an abort. */
export function networkError(e: unknown, signal: AbortSignal, url: URL): Error {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof Error) return reason;
    const err = new Error('The operation was aborted');
    err.name = 'AbortError';
    return err;
  }
  if (e instanceof AppError) return e;
  const x = explain(e, url.host);
  const code = (e as { code?: unknown }).code;
  return new AppError('NETWORK', x.message, {
    cause: e,
    details: { cause: x.cause, code: typeof code === 'string' ? code : undefined },
    hint: x.hint,
  });
}

/** The failures worth another try: network trouble (not a certificate), timeouts, garbled answers. */
export function isTransientError(e: unknown): boolean {
  if (!isAppError(e)) return false;
  if (e.code === 'TIMEOUT' || e.code === 'UPSTREAM') return true;
  if (e.code !== 'NETWORK') return false;
  const cause = e.details?.cause;
  return !(typeof cause === 'string' && cause.startsWith('certificate-'));
}
