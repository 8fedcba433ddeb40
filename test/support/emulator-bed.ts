import { after, before } from 'node:test';
import type { Clock } from '../../src/core/clock.js';
import { MsalTokenProvider, type AppCredential } from '../../src/microsoft/auth.js';
import { createHttpClient } from '../../src/net/http.js';
import { endpointsFor, type Cloud } from '../../src/microsoft/types.js';
import type { CollectTenant } from '../../src/collector/collect.js';
import type { Store } from '../../src/store/contract.js';
import { openStore } from '../../src/store/open.js';
import type { EmulatorOptions, EmulatorTenantView, RunningEmulator } from '../../emulator/index.js';
import { httpsRequest, startTestEmulator, type TestEmulator } from './emulator.js';

/**
 * The emulator as a test bed, for the end-to-end tests that talk to it (collector, history, posture, webhooks,
 * detections): started and closed around a test file, a Clock that IS the emulator's virtual clock (a sleep
 * moves it forward, so throttling minutes pass and backoffs cost no real time), tenants wired to the
 * emulator, and the ground truth / stored ids to compare.
 */
export interface EmulatorBed {
  readonly t: TestEmulator;
}
export interface EmulatorStoreBed extends EmulatorBed {
  readonly store: Store;
}

/**
 * The emulator for one test file: started before its tests, closed after them. Read `t` inside a test (it
 * is set once `before` has run).
 */
export function useTestEmulator(options: Partial<EmulatorOptions>): EmulatorBed {
  return bed(options, false);
}

/**
 * What a test file builds on its bed (a server, a receiver that holds the store). `setUp` runs in the bed's own
 * `before`, once the emulator and store are ready: node 20 starts a file's next top-level `before` hook without
 * awaiting the one before it, so a hook of the file's own would read the bed too early. `close` runs before the
 * store and emulator close.
 */
export interface BuiltOnBed {
  setUp?(bed: EmulatorStoreBed): Promise<void> | void;
  close?(): Promise<void> | void;
}

/** As useTestEmulator, with an in-memory store beside it (closed first), which the collector writes to. */
export function useEmulatorAndStore(options: Partial<EmulatorOptions>, built: BuiltOnBed = {}): EmulatorStoreBed {
  return bed(options, true, built);
}

function bed(options: Partial<EmulatorOptions>, withStore: boolean, built: BuiltOnBed = {}): EmulatorStoreBed {
  let t: TestEmulator | undefined;
  let store: Store | undefined;
  before(async () => {
    t = await startTestEmulator(options);
    if (withStore) store = await openStore('sqlite::memory:');
    await built.setUp?.(view);
  });
  after(async () => {
    try {
      await built.close?.();
    } finally {
      await store?.close();
      await t?.close();
    }
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(
        `the test bed's ${what} is read before its before() hook ran: read it inside a test (or in setUp)`,
      );
    return value;
  };
  const view: EmulatorStoreBed = {
    get t() {
      return ready(t, 'emulator');
    },
    get store() {
      return ready(store, withStore ? 'store' : 'store (useTestEmulator has none: use useEmulatorAndStore)');
    },
  };
  return view;
}

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
