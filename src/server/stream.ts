import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';

/**
 * An AbortSignal that fires when the client goes away, so a search over millions of rows stops
 * reading the store as soon as nobody is listening.
 */
export function clientGone(request: FastifyRequest): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => {
    if (!request.raw.complete || request.raw.destroyed) controller.abort();
  });
  request.raw.socket?.once('close', () => controller.abort());
  return controller.signal;
}

/** Text chunks from an async generator as a byte stream; errors after the first byte cut the response. */
export function textStream(chunks: AsyncIterable<string>): Readable {
  return Readable.from(chunks, { objectMode: false, encoding: 'utf8' });
}
