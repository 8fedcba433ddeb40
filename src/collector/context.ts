import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { ContentType } from '../core/record.js';
import type { ManagementActivityClient } from '../microsoft/management-activity.js';
import type { ApiFailure } from '../microsoft/management-errors.js';
import type { RetryPolicy } from '../net/retry.js';
import type { Store } from '../store/contract.js';
import type { FairScheduler, TenantBudget } from './budget.js';

/** What every part of one collection run shares (built once by `collect`). */
export interface RunContext {
  store: Store;
  clock: Clock;
  logger: Logger;
  retry: RetryPolicy<ApiFailure>;
  scheduler: FairScheduler;
  /** Ctrl-C: no new blob starts; the one being written finishes. */
  signal: AbortSignal;
  options: ResolvedOptions;
  owner: string;
  /** Subscriptions carry this webhook (issue 20); null = polling only. */
  webhook?: WebhookSetting | null;
}

/** Where Microsoft notifies new blobs, and who hears how each subscription's webhook stands. */
export interface WebhookSetting {
  address: string;
  authId: string;
  /** Told after each subscription listing: the webhook's status per content type ('missing' when absent). */
  onState?: (tenantId: string, contentType: ContentType, status: string) => void;
}

export interface ResolvedOptions {
  contentTypes: readonly ContentType[];
  sinceMs: number;
  windowMs: number;
  relistMs: number;
  horizonMarginMs: number;
  requestsPerMinute: number;
  batchSize: number;
  leaseMs: number;
  /** Blob requests wait at most this long (ms, real time) before they are cut and retried. */
  requestTimeoutMs: number;
}

/** Progress counters per tenant (shown on a terminal, returned in the summary). */
export interface TenantStats {
  tenant: string;
  name: string;
  /** 'interrupted': stopped by the person (Ctrl-C, SIGTERM) before the pass finished; the next run resumes. */
  state: 'waiting' | 'running' | 'done' | 'failed' | 'interrupted';
  error: { code: string; message: string; hint?: string } | null;
  windowsPlanned: number;
  windowsDone: number;
  windowsFailed: number;
  windowsExpired: number;
  blobsListed: number;
  blobsFetched: number;
  blobsSkipped: number;
  blobsFailed: number;
  blobsRefused: number;
  records: number;
  newRecords: number;
  recordsRejected: number;
  /** Records whose Id was stored with other content: the stored one stays, this one is kept aside (ADR 0030). */
  recordsInConflict: number;
  throttled: number;
  throttleWaitMs: number;
  retries: number;
  streamsSkipped: { contentType: ContentType; reason: string }[];
  /**
   * Subscriptions this run started (not ones already enabled): Microsoft lists a new subscription's first
   * content up to 12 hours later (spec §2.2), so an empty first listing is not "no activity".
   */
  subscriptionsStarted: number;
  /** Windows listed empty while their subscription's first content had not come: not recorded (subscriptions.ts). */
  windowsAwaitingFirstContent: number;
}

export interface TenantRun {
  tenantId: string;
  name: string;
  client: ManagementActivityClient;
  budget: TenantBudget;
  stats: TenantStats;
  /** Closes the tenant's connection (idle keep-alive sockets) when the run ends. */
  close?: () => void;
}

export function emptyStats(tenant: string, name: string): TenantStats {
  return {
    tenant,
    name,
    state: 'waiting',
    error: null,
    windowsPlanned: 0,
    windowsDone: 0,
    windowsFailed: 0,
    windowsExpired: 0,
    blobsListed: 0,
    blobsFetched: 0,
    blobsSkipped: 0,
    blobsFailed: 0,
    blobsRefused: 0,
    records: 0,
    newRecords: 0,
    recordsRejected: 0,
    recordsInConflict: 0,
    throttled: 0,
    throttleWaitMs: 0,
    retries: 0,
    streamsSkipped: [],
    subscriptionsStarted: 0,
    windowsAwaitingFirstContent: 0,
  };
}
