import pino from 'pino';
/**
 * Wiring the sinks into the CLI: the store as the forwarder's ForwardStore, drivers opened with this
 * process's secret key, and a logger that scrubs every sink secret from what it writes (a receiver may
 * echo a token back in an error; it must still never reach a log).
 */
import { loadSecretKey, redact, resolveSecret } from '../config/secrets.js';
import type { Logger } from '../core/log.js';
import type { SinkRow } from '../core/sink.js';
import { urlSecrets } from '../sinks/config.js';
import type { SinkDriver } from '../sinks/driver.js';
import { runForwardDaemon } from '../sinks/forward-daemon.js';
import { leaseOwner } from '../sinks/lease.js';
import { backoffPolicy, DAEMON_RETRY } from '../sinks/retry.js';
import type { ForwardStore } from '../sinks/ports.js';
import { openDriver } from '../sinks/registry.js';
import type { Store } from '../store/contract.js';
import type { CliContext } from './context.js';

/** The store as the forwarder sees it: the same object, typed by the ports sinks/ declares (sinks never import store/). */
export function forwardStore(store: Store): ForwardStore {
  return store;
}

/**
 * The plain secrets of these sinks that can be resolved now, and the credential parts of their URLs (a
 * webhook's path, a query's values: sinks/config.ts urlSecrets), for redaction only.
 */
export function sinkSecrets(ctx: CliContext, rows: readonly SinkRow[]): string[] {
  const out: string[] = [];
  let loaded: Buffer | undefined;
  // Read once per call, and only when a secret is sealed: the daemon lists its sinks on every pass.
  const key = (): Buffer => (loaded ??= loadSecretKey(ctx.locations.secretKeyFile));
  // A secret that cannot be opened cannot leak either.
  const opened = (stored: string | null): string | null => {
    if (!stored) return null;
    try {
      return resolveSecret(stored, key);
    } catch {
      return null;
    }
  };
  for (const row of rows) {
    out.push(...urlSecrets(row.url, row.kind));
    const secret = opened(row.secret);
    if (secret) out.push(secret);
    // The sealed URL whole, and its credential parts: a message may quote only its path.
    const url = opened(row.urlSecret);
    if (url) out.push(url, ...urlSecrets(url, row.kind));
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

/** Which sinks a process forwards to, and how much it reads a step. */
export interface ForwardingOptions {
  /** Only the sinks of these names (`forward --sink`); a name added later under one of them is picked up too. */
  only?: readonly string[];
  /** Records read from the store per step (`forward --batch`). */
  readLimit?: number;
}

/**
 * Forwarding beside a daemon's own work (`collect --follow`, `serve`; `--no-forward` leaves it out) and as the
 * whole work of `forward` without `--once`: every enabled sink, under its lease, until `stop()` or the process's
 * signal (SIGTERM/SIGINT), sinks added, changed or removed meanwhile picked up at the next look (every minute). The
 * secrets redacted from its logs are read again whenever the sinks are, so a sink added later is covered; they are
 * only ever added to, so a sink's old token stays redacted while the forwarder of its old version stops.
 */
export function startForwarding(
  ctx: CliContext,
  store: Store,
  options: ForwardingOptions = {},
): { stop(): Promise<void>; done: Promise<void> } {
  const local = new AbortController();
  const secrets: string[] = [];
  const logger = redactingLogger(ctx.logger, secrets);
  const { only } = options;
  const done = runForwardDaemon({
    store: forwardStore(store),
    clock: ctx.clock,
    logger,
    policy: backoffPolicy(DAEMON_RETRY),
    owner: leaseOwner(),
    signal: AbortSignal.any([ctx.signal, local.signal]),
    scrub: (t) => redact(t, secrets),
    open: (row) => openSinkDriver(ctx, row, logger),
    ...(options.readLimit !== undefined ? { readLimit: options.readLimit } : {}),
    list: async () => {
      const rows = await store.sinks.list();
      for (const secret of sinkSecrets(ctx, rows)) if (!secrets.includes(secret)) secrets.push(secret);
      return only ? rows.filter((r) => only.includes(r.name)) : rows;
    },
  });
  return {
    done,
    stop: async () => {
      local.abort();
      await done;
    },
  };
}

/**
 * The secrets as JSON text writes them (the raw form could match inside an escape and leave text JSON cannot
 * read), with the lines of a multi-line one (a PEM key) that `redact` would look for on their own.
 */
function asInJson(secrets: readonly string[]): string[] {
  const lines = secrets.flatMap((s) => s.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')));
  return [...secrets, ...lines].map((s) => JSON.stringify(s).slice(1, -1));
}

/**
 * A logger that writes nothing holding one of `secrets` (read at each call: the list may grow). The fields are
 * redacted as JSON text, where a secret's quotes, backslashes and control characters are escaped: each secret is
 * looked for in that form too (a password holding a quote, echoed back by a receiver, was logged whole).
 */
export function redactingLogger(inner: Logger, secrets: readonly string[]): Logger {
  const fields = (obj: object): object => {
    try {
      // An Error's message and stack are not enumerable: stringified as it is, an error was logged as `{}`. Nested
      // ones are written as pino writes an error (its err serializer), then scrubbed like any field.
      const json = JSON.stringify(obj, (_key, value: unknown) =>
        value instanceof Error ? pino.stdSerializers.err(value) : value,
      );
      return JSON.parse(redact(json, asInJson(secrets))) as object;
    } catch {
      // A secret matched from inside an escape: the fields cannot be read back, and are not written.
      return { redacted: 'the fields of this line held a secret and are left out' };
    }
  };
  /** An error logged as a field (`err`): the same class, so pino names its type, with its texts scrubbed. */
  const scrubError = (error: Error): Error => {
    const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
    Object.assign(copy, fields({ ...error }));
    Object.defineProperty(copy, 'message', { value: redact(error.message, secrets), enumerable: false });
    Object.defineProperty(copy, 'stack', { value: redact(error.stack ?? '', secrets), enumerable: false });
    return copy;
  };
  const scrub = (obj: object): object => {
    if (!secrets.length) return obj;
    const errors = Object.entries(obj).filter((e): e is [string, Error] => e[1] instanceof Error);
    if (!errors.length) return fields(obj);
    const rest = Object.fromEntries(Object.entries(obj).filter(([, v]) => !(v instanceof Error)));
    return { ...fields(rest), ...Object.fromEntries(errors.map(([k, e]) => [k, scrubError(e)])) };
  };
  const text = (msg?: string): string | undefined =>
    msg === undefined || !secrets.length ? msg : redact(msg, secrets);
  return {
    debug: (o, m) => inner.debug(scrub(o), text(m)),
    info: (o, m) => inner.info(scrub(o), text(m)),
    warn: (o, m) => inner.warn(scrub(o), text(m)),
    error: (o, m) => inner.error(scrub(o), text(m)),
    child: (b) => redactingLogger(inner.child(b), secrets),
  };
}
