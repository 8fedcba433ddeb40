import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadSecretKey } from './secrets.js';
import { buildTenantRow } from './tenants.js';
import { AppError } from '../core/errors.js';
import { createHttpClient } from '../net/http.js';
import type { Store } from '../store/contract.js';

/**
 * `tenant add-emulated CONTROL_URL`: registers every tenant an emulator simulates
 * (GET CONTROL_URL/tenants, issue 3's control API). The emulator's origin becomes the tenant's base
 * URL and its CA file the trusted extra CA; credentials are sealed like any other. `mixed` registers
 * every other tenant with its certificate, so both sign-in kinds are exercised.
 */
export interface EmulatedTenant {
  name: string;
  tenantId: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  certificatePem: string;
  privateKeyPem: string;
  publisherId: string;
}

export async function addEmulatedTenants(
  store: Store,
  controlUrl: string,
  o: {
    caFile: string | null;
    auth: 'mixed' | 'secret' | 'certificate';
    keyFile: string;
    now: number;
    signal?: AbortSignal;
  },
): Promise<{ name: string; tenantId: string; auth: string }[]> {
  let url: URL;
  try {
    url = new URL(controlUrl);
  } catch {
    throw new AppError('BAD_INPUT', `"${controlUrl}" is not a URL`, {
      hint: 'Give the controlUrl the emulator printed, e.g. https://127.0.0.1:8443/_emulator',
    });
  }
  const control = url.pathname.replace(/\/+$/, '').endsWith('/_emulator')
    ? url.toString().replace(/\/+$/, '')
    : `${url.origin}/_emulator`;
  const caFile = o.caFile ? resolve(o.caFile) : null;
  const http = createHttpClient({ ca: caFile ? readCa(caFile) : null });
  try {
    const res = await http.request({
      method: 'GET',
      url: `${control}/tenants`,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (res.status !== 200)
      throw new AppError('UPSTREAM', `The emulator answered ${res.status} for ${control}/tenants`, {
        hint: 'Give the controlUrl the emulator printed',
      });
    const tenants = (await res.json()) as EmulatedTenant[];
    return await registerEmulatedTenants(store, tenants, {
      baseUrl: url.origin,
      caFile,
      auth: o.auth,
      keyFile: o.keyFile,
      now: o.now,
    });
  } finally {
    http.close();
  }
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('FILE_NOT_FOUND', `The CA file ${file} cannot be read (${(e as NodeJS.ErrnoException).code})`, {
      hint: 'Give --ca-file the caFile the emulator printed (its state folder, tls/ca.pem)',
      cause: e,
    });
  }
}

/**
 * Registers emulated tenants from their control-API view (shared by `tenant add-emulated` and
 * `tenantwatch demo`, which has the view in hand): base URL and CA of the emulator, credentials sealed.
 */
export async function registerEmulatedTenants(
  store: Store,
  tenants: readonly EmulatedTenant[],
  o: { baseUrl: string; caFile: string | null; auth: 'mixed' | 'secret' | 'certificate'; keyFile: string; now: number },
): Promise<{ name: string; tenantId: string; auth: string }[]> {
  const key = (): Buffer => loadSecretKey(o.keyFile, process.env, { create: true });
  const added: { name: string; tenantId: string; auth: string }[] = [];
  for (const [i, t] of tenants.entries()) {
    const cert = o.auth === 'certificate' || (o.auth === 'mixed' && i % 2 === 1);
    const existing = await store.tenants.get(t.tenantId);
    const row = buildTenantRow(
      {
        name: t.name,
        tenantId: t.tenantId,
        clientId: t.clientId,
        cloud: 'commercial',
        baseUrl: o.baseUrl,
        caFile: o.caFile,
        publisherId: t.publisherId,
        domain: t.domain,
        credential: cert
          ? { kind: 'certificate', certificatePem: t.certificatePem, privateKeyPem: t.privateKeyPem }
          : { kind: 'secret', secret: t.clientSecret },
      },
      key,
      o.now,
      existing,
    );
    await store.tenants.upsert(row);
    added.push({ name: row.name, tenantId: row.tenantId, auth: row.authKind });
  }
  return added;
}
