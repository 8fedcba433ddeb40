/**
 * Wiring the sinks into the CLI: the store as the forwarder's ForwardStore, drivers opened with this
 * process's secret key, and a logger that scrubs every sink secret from what it writes (a receiver may
 * echo a token back in an error; it must still never reach a log).
 */
import { loadSecretKey, redact, resolveSecret } from '../config/secrets.js';
import type { Logger } from '../core/log.js';
import type { SinkRow } from '../core/sink.js';
import type { SinkDriver } from '../sinks/driver.js';
import type { ForwardStore } from '../sinks/ports.js';
import { openDriver } from '../sinks/registry.js';
import type { Store } from '../store/contract.js';
import type { CliContext } from './context.js';

/** The store as the forwarder sees it: the same object, typed by the ports sinks/ declares (sinks never import store/). */
export function forwardStore(store: Store): ForwardStore {
  return store;
}

/** The plain secrets of these sinks that can be resolved now (for redaction only). */
export function sinkSecrets(ctx: CliContext, rows: readonly SinkRow[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    if (!row.secret) continue;
    try {
      out.push(resolveSecret(row.secret, () => loadSecretKey(ctx.locations.secretKeyFile)));
    } catch {
      // A secret that cannot be opened cannot leak either.
    }
  }
  return out;
}

export function openSinkDriver(ctx: CliContext, row: SinkRow, logger: Logger): SinkDriver {
  return openDriver(row, {
    clock: ctx.clock,
    logger,
    secretKey: () => loadSecretKey(ctx.locations.secretKeyFile),
  });
}

/** A logger that writes nothing holding one of `secrets`. */
export function redactingLogger(inner: Logger, secrets: readonly string[]): Logger {
  if (!secrets.length) return inner;
  const scrub = (obj: object): object => JSON.parse(redact(JSON.stringify(obj), secrets)) as object;
  const text = (msg?: string): string | undefined => (msg === undefined ? undefined : redact(msg, secrets));
  return {
    debug: (o, m) => inner.debug(scrub(o), text(m)),
    info: (o, m) => inner.info(scrub(o), text(m)),
    warn: (o, m) => inner.warn(scrub(o), text(m)),
    error: (o, m) => inner.error(scrub(o), text(m)),
    child: (b) => redactingLogger(inner.child(b), secrets),
  };
}
