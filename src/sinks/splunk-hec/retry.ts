/**
 * HEC's answers (help.splunk.com "Troubleshoot HTTP Event Collector", status and `code`): 200 code 0
 * is "valid", not yet "indexed" (only the ack says that); code 6 "Invalid data format" names the first
 * bad event (`invalid-event-number`) — events before it were taken, the ones after it never read;
 * 1-4 are the token; 9 "Server is busy" is 503 and worth retrying; 7 is a wrong index (the sink's
 * configuration, not the record).
 */
import { bodyExcerpt, classifyStatus, SinkFailure } from '../failure.js';
import type { SendResult } from '../driver.js';

export interface HecAnswer {
  text?: string;
  code?: number;
  'invalid-event-number'?: number;
  ackId?: number;
}

/** HEC's JSON answer, or null when the body is not one (a proxy's page, a captive portal, a cut answer). */
export function parseAnswer(body: Buffer): HecAnswer | null {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const answer = value as HecAnswer;
  return typeof answer.code === 'number' || typeof answer.text === 'string' ? answer : null;
}

/** Only HEC's own success counts as delivered: 200 with a JSON answer of code 0 (spec siem-protocols.md). */
export function isHecSuccess(status: number, answer: HecAnswer | null): boolean {
  return status === 200 && answer?.code === 0;
}

/** How an answer is worded in a failure: HEC's text and code, else a short excerpt of what came back. */
export function describeHecAnswer(answer: HecAnswer | null, body: Buffer): string {
  if (answer) return `${answer.text ?? 'no text'} (code ${answer.code ?? '?'})`;
  return `not an HEC answer: ${bodyExcerpt(body)}`;
}

/**
 * A failed answer as a SendResult (one event refused) or a thrown SinkFailure (the whole request). A 200
 * that is not HEC's success (not JSON, or no code 0) is a `protocol` failure, retried: whatever answered
 * was not HEC, so nothing says the events were taken.
 */
export function classifyHec(
  status: number,
  answer: HecAnswer | null,
  body: Buffer,
  count: number,
  retryAfterMs?: number,
  location?: string,
): SendResult {
  const detail = describeHecAnswer(answer, body);
  if (answer?.code === 7)
    throw new SinkFailure('config', `${status} ${detail}: the index does not exist or the token may not write to it`, {
      retryable: false,
      status,
    });
  if (answer && status === 400 && answer.code === 6 && typeof answer['invalid-event-number'] === 'number') {
    const bad = answer['invalid-event-number'];
    if (bad >= 0 && bad < count)
      return {
        rejected: [{ index: bad, reason: `${status} ${detail}` }],
        retry: Array.from({ length: count - bad - 1 }, (_, i) => ({
          index: bad + 1 + i,
          reason: 'after a refused event',
        })),
        retryNow: true,
      };
  }
  if (status >= 200 && status < 300)
    throw new SinkFailure('protocol', `${status} ${detail}`.slice(0, 500), { retryable: true, status });
  throw classifyStatus(status, detail, retryAfterMs, location);
}
