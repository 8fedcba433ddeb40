import type { CountRow } from './api.js';

/** The most bars a timeline draws. */
export const MAX_BARS = 2_000;

/** One bar: the matches in [start, end). */
export interface Bar {
  start: number;
  end: number;
  count: number;
}

/**
 * The bars of a timeline over [start, end) from the server's counts per UTC day or hour, empty buckets as zero
 * bars. A period of more buckets than MAX_BARS gives each bar `per` whole buckets, so the bars always reach the
 * end: they stopped after 2,000 buckets, and a search from 2015 drew its first 2,000 days, none of the records of
 * the years after, under an axis that ran to now.
 */
export function timelineBars(
  rows: readonly CountRow[],
  bucket: 'day' | 'hour',
  start: number,
  end: number,
): { bars: Bar[]; per: number } {
  const step = bucket === 'day' ? 86_400_000 : 3_600_000;
  const first = Math.floor(start / step) * step;
  const buckets = Math.max(1, Math.ceil((end - first) / step));
  const per = Math.ceil(buckets / MAX_BARS);
  const width = per * step;
  const counts = new Array<number>(Math.ceil(buckets / per)).fill(0);
  for (const r of rows) {
    const i = Math.floor((Number(r.key) - first) / width);
    if (i >= 0 && i < counts.length) counts[i]! += r.count;
  }
  const bars = counts.map((count, i) => ({ start: first + i * width, end: first + (i + 1) * width, count }));
  return { bars, per };
}
