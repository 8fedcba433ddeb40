/**
 * The sink types and how a stored sink becomes a live driver: its secret opened (sealed, or read from
 * the environment variable it references) and its CA file read. The one place a new sink type is added.
 */
import { readFileSync } from 'node:fs';
import { resolveSecret } from '../config/secrets.js';
import type { Clock } from '../core/clock.js';
import { AppError, isAppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { SinkKind, SinkRow } from '../core/sink.js';
import type { DriverFactory, SinkDriver } from './driver.js';
import { elasticDriver } from './elastic/sender.js';
import { nodeHttpSender, type HttpSender } from './http.js';
import { checkOptionsUsed, needSecret } from './options.js';
import { splunkHecDriver } from './splunk-hec/sender.js';
import { hecConfig } from './splunk-hec/config.js';
import { elasticConfig, elasticSecretName } from './elastic/config.js';
import { fileConfig } from './file/config.js';
import { fileDriver } from './file/sender.js';
import { syslogConfig } from './syslog/config.js';
import { syslogDriver } from './syslog/sender.js';
import { webhookConfig } from './webhook/config.js';
import { webhookDriver } from './webhook/sender.js';
import { sentinelConfig } from './sentinel/config.js';
import { sentinelDriver } from './sentinel/sender.js';
import { emailConfig } from './email/config.js';
import { emailDriver } from './email/sender.js';

interface SinkType {
  driver: DriverFactory;
  /** Parses the row's URL and options as the driver will (throws what is wrong); no I/O. */
  check: (row: SinkRow) => unknown;
  /** The secret the driver cannot send without, as a person names it (none: optional or not used). */
  secret?: (row: SinkRow) => string | null;
  /** The driver sends no secret at all: one given at sink add would be stored and never used. */
  noSecret?: true;
}

const TYPES: Partial<Record<SinkKind, SinkType>> = {
  splunk: { driver: splunkHecDriver, check: hecConfig, secret: () => 'HEC token' },
  elastic: { driver: elasticDriver, check: elasticConfig, secret: (row) => elasticSecretName(elasticConfig(row).auth) },
  file: { driver: fileDriver, check: fileConfig, noSecret: true },
  syslog: { driver: syslogDriver, check: syslogConfig, noSecret: true },
  webhook: { driver: webhookDriver, check: webhookConfig },
  sentinel: { driver: sentinelDriver, check: sentinelConfig, secret: () => 'client secret' },
  email: { driver: emailDriver, check: emailConfig },
};

/**
 * Throws what is wrong with a sink's URL or options, as `sink add` should say it. The row is what was just
 * given (flags), so an option its type does not take, a value outside the ones it accepts (format=, style=,
 * auth=) or a missing token is bad input (exit 2), as a bad --type is; the same checks on a stored sink,
 * when it is opened to send, stay CONFIG_INVALID or SECRET_MISSING (exit 1).
 */
export function checkSinkRow(row: SinkRow): void {
  try {
    const type = sinkType(row);
    checkOptionsUsed(row, type.check);
    // A sink that cannot send without its secret is refused now, not at its first delivery.
    const secret = type.secret?.(row);
    if (secret) needSecret(row.secret, row.name, secret);
    if (type.noSecret && row.secret !== null)
      throw new AppError('CONFIG_INVALID', `Sink ${row.name} (${row.kind}) sends no secret`, {
        hint: 'Leave out --token-env, --secret-env and --seal: the receiver would never get it',
      });
  } catch (e) {
    if (!isAppError(e) || (e.code !== 'CONFIG_INVALID' && e.code !== 'SECRET_MISSING')) throw e;
    throw new AppError('BAD_INPUT', e.message, {
      ...(e.hint ? { hint: e.hint } : {}),
      ...(e.details ? { details: e.details } : {}),
      cause: e,
    });
  }
}

function sinkType(row: SinkRow): SinkType {
  const type = TYPES[row.kind];
  if (!type)
    throw new AppError('NOT_IMPLEMENTED', `Sink type ${row.kind} is not available in this build`, {
      hint: 'Remove the sink, or use another type',
    });
  return type;
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
  const factory = sinkType(row).driver;
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
  const secret = row.secret === null ? null : sinkSecret(row, row.secret, options);
  // A URL that carries a credential is stored masked and sealed whole (SinkRow.urlSecret): the driver gets it whole.
  const target = row.urlSecret === null ? row : { ...row, url: sinkSecret(row, row.urlSecret, options) };
  return factory({
    row: target,
    secret,
    caPem,
    clock: options.clock,
    logger: options.logger.child({ sink: row.name }),
    http: options.http ?? nodeHttpSender,
  });
}

/** A sink's stored secret opened, or an error naming the sink and what to do (not a tenant's words). */
function sinkSecret(row: SinkRow, stored: string, options: OpenDriverOptions): string {
  try {
    return resolveSecret(stored, options.secretKey, options.env, `the secret of sink ${row.name}`);
  } catch (e) {
    if (!isAppError(e)) throw e;
    if (e.code === 'SECRET_MISSING' && stored.startsWith('env:'))
      throw new AppError('SECRET_MISSING', e.message, {
        hint: `Set ${stored.slice(4)} for every tenantwatch process that sends to it (forward, serve, collect --follow), or store it encrypted: tenantwatch sink add ${row.name} … --token-env VAR --seal`,
        cause: e,
      });
    if (e.code === 'SECRET_KEY')
      throw new AppError(
        'SECRET_KEY',
        `The stored secret of sink ${row.name} cannot be decrypted with this secret key`,
        {
          hint: `The key file or TENANTWATCH_SECRET_KEY changed since the sink was added: restore it, or add the sink again with --seal`,
          cause: e,
        },
      );
    throw e;
  }
}
