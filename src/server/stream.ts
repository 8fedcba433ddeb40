import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * An AbortSignal that fires when the client goes away, so a search over millions of rows stops
 * reading the store as soon as nobody is listening.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  // The response closes either after its last byte (writableFinished) or because the client left.
  const closed = (): void => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  // A client may have left already, while the request's own reads ran (its caller's session, the tenants it names:
  // on PostgreSQL a round trip each): its 'close' has come and gone, and a heavy page waited for a turn and read
  // the store for nobody.
  if (reply.raw.destroyed) closed();
  else reply.raw.once('close', closed);
  return controller.signal;
}

/** Text chunks from an async generator as a byte stream; errors after the first byte cut the response. */
export function textStream(chunks: AsyncIterable<string>): Readable {
  return Readable.from(chunks, { objectMode: false, encoding: 'utf8' });
}

/**
 * Ends a heavy query's turn (heavy-lane.ts) when its streamed response closes, after its last byte or because the
 * client left, at the latest: an export's first turn, which HeavyLane.inTurns ends as soon as its first rows are
 * read, is still given back when the response closes before they are (an error, a client gone meanwhile).
 */
export function holdTurnFor(reply: FastifyReply, done: () => void): void {
  // A client that left while the query waited for its turn has nothing to hold it for.
  if (reply.raw.closed) done();
  else reply.raw.once('close', done);
}
