import type { ApiErrorBody } from './types.js';

/** An API failure as the server described it: code, what failed, what to do. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Fired when the server says the session has ended: the sign-in gate (auth/SignInGate.tsx) shows the form. */
export const SIGNIN_REQUIRED_EVENT = 'tenantwatch:signin-required';

async function failure(res: Response): Promise<ApiError> {
  let error: ApiError;
  try {
    const body = (await res.json()) as ApiErrorBody;
    error = new ApiError(body.error.code, body.error.message, body.error.hint, res.status);
  } catch {
    error = new ApiError(
      'HTTP_' + res.status,
      `The server answered ${res.status} ${res.statusText}`,
      undefined,
      res.status,
    );
  }
  if (error.code === 'SIGNIN_REQUIRED') window.dispatchEvent(new CustomEvent(SIGNIN_REQUIRED_EVENT));
  return error;
}

/**
 * The session's CSRF token, which the server set in a readable cookie at sign-in: every
 * state-changing request echoes it in a header, which another site's page can never send.
 */
function csrfHeader(): Record<string, string> {
  const m = /(?:^|;\s*)tw_csrf=([^;]+)/.exec(document.cookie);
  return m ? { 'x-csrf-token': decodeURIComponent(m[1]!) } : {};
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** A state-changing request (POST, PUT, DELETE) with a JSON body and the CSRF header. */
export async function sendJson<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    method,
    signal: signal ?? null,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...csrfHeader() },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return sendJson<T>('POST', path, body, signal);
}

/** Query string from a filter map: repeated keys for lists, empty values dropped. */
export function toQueryString(params: Record<string, string | string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
    for (const item of list) if (item.trim() !== '') q.append(k, item.trim());
  }
  return q.toString();
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function describeError(e: unknown): { message: string; hint?: string } {
  if (e instanceof ApiError) return { message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  return { message: e instanceof Error ? e.message : String(e) };
}
