/**
 * The log events the collector emits (structured, pino-compatible; field names are stable). Grep a log
 * for `"event":"collector.` to follow a run; docs/ARCHITECTURE.md (Collector) describes each.
 */
export const EVENTS = {
  runStarted: 'collector.run.started',
  runFinished: 'collector.run.finished',
  tenantFailed: 'collector.tenant.failed',
  streamSkipped: 'collector.stream.skipped',
  subscribed: 'collector.subscription.started',
  webhookNotSet: 'collector.webhook.not_set',
  webhookRefused: 'collector.webhook.refused',
  webhookNotified: 'collector.webhook.notified',
  webhookBlobFailed: 'collector.webhook.blob_failed',
  historyWindowFailed: 'collector.history.window_failed',
  historySessionDiscarded: 'collector.history.session_discarded',
  historyFallback: 'collector.history.fallback',
  historySplit: 'collector.history.split',
  historyLeaseBusy: 'collector.history.lease_busy',
  windowPlanned: 'collector.window.planned',
  windowListed: 'collector.window.listed',
  windowDone: 'collector.window.done',
  windowFailed: 'collector.window.failed',
  windowExpired: 'collector.window.expired',
  windowNotCollectable: 'collector.window.not_collectable',
  blobCommitted: 'collector.blob.committed',
  blobSkipped: 'collector.blob.skipped',
  blobRefused: 'collector.blob.refused',
  blobFailed: 'collector.blob.failed',
  blobNotUtf8: 'collector.blob.not_utf8',
  recordRejected: 'collector.record.rejected',
  recordConflict: 'collector.record.conflict',
  retry: 'collector.retry',
  throttled: 'collector.throttled',
  checkpoint: 'collector.checkpoint.advanced',
  leaseBusy: 'collector.lease.busy',
  leaseReclaimed: 'collector.lease.reclaimed',
  pollWaiting: 'collector.poll.waiting',
  afterPassFailed: 'collector.after_pass.failed',
} as const;

export type CollectorEvent = (typeof EVENTS)[keyof typeof EVENTS];
