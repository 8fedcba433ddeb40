/** Log events the server emits (stable names, STYLE.md: one events.ts per module). */
export const SERVER_EVENTS = {
  listening: 'server.listening',
  requestFailed: 'server.request_failed',
  requestRejected: 'server.request_rejected',
  streamAborted: 'server.stream_aborted',
  webMissing: 'server.web_missing',
} as const;
