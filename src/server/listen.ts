import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../core/errors.js';
import { buildServer } from './index.js';
import type { ServerDeps } from './deps.js';
import { SERVER_EVENTS } from './events.js';
import { servedUrl } from './exposure.js';

export interface RunningConsole {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The built console (web/dist) beside the package, found by walking up from this file so it works
 * from source (tsx) and from the compiled dist/ alike.
 */
export function findWebRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = dirname(from);
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) {
      const web = join(dir, 'web', 'dist');
      return existsSync(join(web, 'index.html')) ? web : undefined;
    }
    dir = dirname(dir);
  }
  return undefined;
}

/** Builds the server and listens; the caller checked the exposure first (exposure.ts checkExposure). */
export async function startConsole(deps: ServerDeps, options: { port: number; host: string }): Promise<RunningConsole> {
  const app = await buildServer(deps);
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (e) {
    throw listenError(e, options);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = servedUrl(options.host, port, Boolean(deps.https));
  deps.logger.info({ event: SERVER_EVENTS.listening, url }, 'console listening');
  return { url, port, close: () => app.close() };
}

/** A port in use or an address not ours, named with what to do; any other error as it is. */
function listenError(e: unknown, options: { port: number; host: string }): Error {
  const code = (e as { code?: string }).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
    return new AppError('BAD_INPUT', `Cannot listen on ${options.host}:${options.port} (${code})`, {
      hint:
        code === 'EADDRINUSE'
          ? 'Another program uses that port: pick another with --port'
          : 'Choose another --host or --port',
      cause: e,
    });
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Fails now, as startConsole would, when the console could not listen on host:port: for a command that
 * does minutes of work before it serves (the demo started the emulator, collected a week and checked
 * every tenant, then said the port was taken). Port 0 always can.
 */
export async function checkListenable(options: { port: number; host: string }): Promise<void> {
  if (options.port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (e) => reject(listenError(e, options)));
    probe.listen({ port: options.port, host: options.host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Resolves when the signal fires (Ctrl-C): the console runs until then. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new AppError('USAGE', `The port "${text}" is not a number from 0 to 65535`, {
      hint: 'Use --port 8080 (0 picks a free port)',
    });
  }
  return Number(text);
}
