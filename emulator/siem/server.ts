/**
 * The SIEM receivers tests forward to, on one HTTPS port on 127.0.0.1: Splunk HEC
 * (`/services/collector/event|ack|health`), Elasticsearch bulk (`/_bulk`, `/`), and the Azure Monitor
 * Logs Ingestion API with its token service (`/{tenant}/oauth2/v2.0/token`,
 * `/dataCollectionRules/{id}/streams/{stream}`). Faults (faults.ts) are switched on and off by the
 * test; `badCertificate` swaps the server certificate for a self-signed one the client does not trust.
 * Independent evidence: it never imports src/.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ensureTls, makeCertificate, newRsaKeyPair } from '../tls.js';
import { bulk, newBulkState, type BulkState } from './bulk.js';
import { drawRequestFault, NO_FAULTS, seededRandom, type SiemFaults } from './faults.js';
import { hecAck, hecEvent, newHecState, type Answer, type HecState } from './hec.js';
import { ingest, newLogsState, openidConfiguration, token, type LogsState } from './logs-ingestion.js';

export interface SiemReceiverOptions {
  /** Folder for the TLS material (a CA and a server certificate, made once). */
  stateDir: string;
  hecToken?: string;
  elasticApiKey?: string | null;
  logs?: { tenantId: string; clientId: string; clientSecret: string };
  seed?: number;
  port?: number;
  /** 'ids': keep only the ids of what arrives (HEC fields, bulk `_id`s), not every body (benches). */
  keep?: 'all' | 'ids';
}

export interface SiemReceivers {
  url: string;
  caFile: string;
  caPem: string;
  hec: HecState;
  elastic: BulkState;
  logs: LogsState;
  faults: SiemFaults;
  setFaults(faults: Partial<SiemFaults>): void;
  setBadCertificate(on: boolean): void;
  close(): Promise<void>;
}

export async function startSiemReceivers(options: SiemReceiverOptions): Promise<SiemReceivers> {
  const tls = await ensureTls(options.stateDir);
  const badKeys = await newRsaKeyPair();
  const badCert = makeCertificate({
    subjectCn: '127.0.0.1',
    keys: badKeys,
    altNames: [{ type: 7, ip: '127.0.0.1' }],
    years: 1,
  });
  const random = seededRandom(options.seed ?? 15);
  const logs = options.logs ?? {
    tenantId: '11111111-2222-3333-4444-555555555555',
    clientId: '66666666-7777-8888-9999-000000000000',
    clientSecret: 'logs-ingestion-secret',
  };
  const state = {
    hec: newHecState(options.hecToken ?? 'hec-token'),
    elastic: newBulkState(options.elasticApiKey === undefined ? 'elastic-key' : options.elasticApiKey),
    logs: newLogsState(logs.tenantId, logs.clientId, logs.clientSecret),
    faults: { ...NO_FAULTS },
  };
  state.hec.keepEvents = state.elastic.keepDocuments = options.keep !== 'ids';
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem, keepAlive: true }, (req, res) => {
    void handle(req, res, state, random);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    caFile: tls.caFile,
    caPem: tls.caPem,
    ...state,
    setFaults: (f) => Object.assign(state.faults, f),
    setBadCertificate: (on) =>
      server.setSecureContext(
        on ? { cert: badCert, key: badKeys.privateKeyPem } : { cert: tls.certPem, key: tls.keyPem },
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type State = { hec: HecState; elastic: BulkState; logs: LogsState; faults: SiemFaults };

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

async function handle(req: IncomingMessage, res: ServerResponse, state: State, random: () => number): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    return void res.writeHead(400).end('{"error":"bad gzip body"}');
  }
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const isControl = url.pathname.includes('/oauth2/') || url.pathname.includes('.well-known');
  const fault = isControl ? null : drawRequestFault(state.faults, random);
  if (fault?.kind === 'reset') return void req.socket.destroy();
  if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
  let answer: Answer;
  if (fault?.kind === 'status') answer = faultAnswer(url.pathname, fault.status, state.faults.retryAfterSeconds);
  else answer = route(req, url, body, state, random);
  const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...(payload ? { 'content-type': 'application/json; charset=UTF-8' } : {}),
    ...(answer.headers ?? {}),
  });
  res.end(payload);
}

function faultAnswer(path: string, status: 503 | 429, retryAfter: number): Answer {
  const headers = { 'retry-after': String(retryAfter) };
  if (path.startsWith('/services/collector'))
    return status === 503
      ? { status, body: { text: 'Server is busy', code: 9 }, headers }
      : { status, body: { text: 'Too many requests', code: 9 }, headers };
  if (path.startsWith('/dataCollectionRules'))
    return {
      status,
      body: { error: { code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: 'Try again later.' } },
      headers,
    };
  return {
    status,
    body: {
      error: {
        type: status === 429 ? 'es_rejected_execution_exception' : 'unavailable_shards_exception',
        reason: 'try again',
      },
      status,
    },
    headers,
  };
}

function route(req: IncomingMessage, url: URL, body: Buffer, state: State, random: () => number): Answer {
  const h = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const rejectIds = new Set(state.faults.rejectIds);
  const channel = h('x-splunk-request-channel') ?? url.searchParams.get('channel') ?? undefined;
  const p = url.pathname;
  if (p === '/services/collector/event' || p === '/services/collector')
    return hecEvent(state.hec, { auth: h('authorization'), channel }, body.toString('utf8'), rejectIds);
  if (p === '/services/collector/ack')
    return hecAck(state.hec, { auth: h('authorization'), channel }, body.toString('utf8'));
  if (p === '/services/collector/health') return { status: 200, body: { text: 'HEC is healthy', code: 17 } };
  if (p === '/_bulk')
    return bulk(state.elastic, h('authorization'), body.toString('utf8'), {
      rejectIds,
      partial: () => state.faults.partialBulk > 0 && random() < state.faults.partialBulk,
    });
  if (p === '/')
    return {
      status: 200,
      body: { name: 'siem-receiver', version: { number: '8.15.0' }, tagline: 'You Know, for Search' },
    };
  const meta = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(p);
  if (meta) return openidConfiguration(`https://${h('host')}`, meta[1]!);
  const tok = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(p);
  if (tok && req.method === 'POST') return token(state.logs, tok[1]!, new URLSearchParams(body.toString('utf8')));
  const dcr = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(p);
  if (dcr && req.method === 'POST')
    return ingest(
      state.logs,
      {
        dcr: dcr[1]!,
        stream: decodeURIComponent(dcr[2]!),
        apiVersion: url.searchParams.get('api-version'),
        auth: h('authorization'),
      },
      body,
      rejectIds,
    );
  return { status: 404, body: { error: `${req.method} ${p} is not served here` } };
}
