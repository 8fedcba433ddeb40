import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { cliLogger } from './context.js';

const dir = mkdtempSync(join(tmpdir(), 'tw-cli-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function kept(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines };
}

const events = (text: string): string[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { event: string }).event);

describe('the CLI logger', () => {
  test('-v with --log-file writes the verbose JSON lines to stderr and to the file', () => {
    const file = join(dir, 'sub', 'verbose.log');
    const stderr = kept();
    const logger = cliLogger({ verbose: true, logFile: file }, undefined, stderr.stream);
    logger.debug({ event: 'test.debug' });
    logger.info({ event: 'test.info' });
    assert.deepEqual(events(readFileSync(file, 'utf8')), ['test.debug', 'test.info']);
    assert.deepEqual(events(stderr.lines.join('')), ['test.debug', 'test.info']);
  });

  test('TENANTWATCH_LOG_LEVEL with --log-file sets the level of both', () => {
    const file = join(dir, 'env.log');
    const stderr = kept();
    const logger = cliLogger({ logFile: file }, 'warn', stderr.stream);
    logger.info({ event: 'test.info' });
    logger.warn({ event: 'test.warn' });
    assert.deepEqual(events(readFileSync(file, 'utf8')), ['test.warn']);
    assert.deepEqual(events(stderr.lines.join('')), ['test.warn']);
  });

  test('--log-file alone writes info and up to the file', () => {
    const file = join(dir, 'plain.log');
    const logger = cliLogger({ logFile: file }, undefined, kept().stream);
    logger.debug({ event: 'test.debug' });
    logger.info({ event: 'test.info' });
    assert.deepEqual(events(readFileSync(file, 'utf8')), ['test.info']);
  });
});
