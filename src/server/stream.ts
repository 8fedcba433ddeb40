import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * An AbortSignal that fires when the client goes away, so a search over millions of rows stops
 * reading the store as soon as nobody is listening.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  // The response closes either after its last byte (writableFinished) or because the client left.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Text chunks from an async generator as a byte stream; errors after the first byte cut the response. */
export function textStream(chunks: AsyncIterable<string>): Readable {
  return Readable.from(chunks, { objectMode: false, encoding: 'utf8' });
}
