/**
 * The sink types and how a stored sink becomes a live driver: its secret opened (sealed, or read from
 * the environment variable it references) and its CA file read. The one place a new sink type is added.
 */
import { readFileSync } from 'node:fs';
import { resolveSecret } from '../config/secrets.js';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { SinkKind, SinkRow } from '../core/sink.js';
import type { DriverFactory, SinkDriver } from './driver.js';
import { elasticDriver } from './elastic/sender.js';
import { nodeHttpSender, type HttpSender } from './http.js';
import { splunkHecDriver } from './splunk-hec/sender.js';

const FACTORIES: Partial<Record<SinkKind, DriverFactory>> = {
  splunk: splunkHecDriver,
  elastic: elasticDriver,
};

export function registerSinkType(kind: SinkKind, factory: DriverFactory): void {
  FACTORIES[kind] = factory;
}

export interface OpenDriverOptions {
  clock: Clock;
  logger: Logger;
  /** The secret key, asked for only when the secret is sealed. */
  secretKey: () => Buffer;
  env?: NodeJS.ProcessEnv;
  http?: (options: { caPem: string | null; timeoutMs?: number }) => HttpSender;
}

export function openDriver(row: SinkRow, options: OpenDriverOptions): SinkDriver {
  const factory = FACTORIES[row.kind];
  if (!factory)
    throw new AppError('NOT_IMPLEMENTED', `Sink type ${row.kind} is not available in this build`, {
      hint: 'Remove the sink, or use splunk, elastic, sentinel, syslog, webhook, email or file',
    });
  let caPem: string | null = null;
  if (row.caFile) {
    try {
      caPem = readFileSync(row.caFile, 'utf8');
    } catch (e) {
      throw new AppError('FILE_NOT_FOUND', `The CA file ${row.caFile} of sink ${row.name} cannot be read`, {
        hint: 'Check the path, or add the sink again with another --ca-file',
        cause: e,
      });
    }
  }
  const secret = row.secret === null ? null : resolveSecret(row.secret, options.secretKey, options.env);
  return factory({
    row,
    secret,
    caPem,
    clock: options.clock,
    logger: options.logger.child({ sink: row.name }),
    http: options.http ?? nodeHttpSender,
  });
}
