import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../src/core/log.js';

/**
 * A real pino logger at every level whose lines are kept in memory, serialized as production writes them
 * (errors included): what a test greps for a secret that must never be logged.
 */
export function keptLogLines(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, sink), lines };
}
