import { parseIsoUtc, DAY, HOUR } from '../../src/core/time.js';
import type { Reply } from '../http.js';
import type { Tuning } from '../types.js';
import { AF } from './errors.js';

/**
 * The listing window of /subscriptions/content and /notifications (spec §2.5, behaviours 19–21):
 * startTime inclusive, endTime exclusive, on contentCreated. Accepts YYYY-MM-DD, YYYY-MM-DDTHH:MM,
 * YYYY-MM-DDTHH:MM:SS, with or without a fraction and a trailing Z or offset (RFC 3339).
 */
const ACCEPTED = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:\d{2})?$/i;

export function parseApiTime(text: string): number | null {
  if (!ACCEPTED.test(text.trim())) return null;
  return parseIsoUtc(text);
}

export interface Window {
  start: number;
  end: number;
  /** The texts as given, to repeat in NextPageUri. */
  startText: string | null;
  endText: string | null;
}

export function resolveWindow(params: URLSearchParams, now: number, tuning: Tuning): Window | Reply {
  const startText = params.get('startTime');
  const endText = params.get('endTime');
  if (startText === null && endText === null) {
    if (tuning.defaultWindow === 'today') return { start: now - (now % DAY), end: now, startText, endText };
    return { start: now - DAY, end: now, startText, endText };
  }
  if (startText === null || endText === null) return AF.window();
  const start = parseApiTime(startText);
  if (start === null) return AF.badParameter('startTime', 'DateTime');
  const end = parseApiTime(endText);
  if (end === null) return AF.badParameter('endTime', 'DateTime');
  if (start >= end) return AF.windowOrder();
  if (end - start > 24 * HOUR) return AF.window();
  if (start < now - 7 * DAY - tuning.windowStartToleranceMs) return AF.window();
  return { start, end, startText, endText };
}
