import type { IncomingMessage } from 'node:http';

/**
 * The emulator's small HTTP vocabulary: a request as handlers see it (body already read), and the reply
 * they return. Handlers never write to the socket: one writer (server.ts) adds the Date header and
 * applies slow and cut-off faults, so every response is treated the same way (behaviour 29).
 */
export type Service = 'token' | 'management' | 'graph' | 'exchange' | 'control';

export interface EmuRequest {
  method: string;
  url: URL;
  /** Lower-cased header names. */
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** https://host:port the client addressed (kept so links it gets back point where it came from). */
  base: string;
  params: Record<string, string>;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is (with `contentType`); anything else is sent as JSON; undefined = empty body. */
  body?: unknown;
  contentType?: string;
  /**
   * A body made piece by piece instead (ground truth of a week is tens of MB): sent chunked, with
   * backpressure, so it is never whole in memory. Control routes only: the slow and cut faults skip it.
   */
  stream?: Iterable<string>;
  /** The connection is reset instead of answering (the handler's work is done): a reply lost in flight. */
  reset?: true;
}

export type Handler = (req: EmuRequest) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  pattern: RegExp;
  service: Service;
  handler: Handler;
}

export const JSON_UTF8 = 'application/json; charset=utf-8';

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers, contentType: JSON_UTF8 };
}

export function header(req: EmuRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses the JSON body; undefined when empty, null when it is not JSON. */
export function jsonBody(req: EmuRequest): unknown {
  const text = req.body.toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Finds the route for a request; named groups of the pattern become `params`. */
export function match(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | 'method' | null {
  let methodMismatch = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      methodMismatch = true;
      continue;
    }
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
    return { route, params };
  }
  return methodMismatch ? 'method' : null;
}
