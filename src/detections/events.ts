/**
 * The log events detections emit (structured, pino-compatible; field names are stable). Grep a log for
 * `"event":"detections.` to follow alerts from hit to delivery.
 */
export const DETECTION_EVENTS = {
  alertRaised: 'detections.alert.raised',
  alertReopened: 'detections.alert.reopened',
  hitExcluded: 'detections.hit.excluded',
  hitSnoozed: 'detections.hit.snoozed',
  /** An exclusion or snooze was stored or removed while a batch of hits was raised: the batch is judged again. */
  hitsJudgedAgain: 'detections.hits.judged_again',
  alertStatus: 'detections.alert.status',
  alertRouted: 'detections.alert.routed',
  alertUnrouted: 'detections.alert.unrouted',
  alertClaimBusy: 'detections.alert.claim_busy',
  alertClaimReclaimed: 'detections.alert.claim_reclaimed',
  alertClaimOverrun: 'detections.alert.claim_overrun',
  alertClaimLost: 'detections.alert.claim_lost',
  alertClaimReleaseFailed: 'detections.alert.claim_release_failed',
  alertChangedWhileSent: 'detections.alert.changed_while_sent',
  channelRemoved: 'detections.channel.removed',
  alertChannelGone: 'detections.alert.channel_gone',
  channelFailed: 'detections.channel.failed',
  channelStatsFailed: 'detections.channel.stats_failed',
  liveBatch: 'detections.live.batch',
  livePrimed: 'detections.live.primed',
  liveFailed: 'detections.live.failed',
  ruleFailed: 'detections.rule.failed',
  postureDrift: 'detections.posture.drift',
} as const;

export type DetectionEvent = (typeof DETECTION_EVENTS)[keyof typeof DETECTION_EVENTS];
