/**
 * The log events the sinks emit (structured, pino-compatible; field names are stable). Grep a log for
 * `"event":"sink.` to follow forwarding. No event ever carries a secret: fields are names, counts,
 * classified stages and receiver messages.
 */
export const EVENTS = {
  started: 'sink.forward.started',
  caughtUp: 'sink.forward.caught_up',
  stopped: 'sink.forward.stopped',
  batchDelivered: 'sink.batch.delivered',
  retry: 'sink.retry',
  gaveUp: 'sink.gave_up',
  deadLetter: 'sink.dead_letter',
  leaseBusy: 'sink.lease.busy',
  leaseReclaimed: 'sink.lease.reclaimed',
  leaseLost: 'sink.lease.lost',
  cursorMoved: 'sink.cursor.moved',
  sinkRemoved: 'sink.forward.removed',
  replayed: 'sink.replay.done',
  failed: 'sink.forward.failed',
  recipientRefused: 'sink.email.recipient_refused',
} as const;

export type SinkEvent = (typeof EVENTS)[keyof typeof EVENTS];
