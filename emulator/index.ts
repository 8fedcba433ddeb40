import { CONTENT_TYPES } from '../src/core/record.js';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { silentLogger } from '../src/core/log.js';
import { ensureAppCredentials, ensureSigningKey, type AppCredentials } from './apps.js';
import { controlRoutes } from './control/routes.js';
import { scaleClock } from './scale.js';
import { FaultGate } from './faults.js';
import type { Route } from './http.js';
import { BlobCatalog } from './management/blobs.js';
import { managementRoutes } from './management/routes.js';
import { deliverNotifications } from './management/webhooks.js';
import { createEmulatorServer } from './server.js';
import { createSimulation } from './sim/index.js';
import type { SimOptions } from './sim/types.js';
import { StateStore } from './state.js';
import { ensureTls } from './tls.js';
import { tokenRoutes } from './token/service.js';
import { signInRoutes } from './token/signin.js';
import {
  DEFAULT_FAULTS,
  DEFAULT_TUNING,
  type EmulatorOptions,
  type EmulatorTenantView,
  type Faults,
  type RunningEmulator,
} from './types.js';
import { World } from './world.js';
import { extraRoutes } from './routes-extra.js';

export type { EmulatorOptions, RunningEmulator, Faults, Tuning, EmulatorTenantView } from './types.js';
export { DEFAULT_FAULTS, DEFAULT_TUNING } from './types.js';

/**
 * Starts the Microsoft 365 emulator in process: HTTPS on 127.0.0.1 (one port for every service), the
 * token service, Management Activity API, Graph, Exchange admin REST and the /_emulator/ control API,
 * over a seeded simulation. Tests, the collector's end-to-end tests and `tenantwatch demo` call this.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const logger = (options.logger ?? silentLogger).child({ module: 'emulator' });
  const start = options.start ?? Math.floor(Date.now() / 60_000) * 60_000;
  const simOptions: SimOptions = {
    seed: options.seed ?? 1,
    tenants: options.tenants ?? 5,
    users: options.users ?? 50,
    days: options.days ?? 8,
    start,
    recordsPerUserPerDay: options.recordsPerUserPerDay ?? 20,
  };
  if (options.leanHeap ?? options.clock === 'real') {
    // Records are made on demand and dropped from bounded caches, so old-space garbage is the bulk of the
    // heap; V8's default growth lets it reach several times the live set before collecting.
    setFlagsFromString('--heap-growing-percent=50');
    logger.info({ event: 'emulator.lean_heap', heapGrowingPercent: 50 }, 'V8 heap growth limited to 50% over live');
  }
  const sim = options.simulation ?? createSimulation(simOptions);
  // Keys are made in parallel on first start (RSA key generation dominates start time); later starts read them.
  const [tls, signingKey, appList] = await Promise.all([
    ensureTls(options.stateDir),
    ensureSigningKey(options.stateDir),
    Promise.all(sim.tenants.map((t) => ensureAppCredentials(options.stateDir, t))),
  ]);
  const apps = new Map<string, AppCredentials>(appList.map((a) => [a.tenantId, a]));
  const tuning = {
    ...DEFAULT_TUNING,
    ...(options.deliveryDelayMs !== undefined ? { deliveryDelayMs: options.deliveryDelayMs } : {}),
    ...options.tuning,
  };
  const world = new World(
    sim,
    new StateStore(options.stateDir),
    tls,
    apps,
    signingKey,
    tuning,
    { ...DEFAULT_FAULTS, ...options.faults },
    simOptions.seed,
    logger,
    options.clock ?? 'virtual',
    start,
  );
  if (options.subscribedSince !== undefined) subscribeAll(world, options.subscribedSince);
  const faults = new FaultGate(world);
  const blobs = new BlobCatalog(world);
  let base = '';
  const tenants = (): EmulatorTenantView[] =>
    sim.tenants.map((t) => tenantView(world, apps.get(t.tenantId)!, t.tenantId));
  const setFaults = (f: Partial<Faults>): void => {
    world.faults = { ...world.faults, ...f };
  };
  const setClock = async (change: { advanceMs?: number; now?: number }): Promise<void> => {
    if (!world.virtualClock) throw new Error('the emulator runs on the real clock');
    if (change.advanceMs !== undefined) world.virtualClock.advance(change.advanceMs);
    if (change.now !== undefined) world.virtualClock.set(change.now);
    await deliverNotifications(world, blobs, base);
  };
  const routes: Route[] = [
    ...controlRoutes(world, blobs, { tenants, setFaults, setClock, timeScale: options.timeScale ?? 0 }),
    ...tokenRoutes(world),
    ...signInRoutes(world),
    ...managementRoutes(world, faults, blobs),
    ...extraRoutes(world, faults, blobs),
  ];
  const server = createEmulatorServer(world, faults, routes, tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `https://127.0.0.1:${port}`;
  // On the real clock, webhook notifications go out as blobs become available.
  const timer = world.virtualClock
    ? null
    : setInterval(() => void deliverNotifications(world, blobs, base).catch(() => undefined), 30_000);
  timer?.unref();
  const timeScale = options.timeScale ?? 0;
  if (timeScale > 0 && !world.virtualClock) throw new Error('timeScale needs the virtual clock (clock: "virtual")');
  const scaled = scaleClock(timeScale, setClock);
  logger.info({ event: 'emulator.started', url: base, tenants: sim.tenants.length }, 'emulator started');
  return {
    url: base,
    controlUrl: `${base}/_emulator`,
    caFile: tls.caFile,
    caPem: tls.caPem,
    port,
    serverCertPem: tls.certPem,
    serverKeyPem: tls.keyPem,
    tenants: tenants(),
    clock: {
      now: () => world.now(),
      advance: (ms) => setClock({ advanceMs: ms }),
      set: (t) => setClock({ now: typeof t === 'string' ? Date.parse(t) : t }),
    },
    setFaults,
    setRoles: (tenantId, roles) => world.state.update(tenantId, (s) => void (s.roles = [...roles])),
    close: () =>
      new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        if (scaled) clearInterval(scaled);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every feed of every tenant with auditing on, enabled since `since` (EmulatorOptions.subscribedSince); kept ones stay. */
function subscribeAll(world: World, since: number): void {
  for (const t of world.sim.tenants) {
    if (!world.ualEnabledNow(t.tenantId)) continue;
    world.state.update(t.tenantId, (s) => {
      for (const ct of CONTENT_TYPES) {
        s.subscriptions[ct] ??= {
          contentType: ct,
          status: 'enabled',
          webhook: null,
          enabledAt: since,
          stoppedSpans: [],
          notifiedUpTo: since,
        };
      }
    });
  }
}

function tenantView(world: World, app: AppCredentials, tenantId: string): EmulatorTenantView {
  const t = world.tenant(tenantId)!;
  return {
    name: t.name,
    tenantId,
    domain: t.domain,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    certificatePem: app.certificatePem,
    privateKeyPem: app.privateKeyPem,
    thumbprint: app.thumbprint,
    thumbprintSha256: app.thumbprintSha256,
    publisherId: t.publisherId,
    ualEnabled: world.ualEnabledAt(tenantId, world.now()),
    orgAuditDisabled: world.orgAuditDisabled(tenantId),
    dehydrated: world.dehydrated(tenantId),
    globalAdmins: world.globalAdminsAt(tenantId, world.now()),
  };
}
