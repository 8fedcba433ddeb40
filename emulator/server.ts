import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultGate } from './faults.js';
import { JSON_UTF8, match, type EmuRequest, type Reply, type Route } from './http.js';
import type { World } from './world.js';

/**
 * One HTTPS port for every service (the Host a request came in on does not matter). Reads the body,
 * routes, and writes the reply in one place: the Date header on every response (behaviour 29, skewed
 * when the clock-skew fault is on), then the slow-response and cut-connection faults on API calls.
 */
const MAX_BODY = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function bodyOf(reply: Reply): { text: string; type: string | undefined } {
  if (reply.body === undefined) return { text: '', type: undefined };
  if (typeof reply.body === 'string')
    return { text: reply.body, type: reply.contentType ?? 'text/plain; charset=utf-8' };
  return { text: JSON.stringify(reply.body), type: reply.contentType ?? JSON_UTF8 };
}

/** Resolves when the socket can take more, or is gone; leaves no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes a streamed reply in chunks of about 64 KiB, waiting for the socket to drain between them. */
async function writeStream(world: World, res: ServerResponse, reply: Reply, stream: Iterable<string>): Promise<void> {
  res.writeHead(reply.status, {
    Date: new Date(world.shownNow()).toUTCString(),
    'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8',
    ...reply.headers,
  });
  let chunk = '';
  for (const piece of stream) {
    chunk += piece;
    if (chunk.length < 65_536) continue;
    const flushed = res.write(chunk);
    chunk = '';
    if (!flushed) await drained(res);
    if (res.destroyed) return;
  }
  res.end(chunk);
}

async function write(world: World, faults: FaultGate, res: ServerResponse, reply: Reply, api: boolean): Promise<void> {
  if (reply.reset) {
    res.socket?.destroy();
    return;
  }
  if (reply.stream) return writeStream(world, res, reply, reply.stream);
  if (api && world.faults.slowMs > 0) await sleep(world.faults.slowMs);
  const { text, type } = bodyOf(reply);
  const payload = Buffer.from(text, 'utf8');
  const headers: Record<string, string> = {
    Date: new Date(world.shownNow()).toUTCString(),
    'Content-Length': String(payload.length),
    ...reply.headers,
  };
  if (type) headers['Content-Type'] = type;
  res.writeHead(reply.status, headers);
  if (api && payload.length > 1 && faults.cut(world.nextRequestNumber())) {
    // Connection cut mid-body: half the promised bytes, then the socket goes away.
    res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(payload);
}

export function createEmulatorServer(
  world: World,
  faults: FaultGate,
  routes: Route[],
  tls: { certPem: string; keyPem: string },
): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = req.headers.host ?? '127.0.0.1';
    const url = new URL(req.url ?? '/', `https://${host}`);
    const found = match(routes, req.method ?? 'GET', url.pathname);
    const body = await readBody(req);
    if (body === null)
      return write(
        world,
        faults,
        res,
        { status: 413, body: { error: { code: 'RequestTooLarge', message: 'The request body is too large.' } } },
        false,
      );
    if (found === null || found === 'method') {
      const status = found === 'method' ? 405 : 404;
      return write(
        world,
        faults,
        res,
        {
          status,
          body: {
            error: {
              code: status === 404 ? 'NotFound' : 'MethodNotAllowed',
              message: `${req.method} ${url.pathname} is not served by the emulator.`,
            },
          },
        },
        false,
      );
    }
    const emuReq: EmuRequest = {
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      body,
      base: `https://${host}`,
      params: found.params,
    };
    let reply: Reply;
    try {
      reply = await found.route.handler(emuReq);
    } catch (e) {
      world.logger.error(
        { event: 'emulator.handler_failed', path: url.pathname, err: (e as Error).stack },
        'emulator handler failed',
      );
      reply = { status: 500, body: { error: { code: 'EmulatorError', message: (e as Error).message } } };
    }
    const api = found.route.service !== 'control';
    world.logger.debug(
      { event: 'emulator.request', method: req.method, path: url.pathname, status: reply.status },
      'request',
    );
    await write(world, faults, res, reply, api);
  };
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      world.logger.error({ event: 'emulator.write_failed', err: (e as Error).message }, 'emulator could not answer');
      res.destroy();
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 5_000;
  return server;
}

/**
 * Idle keep-alive connections stay open this long, as behind Microsoft's front ends (minutes), not Node's
 * 5 s default: a client that pools connections must not meet "socket hang up" after a short pause.
 * headersTimeout must exceed it, or Node drops a reused connection that is slow to send its headers.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;
