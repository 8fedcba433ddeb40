import type { FirstSeenLookBack } from '../detections/history-wait.js';
import type { Clock } from '../core/clock.js';
import type { EnableOutcome } from '../posture/service.js';
import type { PostureResult } from '../posture/types.js';
import type { Logger } from '../core/log.js';
import type { ReportInfo, ReportResult } from '../reports/types.js';
import type { RuleInfo } from '../detections/contract.js';
import type { Store, TenantRow } from '../store/contract.js';
import type { AuthOptions } from './auth/types.js';
import type { NewTenant, TenantOverview, TenantTestResult } from './api-types.js';
import type { HeavyLane } from './heavy-lane.js';

/**
 * What the server needs, injected by the composition root (cli/commands/serve.ts, demo.ts) or a test.
 * Optional parts (reports, collector status, web root) may be absent: their routes then answer
 * NOT_IMPLEMENTED (501) with a clear message instead of failing.
 */
export interface ServerDeps {
  store: Store;
  clock: Clock;
  /**
   * The clock of people's sign-ins: sessions (idle and absolute limits), API tokens' expiry, lockouts, the
   * sign-in rate limit and the console audit trail's times. Default `clock`. The demo with --time-scale runs
   * `clock` (the records', the emulator's) 60 times faster: on it a session ended after 30 real seconds idle,
   * a lockout after 15 seconds, and a 90-day token after a day and a half; this is the real clock there.
   */
  accountsClock?: Clock;
  logger: Logger;
  reports?: ReportsApi;
  collector?: CollectorStatusSource;
  posture?: PostureApi;
  /** Registering and testing tenants from the console (admin); absent: those routes answer NOT_IMPLEMENTED. */
  tenantAdmin?: TenantAdminApi;
  /**
   * `serve --allow-tenant-endpoints`: a tenant registered over the API may name its own `baseUrl` and `caFile`.
   * Off by default: a path read on the server and any HTTPS host let an admin probe the server's files and
   * internal hosts through the error messages (`tenant add` on the server keeps both: the operator runs it).
   */
  allowTenantEndpoints?: boolean;
  /** Management Activity API webhooks (serve --webhook-url): the receiver and each tenant's webhook health. */
  webhooks?: WebhookEndpoint & { status(tenantId: string): TenantOverview['webhook'] };
  /** Folder of the built web console (web/dist); when absent or missing, only /api is served. */
  webRoot?: string;
  /**
   * Sign-in, sessions, roles and host checks (server/auth); defaults: no sign-in while no account exists
   * (loopback), plain HTTP, loopback host names only.
   */
  auth?: Partial<AuthOptions>;
  /**
   * Addresses (IPs or CIDR blocks) of reverse proxies whose X-Forwarded-For, -Proto and -Host are believed
   * (fastify trustProxy): the client's address in the audit trail and the sign-in rate limit, and the host
   * people use. Off (empty) by default: a header any client can send must not choose its own address.
   */
  trustProxy?: readonly string[];
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: { cert: string; key: string };
  /** A detection rule's metadata by id (runbooks on the alert page); absent: only built-in rules are described. */
  rules?: (id: string) => RuleInfo | null;
  /** The first-seen rules that run (the pack and alerting.yaml's folders); absent: the built-in pack's. */
  firstSeen?: readonly FirstSeenLookBack[];
  /** Where heavy queries take turns (heavy-lane.ts); default: heavyLaneFor(store). */
  heavyLane?: HeavyLane;
  /** Page size cap of /api/search (default 1,000). */
  maxPageSize?: number;
}

/** The reports engine as the server sees it (src/reports/registry.ts: listReports, runReport). */
export interface ReportsApi {
  list(): ReportInfo[];
  /** `tenantsResolved`: params.tenant holds keys the route resolved within the caller's scope (ReportCallOptions). */
  run(id: string, params: Record<string, unknown>, options?: { tenantsResolved?: boolean }): Promise<ReportResult>;
}

/**
 * Checking and enabling a registered tenant's audit settings (posture/service.ts), bound by the
 * composition root to the real Microsoft clients. `enable` with `apply: false` only plans.
 */
export interface PostureApi {
  check(tenant: string): Promise<PostureResult>;
  enable(tenant: string, apply: boolean): Promise<EnableOutcome>;
}

/**
 * Registering and testing a tenant from the console, bound by the composition root to the data folder's
 * secret key and the Microsoft clients (cli/tenant-admin.ts, the same code as `tenant add` and `tenant test`).
 */
export interface TenantAdminApi {
  /** Validates and stores a new tenant (its secret sealed); CONFLICT when the name or tenant id is taken. */
  add(input: NewTenant): Promise<TenantRow>;
  /** Signs in and lists the subscriptions; every line and error already scrubbed of the tenant's secret. */
  test(tenant: TenantRow): Promise<Omit<TenantTestResult, 'tenant'>>;
}

/** What a running collector says about itself (demo, serve with --collect); shape owned by the collector. */
export interface CollectorStatusSource {
  status(): unknown;
}

/** The Management API webhook receiver as the server sees it (src/collector/webhook-receiver.ts). */
export interface WebhookEndpoint {
  authorized(header: string | undefined): boolean;
  accept(items: unknown[]): { accepted: number; ignored: number };
  refused(remote: string, hadHeader: boolean): void;
}
