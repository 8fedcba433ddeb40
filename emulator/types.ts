import type { Logger } from '../src/core/log.js';
import type { Simulation } from './sim/types.js';

/**
 * Faults a test or the demo can switch on (GET/POST /_emulator/faults, RunningEmulator.setFaults).
 * Every random-looking fault is decided by a hash of the seed and a request counter, so runs repeat.
 */
export interface Faults {
  /**
   * Requests per minute (emulator clock) per quota pool before AF429 / 429; null = unlimited. Default 2,000:
   * the Management Activity API reference's tenant baseline (spec §2.10); tests that need none say null.
   */
  throttleBudgetPerMinute: number | null;
  /** Management Activity API throttling status: 403 as documented, or 429 as seen on the wire (§2.10). */
  throttleStatus: 403 | 429;
  /** Seconds in Retry-After for Graph and Exchange throttling (§3.6, §5.3). */
  retryAfterSeconds: number;
  /** Fraction [0,1] of API requests answered with a 5xx (AF50000 / Graph / EXO envelope). */
  serverErrorRate: number;
  /** Real milliseconds every API response waits before it starts. */
  slowMs: number;
  /** Fraction [0,1] of API responses whose connection is cut half-way through the body. */
  cutRate: number;
  /** Lifetime of issued access tokens in seconds (default 3599); short values test renewal. */
  tokenLifetimeSeconds: number;
  /** Offset in ms added to the Date header and to token times (clock skew as a client sees it). */
  clockSkewMs: number;
  /** Tenant ids (or "*") whose unified audit logging is forced off, whatever their settings say. */
  ualDisabled: string[];
  /** Exchange: answer InvokeCommand with the plain-text concurrency error (§5.3, behaviour 44). */
  exoConcurrencyError: boolean;
  /** Exchange: Set-Mailbox fails for these mailboxes (UPN, case-insensitive): "a mailbox that fails in the middle". */
  setMailboxFailFor: string[];
  /** Search-UnifiedAuditLog answers the bogus ResultIndex -1 / ResultCount 0 (§4.3, behaviour 43). */
  searchBogusResult: boolean;
  /**
   * Search-UnifiedAuditLog: a session stops at this many results instead of 50,000 (ReturnLargeSet) or
   * 5,000, and ResultCount says exactly that many — the forced cap, at a size a test can afford.
   */
  searchResultCap: number | null;
  /** Management API webhooks: notifications not sent (dropped) while this is above 0; each drop counts down. */
  dropNotifications: number;
  /** Exchange: reject InvokeCommand without X-AnchorMailbox (behaviour 36). */
  strictAnchorMailbox: boolean;
  /** Management API: a listing's NextPageUri names the page it came on, so a client that follows it loops. */
  nextPageRepeat: boolean;
  /** Exchange: a paged InvokeCommand answer's @odata.nextLink names the page it came on (a looping service). */
  exoNextLinkRepeat: boolean;
  /**
   * Exchange: InvokeCommand of these cmdlets (case-insensitive) runs — the change is made — and then the connection
   * is reset before any answer, as a reply lost in flight (a client cannot tell whether the change was made).
   */
  exoResetAfter: string[];
  /**
   * Exchange: InvokeCommand of these cmdlets (case-insensitive) runs — the change is made — and then a gateway in
   * front answers `exoGatewayStatus` (502 or 504) with its own HTML page, as a proxy whose wait for Exchange ran out.
   */
  exoGatewayAfter: string[];
  /** The status of `exoGatewayAfter`'s answer (default 504, gateway timeout; 502 is a bad gateway). */
  exoGatewayStatus: number;
}

export const DEFAULT_FAULTS: Faults = {
  throttleBudgetPerMinute: 2_000,
  throttleStatus: 403,
  retryAfterSeconds: 30,
  serverErrorRate: 0,
  slowMs: 0,
  cutRate: 0,
  tokenLifetimeSeconds: 3599,
  clockSkewMs: 0,
  ualDisabled: [],
  exoConcurrencyError: false,
  setMailboxFailFor: [],
  searchBogusResult: false,
  searchResultCap: null,
  dropNotifications: 0,
  strictAnchorMailbox: false,
  nextPageRepeat: false,
  exoNextLinkRepeat: false,
  exoResetAfter: [],
  exoGatewayAfter: [],
  exoGatewayStatus: 504,
};

/** Behaviour knobs where the spec is uncertain or the real service is slow; defaults are the documented ones. */
export interface Tuning {
  /** Delay from the end of a record's time slot to its blob's contentCreated (real service: 60–90 min). */
  deliveryDelayMs: number;
  /** Width of the CreationTime slots blobs are assembled from. */
  slotMs: number;
  /** Extra spread of contentCreated per blob, larger than a slot so blobs arrive out of event order. */
  deliveryJitterMs: number;
  /** Content listing page size before NextPageUri (undocumented; §7). */
  contentPageSize: number;
  /**
   * After a start, listing shows nothing for this long (behaviour 26). Default 12 h: the documented bound
   * ("up to 12 hours", spec §2.2) and the only number Microsoft gives; tests and the demo that need
   * content at once pass 0.
   */
  firstDataDelayMs: number;
  /** Minimum time between subscription starts per tenant (§2.2: 15 min). */
  startThrottleMs: number;
  /** Set-AdminAuditLogConfig takes effect after this long (§5.5: up to 60 min). */
  ualSwitchDelayMs: number;
  /** Graph audit query: notStarted → running after this, running → succeeded after `graphQueryRunMs` more. */
  graphQueryStartMs: number;
  graphQueryRunMs: number;
  /** Graph audit query records page size, and limits (§3.6). */
  graphPageSize: number;
  graphDailyQueryLimit: number;
  graphConcurrentQueryLimit: number;
  /**
   * Records one query returns at most (§3.3: `recordCountLimit`, 1 million per the 2026 notes); a query
   * that matches more still succeeds, serves the first this many and says `isRecordCountLimitExceeded`.
   */
  graphRecordCountLimit: number;
  /** Default Graph users/directoryRoles page size. */
  graphDirectoryPageSize: number;
  /** Content type matching: case-insensitive by default (peer observation, §2.1). */
  contentTypeCaseInsensitive: boolean;
  /** Default window when /content gets neither start nor end: the reference doc's 24 h, or today since 00:00. */
  defaultWindow: 'last24h' | 'today';
  /**
   * How far past 7 days a /content startTime is still accepted: beats observed about +1 h on the real
   * service (spec §7), so the default is 1 h; 0 is the documented rule to the millisecond.
   */
  windowStartToleranceMs: number;
}

export const DEFAULT_TUNING: Tuning = {
  deliveryDelayMs: 5 * 60_000,
  slotMs: 5 * 60_000,
  deliveryJitterMs: 12 * 60_000,
  contentPageSize: 200,
  firstDataDelayMs: 12 * 60 * 60_000,
  startThrottleMs: 15 * 60_000,
  ualSwitchDelayMs: 60 * 60_000,
  graphQueryStartMs: 10_000,
  graphQueryRunMs: 60_000,
  graphPageSize: 150,
  graphDailyQueryLimit: 200,
  graphConcurrentQueryLimit: 50,
  graphRecordCountLimit: 1_000_000,
  graphDirectoryPageSize: 100,
  contentTypeCaseInsensitive: true,
  defaultWindow: 'last24h',
  windowStartToleranceMs: 60 * 60_000,
};

export interface EmulatorOptions {
  /** 0 = any free port (default). */
  port?: number;
  host?: '127.0.0.1';
  /** Where the CA, certificates, app credentials and mutable settings live (reused on later starts). */
  stateDir: string;
  seed?: number;
  tenants?: number;
  users?: number;
  days?: number;
  /** 'real' follows the system clock; 'virtual' only moves through the control API or `clock.advance`. */
  clock?: 'real' | 'virtual';
  /**
   * Every tenant whose unified audit log is on starts with every feed subscribed since this instant, as
   * tenants an earlier tool subscribed (their first content long listed): the collector finds them enabled
   * and waits for no first content. Unset: no subscription exists until a client starts one.
   */
  subscribedSince?: number;
  /**
   * With the virtual clock: emulator milliseconds it moves by itself per real millisecond (60 = an emulator
   * hour per real minute, for the demo); 0 (default) = it moves only through the control API.
   */
  timeScale?: number;
  /** Epoch ms the virtual clock starts at and the simulation is anchored to (default: now, to the minute). */
  start?: number;
  deliveryDelayMs?: number;
  faults?: Partial<Faults>;
  tuning?: Partial<Tuning>;
  /** Records per user per day for the simulation (default 20). */
  recordsPerUserPerDay?: number;
  /**
   * Keep V8's heap close to what is live (`--heap-growing-percent=50`, process-wide, set once). Default: on
   * with the real clock (`tenantwatch emulator`, the demo), where a week of 5 tenants × 200 users otherwise
   * peaks near 550 MB of garbage over an ~80 MB live set; off for tests. See bench/emulator.bench.ts.
   */
  leanHeap?: boolean;
  /** A ready simulation instead of the seeded one (tests). */
  simulation?: Simulation;
  logger?: Logger;
}

/** One tenant as GET /_emulator/tenants shows it (with credentials: this is a test bed). */
export interface EmulatorTenantView {
  name: string;
  tenantId: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  certificatePem: string;
  privateKeyPem: string;
  /** SHA-1 and SHA-256 thumbprints of the certificate (hex), as msal-node's configuration takes them. */
  thumbprint: string;
  thumbprintSha256: string;
  publisherId: string;
  ualEnabled: boolean;
  orgAuditDisabled: boolean;
  dehydrated: boolean;
  globalAdmins: string[];
}

export interface EmulatorClockControl {
  now(): number;
  /** Moves a virtual clock forward and waits for the webhook deliveries that became due. */
  advance(ms: number): Promise<void>;
  set(time: number | string): Promise<void>;
}

export interface RunningEmulator {
  url: string;
  controlUrl: string;
  caFile: string;
  caPem: string;
  port: number;
  /** The server certificate and key (name 127.0.0.1), for test servers that must be trusted by the same CA. */
  serverCertPem: string;
  serverKeyPem: string;
  tenants: EmulatorTenantView[];
  clock: EmulatorClockControl;
  setFaults(faults: Partial<Faults>): void;
  /** Replaces the application permissions (token `roles`) granted in one tenant. */
  setRoles(tenantId: string, roles: string[]): void;
  close(): Promise<void>;
}
