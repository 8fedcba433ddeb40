/**
 * HEC's answers (help.splunk.com "Troubleshoot HTTP Event Collector", status and `code`): 200 code 0
 * is "valid", not yet "indexed" (only the ack says that); code 6 "Invalid data format" names the first
 * bad event (`invalid-event-number`) — events before it were taken, the ones after it never read;
 * 1-4 are the token; 9 "Server is busy" is 503 and worth retrying; 7 is a wrong index (the sink's
 * configuration, not the record).
 */
import { classifyStatus, SinkFailure } from '../failure.js';
import type { SendResult } from '../driver.js';

export interface HecAnswer {
  text?: string;
  code?: number;
  'invalid-event-number'?: number;
  ackId?: number;
}

export function parseAnswer(body: Buffer): HecAnswer {
  try {
    return JSON.parse(body.toString('utf8')) as HecAnswer;
  } catch {
    return {};
  }
}

/** A failed answer as a SendResult (one event refused) or a thrown SinkFailure (the whole request). */
export function classifyHec(status: number, answer: HecAnswer, count: number, retryAfterMs?: number): SendResult {
  const detail = `${answer.text ?? 'no text'} (code ${answer.code ?? '?'})`;
  if (answer.code === 7)
    throw new SinkFailure('config', `${status} ${detail}: the index does not exist or the token may not write to it`, {
      retryable: false,
      status,
    });
  if (status === 400 && answer.code === 6 && typeof answer['invalid-event-number'] === 'number') {
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
  throw classifyStatus(status, detail, retryAfterMs);
}
