import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveLine, noLiveTotals, type LiveTotals } from './live-session.js';

const totals = (over: Partial<LiveTotals>): LiveTotals => ({ ...noLiveTotals(), passes: 1, ...over });

test('the detections summary counts in words that agree with their numbers, never "record(s)"', () => {
  assert.equal(
    liveLine(totals({ records: 1, raised: 1, counted: 0 })),
    'detections: 1 new record evaluated: 1 alert raised, 0 hits counted on existing alerts',
  );
  assert.equal(
    liveLine(totals({ records: 1234, raised: 2, counted: 1, excluded: 3 })),
    'detections: 1,234 new records evaluated: 2 alerts raised, 1 hit counted on existing alerts, 3 excluded',
  );
});
