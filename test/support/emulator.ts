import { request } from 'node:https';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.js';
import type { EmulatorTenantView } from '../../emulator/types.js';
import { silentLogger } from '../../src/core/log.js';
import { ExchangeAdminClient } from '../../src/microsoft/exchange-admin.js';
import { endpointsFor, type TenantConnection } from '../../src/microsoft/types.js';
import type { HttpClient } from '../../src/net/types.js';
import type { PostureDeps } from '../../src/posture/service.js';
import type { Store, TenantRow } from '../../src/store/contract.js';
import { tempDir } from './paths.js';

/**
 * Starts the Microsoft 365 emulator for a test: port 0, a virtual clock, a fresh state folder, and an
 * HTTPS client that trusts the emulator's CA (never with verification turned off). Reusable by any
 * test that needs the emulator: pass options to change tenants, users, faults or tuning.
 */
export interface EmuResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface EmuClient {
  /** `target` is a path on the emulator ("/api/v1.0/…") or an absolute URL it handed out. */
  request(
    method: string,
    target: string,
    options?: { headers?: Record<string, string>; body?: string | object; form?: Record<string, string> },
  ): Promise<EmuResponse>;
  /** A client-credentials access token (client secret) for a tenant and resource, e.g. "https://manage.office.com". */
  token(tenantId: string, resource: string): Promise<string>;
}

export interface TestEmulator {
  emu: RunningEmulator;
  client: EmuClient;
  stateDir: string;
  close(): Promise<void>;
}

export function httpsRequest(
  url: string,
  caPem: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<EmuResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) },
        ca: caPem,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
            ),
            text,
            json: () => JSON.parse(text),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function emulatorClient(emu: RunningEmulator): EmuClient {
  const client: EmuClient = {
    request(method, target, options = {}) {
      const url = /^https:\/\//.test(target) ? target : `${emu.url}${target}`;
      const headers = { ...options.headers };
      let body: string | undefined;
      if (options.form) {
        body = new URLSearchParams(options.form).toString();
        headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
      } else if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['Content-Type'] ??= 'application/json';
      }
      return httpsRequest(url, emu.caPem, method, headers, body);
    },
    async token(tenantId, resource) {
      const t = emu.tenants.find((x) => x.tenantId === tenantId);
      if (!t) throw new Error(`no emulated tenant ${tenantId}`);
      const res = await client.request('POST', `/${tenantId}/oauth2/v2.0/token`, {
        form: {
          client_id: t.clientId,
          client_secret: t.clientSecret,
          scope: `${resource}/.default`,
          grant_type: 'client_credentials',
        },
      });
      if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
      return res.json<{ access_token: string }>().access_token;
    },
  };
  return client;
}

export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const dir = options.stateDir ? null : tempDir('tw-emu-');
  const stateDir = options.stateDir ?? dir!.dir;
  const emu = await startEmulator({
    port: 0,
    clock: 'virtual',
    start: Date.UTC(2026, 2, 10, 12, 0, 0),
    tenants: 5,
    users: 20,
    days: 8,
    ...options,
    stateDir,
  });
  return {
    emu,
    client: emulatorClient(emu),
    stateDir,
    async close() {
      await emu.close();
      dir?.cleanup();
    },
  };
}

/**
 * A tenant row for one of the emulator's tenants, pointed at it (its URL and CA file), as `tenant add-emulated`
 * registers it; `over` changes what a test needs (the credential, the times).
 */
export function emulatedTenantRow(
  emu: Pick<RunningEmulator, 'url' | 'caFile'>,
  t: EmulatorTenantView,
  over: Partial<TenantRow> = {},
): TenantRow {
  return {
    name: t.name,
    tenantId: t.tenantId,
    domain: t.domain,
    clientId: t.clientId,
    cloud: 'commercial',
    authKind: 'secret',
    credential: 'test',
    certificatePem: null,
    publisherId: t.publisherId,
    baseUrl: emu.url,
    caFile: emu.caFile,
    addedAt: 0,
    updatedAt: 0,
    ...over,
  };
}

/**
 * Posture checks and enables against the emulator: its Exchange admin API through `http` (which trusts its CA),
 * tokens from its sign-in service, and its virtual clock (a wait advances it).
 */
export function emulatedPostureDeps(env: TestEmulator, store: Store, http: HttpClient): PostureDeps {
  const clock = { now: () => env.emu.clock.now(), sleep: async (ms: number) => env.emu.clock.advance(ms) };
  return {
    store,
    clock,
    logger: silentLogger,
    async sourcesFor(tenant) {
      const connection: TenantConnection = {
        tenantId: tenant.tenantId,
        endpoints: endpointsFor('commercial', env.emu.url),
        publisherId: tenant.publisherId,
        http,
        tokens: { token: async () => env.client.token(tenant.tenantId, 'https://outlook.office365.com') },
      };
      return { exchange: new ExchangeAdminClient(connection, { clock }) };
    },
  };
}
