import type { Clock } from '../src/core/clock.js';
import { MsalTokenProvider, type AppCredential } from '../src/microsoft/auth.js';
import { createHttpClient } from '../src/net/http.js';
import { endpointsFor, type Cloud } from '../src/microsoft/types.js';
import type { CollectTenant } from '../src/collector/collect.js';
import type { Store } from '../src/store/contract.js';
import type { EmulatorTenantView, RunningEmulator } from '../emulator/index.js';
import { httpsRequest } from './support/emulator.js';

/**
 * Helpers for the collector's end-to-end tests: a Clock that IS the emulator's virtual clock (a sleep
 * moves it forward, so throttling minutes pass and backoffs cost no real time), tenants wired to the
 * emulator, and the ground truth / stored ids to compare.
 */
export function emulatorClock(emu: RunningEmulator): Clock {
  return {
    now: () => emu.clock.now(),
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      const target = emu.clock.now() + Math.max(0, ms);
      // Several sleepers at once must not add up: time only moves to the latest deadline asked for.
      await new Promise((r) => setImmediate(r));
      if (emu.clock.now() < target) await emu.clock.set(target);
      signal?.throwIfAborted();
    },
  };
}

export function emulatedTenant(
  emu: RunningEmulator,
  t: EmulatorTenantView,
  clock: Clock,
  kind: 'secret' | 'certificate' = 'secret',
  override: Partial<{ secret: string }> = {},
  cloud: Cloud = 'commercial',
): CollectTenant {
  return {
    tenantId: t.tenantId,
    name: t.name,
    connect() {
      const http = createHttpClient({ ca: emu.caPem });
      const endpoints = endpointsFor(cloud, emu.url);
      const credential: AppCredential =
        kind === 'secret'
          ? { kind, secret: override.secret ?? t.clientSecret }
          : { kind, certificatePem: t.certificatePem, privateKeyPem: t.privateKeyPem };
      const tokens = new MsalTokenProvider({
        tenantId: t.tenantId,
        clientId: t.clientId,
        endpoints,
        credential,
        http,
        clock,
      });
      return Object.assign(
        { tenantId: t.tenantId, endpoints, tokens, http, publisherId: t.publisherId },
        { close: () => http.close() },
      );
    },
  };
}

export async function groundTruthIds(emu: RunningEmulator, tenantId: string): Promise<string[]> {
  const res = await httpsRequest(`${emu.controlUrl}/records?tenantId=${tenantId}&available=true`, emu.caPem, 'GET', {});
  if (res.status !== 200) throw new Error(`ground truth: ${res.status} ${res.text}`);
  return res.text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { Id: string }).Id);
}

export async function storedIds(store: Store, tenantId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of store.records.search({ range: { start: 0, end: 8_000_000_000_000 }, tenants: [tenantId] }))
    ids.push(r.id);
  return ids;
}
