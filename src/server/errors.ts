import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CATALOGUE, toAppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { showDirectionControls } from '../core/quote.js';
import { SERVER_EVENTS } from './events.js';

/** The largest request body the API reads (fastify bodyLimit): every body is a small JSON object. */
export const BODY_LIMIT = 1_048_576;
/** The longest part of a path the router reads (fastify maxParamLength). */
export const MAX_PARAM_LENGTH = 1_000;

/**
 * Fastify's router refuses a path it cannot decode or whose part is too long before any hook or handler, and
 * answered with its own body ({"error":"Bad Request","code":"FST_ERR_BAD_URL",…}, quoting the path): the API's
 * error shape instead, through the same mapping.
 */
export function frameworkError(e: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const error = toHttpError(e);
  void reply.code(ERROR_CATALOGUE[error.code].status).type('application/json; charset=utf-8').send(errorBody(error));
}

/**
 * Node refuses a request it cannot read, or whose headers pass its 16 KB (the address is one of them), before
 * fastify sees it, and fastify's default answer was its own body ({"error":"Request Header Fields Too Large",…}):
 * a long list of users pasted into the Search page read as "undefined" in the console. The API's error shape
 * instead, written on the socket as fastify's default does.
 */
export function clientError(e: NodeJS.ErrnoException, socket: Duplex): void {
  // A connection reset or already closed has nobody to answer.
  if (e.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, error]: [number, AppError] =
    e.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          new AppError('BAD_INPUT', "The request's address and headers are longer than the 16 KB the server reads", {
            hint: 'Ask for fewer values at once (several searches, or a report, whose parameters travel in the body)',
          }),
        ]
      : e.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            408,
            new AppError('BAD_INPUT', 'The request did not arrive in time', {
              hint: 'Send it again; check the network between the client and the console',
            }),
          ]
        : [
            400,
            new AppError('BAD_INPUT', 'The request is not HTTP the server can read', {
              hint: 'Send an HTTP/1.1 request, e.g. curl http://127.0.0.1:8080/api',
            }),
          ];
  const body = JSON.stringify(errorBody(error));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(e);
}

/** The body of every error response: stable code, what failed, what to do. */
export interface ErrorBody {
  error: { code: string; message: string; hint?: string };
}

function partTooLong(): AppError {
  return new AppError('BAD_INPUT', `A part of the address is longer than the ${MAX_PARAM_LENGTH} characters accepted`, {
    hint: 'Tenants, ids and names are far shorter: check what was pasted into the address',
  });
}

/**
 * The ONE place where failures become HTTP responses (STYLE.md: errors mapped in one place).
 * AppError → its catalogue status; fastify's own 4xx (bad JSON body, body too large, bad content
 * type) → BAD_INPUT with fastify's message; anything else → 500 INTERNAL with a generic message,
 * and the real one only in the log. Bad input must never surface as a 500.
 */
export function toHttpError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const fe = e as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_BAD_URL')
    return new AppError('BAD_INPUT', 'The address has a %-escape that is not UTF-8 text', {
      hint: 'Encode each part of the path with encodeURIComponent (a space is %20, é is %C3%A9)',
    });
  if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') return partTooLong();
  if (fe.statusCode === 413)
    return new AppError(
      'BAD_INPUT',
      `The request body is larger than the ${BODY_LIMIT / 1_048_576} MB the API accepts`,
      {
        hint: 'API bodies are small JSON objects (parameters, a sign-in, a tenant); records are loaded with tenantwatch import',
      },
    );
  if (fe.statusCode === 415)
    return new AppError('BAD_INPUT', 'The body is not sent as JSON; the API reads JSON only', {
      hint: 'Send the body as JSON with Content-Type: application/json',
    });
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return new AppError('BAD_INPUT', 'The body is not valid JSON, or has a key named __proto__ or constructor', {
      hint: 'Send one JSON object, e.g. {"start":"7d"}, with Content-Type: application/json',
    });
  // @fastify/static's refusal of a path that climbs out of the web folder ('..', also %-encoded): the one 403 that
  // is no AppError. It was answered "Forbidden", with a hint about the API's routes.
  if (fe.statusCode === 403)
    return new AppError('BAD_INPUT', "The path points outside the console's files", {
      hint: 'Open the console at /; its pages are addressed after #/ (e.g. /#/search)',
    });
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // docs/ARCHITECTURE.md, which this pointed to, is a map of the code; the routes are listed by GET /api.
    return new AppError(fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_INPUT', fe.message ?? 'The request is not valid', {
      hint: 'GET /api lists the routes and their parameters; docs/adr/0008-console-api-and-web.md describes them',
    });
  }
  return toAppError(e);
}

/**
 * Messages quote input with core/quote.ts's quoted(), which shows a direction control (U+202E, U+2066…) as
 * \u202E; not every message quotes that way yet (a parameter's name, a path part), so the body shows any that
 * is left too: the console puts the message on screen as it comes, and an override would reorder it there.
 */
export function errorBody(error: AppError): ErrorBody {
  const internal = error.code === 'INTERNAL';
  return {
    error: {
      code: error.code,
      message: internal ? 'The server failed while handling this request' : showDirectionControls(error.message),
      ...(internal
        ? { hint: 'See the server log for the cause; this is a bug worth reporting' }
        : error.hint
          ? { hint: showDirectionControls(error.hint) }
          : {}),
    },
  };
}

/**
 * A request's URL as the log keeps it: the path and the names of its query parameters, every value replaced.
 * Why every value and not a list of secret-looking names: tokens are never accepted from the URL, but people
 * paste them there anyway (`?token=tw_…`, `?access_token=…`), and an OpenID Connect callback carries its
 * one-time `code` and `state`; a list of names would miss the next spelling. The names keep a rejected request
 * explainable, and the audit trail (server/auth/audit.ts) keeps a console search's filters for those who may read it.
 */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url.slice(0, 500);
  const names = url
    .slice(at + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const name = part.split('=', 1)[0]!;
      // A part with no "=" may be the pasted secret itself: only short, name-like names are kept.
      return `${PARAM_NAME.test(name) ? name : '…'}=…`;
    });
  return `${url.slice(0, Math.min(at, 500))}?${names.join('&').slice(0, 500)}`;
}

const PARAM_NAME = /^[\w.[\]-]{1,40}$/;
/** An API token's shape (server/auth/secrets.ts): cut from any text a log line quotes from a request. */
const API_TOKEN = /tw_[0-9a-f]{16}_[\w-]+/gi;

/** A rejected request's message as the log keeps it: a message may quote what the request sent. */
function loggedMessage(message: string): string {
  return message.replace(API_TOKEN, 'tw_…');
}

/** A page path (no file extension, not the API): the console's index.html answers it. */
function isPagePath(method: string, url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return method === 'GET' && !path.startsWith('/api') && !/\.[A-Za-z0-9]+$/.test(path);
}

export function installErrorHandling(app: FastifyInstance, logger: Logger, webRoot?: string): void {
  app.setErrorHandler((e: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error = toHttpError(e);
    const status = ERROR_CATALOGUE[error.code].status;
    if (status >= 500) {
      logger.error(
        {
          event: SERVER_EVENTS.requestFailed,
          method: request.method,
          url: loggedUrl(request.url),
          code: error.code,
          err: e,
        },
        'request failed',
      );
    } else {
      logger.debug({
        event: SERVER_EVENTS.requestRejected,
        method: request.method,
        url: loggedUrl(request.url),
        code: error.code,
        message: loggedMessage(error.message),
      });
    }
    // A streamed response that already started cannot change its status: cut it so the client sees it broken.
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy(error);
      return;
    }
    void reply.code(status).type('application/json; charset=utf-8').send(errorBody(error));
  });
  app.setNotFoundHandler((request, reply) => {
    if (webRoot && isPagePath(request.method, request.url)) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html', webRoot);
    }
    // With the console served, its files' wildcard route takes a path whose part the router would not read (so
    // FST_ERR_MAX_PARAM_LENGTH never comes), and an id too long was answered as a route that does not exist.
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') && path.split('/').some((part) => part.length > MAX_PARAM_LENGTH)) {
      const error = partTooLong();
      return reply.code(ERROR_CATALOGUE[error.code].status).send(errorBody(error));
    }
    const error = new AppError(
      'NOT_FOUND',
      `Nothing at ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`,
      {
        hint: 'The API lives under /api: see GET /api for the list of routes',
      },
    );
    return reply.code(404).send(errorBody(error));
  });
}
