import type { Readable } from 'node:stream';

/**
 * The HTTP surface shared by every outbound client (the Microsoft clients today, sinks next): a request, a
 * streamed response, and the client interface tests replace with canned answers.
 */
export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Text, or bytes (a gzip body). */
  body?: string | Buffer;
  signal?: AbortSignal;
  /** Whole-request timeout; a stalled body counts too. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  /** The body as a stream, for bodies too large to hold (read it at most once, or use text/json). */
  body: Readable;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** HTTPS with an optional extra CA, never with verification turned off. */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
}

export interface ClosableHttpClient extends HttpClient {
  /** Closes idle keep-alive sockets. */
  close(): void;
}
