/** The log events the retention sweep emits (structured; field names are stable). Grep for `"event":"retention.`. */
export const EVENTS = {
  sweepStarted: 'retention.sweep.started',
  tenantSwept: 'retention.tenant.swept',
  /** A whole month removed at once (PostgreSQL drops its partition). */
  monthRemoved: 'retention.month.removed',
  sweepFinished: 'retention.sweep.finished',
  sweepFailed: 'retention.sweep.failed',
  /** Another process took the sweep lease over (this sweep stalled past its term): the sweep stops. */
  leaseLost: 'retention.lease.lost',
  /** The lease could not be let go after a failed sweep (the sweep's error is the one reported). */
  leaseReleaseFailed: 'retention.lease.release_failed',
} as const;
