import assert from 'node:assert/strict';
import type { CoverageWindow, Store } from '../contract.js';
import { WINDOW_COLUMNS, windowValues } from '../ledger-rows.js';
import { DAY, MIN, T0, windowRow } from './fixtures.js';

/**
 * The ledger as a store before the window kind column held it (SQLite version 13, PostgreSQL 15): a horizon
 * slice was an expired row whose lastError began `HORIZON:`, and coverage parsed that prefix back. Each
 * adapter's upgrade test writes these rows through SQL in that older shape (`BEFORE_KIND_COLUMNS`, values
 * from `beforeKindValues`), migrates, and checks the store with `expectKindsUpgraded`.
 */
const SLICE = windowRow({
  start: T0 + 23 * 60 * MIN + 5 * MIN,
  end: T0 + DAY + 2 * 60 * MIN,
  kind: 'horizon-slice',
  state: 'expired',
  queriedStart: T0 + 23 * 60 * MIN + 5 * MIN,
  lastError: "planned, but passed the API's 7-day horizon before it was fetched",
});

export const BEFORE_KIND: readonly { written: CoverageWindow; upgraded: CoverageWindow }[] = [
  // The slice: marked by the prefix then, by its kind now; its words stay.
  { written: { ...SLICE, lastError: `HORIZON: ${SLICE.lastError}` }, upgraded: SLICE },
  // A grid window wholly behind the horizon, and one with a failure: windows, their words untouched.
  {
    written: windowRow({ state: 'expired', lastError: "passed the API's 7-day horizon before it was fetched" }),
    upgraded: windowRow({ state: 'expired', lastError: "passed the API's 7-day horizon before it was fetched" }),
  },
  {
    written: windowRow({ start: T0 + DAY, end: T0 + 2 * DAY, state: 'failed', lastError: 'AF50000: HORIZON: x' }),
    upgraded: windowRow({ start: T0 + DAY, end: T0 + 2 * DAY, state: 'failed', lastError: 'AF50000: HORIZON: x' }),
  },
];

/** The coverage columns before the kind column (the kind is the last of WINDOW_COLUMNS). */
export const BEFORE_KIND_COLUMNS = WINDOW_COLUMNS.filter((c) => c !== 'kind');

export function beforeKindValues(w: CoverageWindow): (string | number | null)[] {
  return windowValues(w).slice(0, BEFORE_KIND_COLUMNS.length);
}

export async function expectKindsUpgraded(store: Store): Promise<void> {
  const got = await store.ledger.listWindows({ tenant: SLICE.tenant, stream: SLICE.stream });
  assert.deepEqual(
    got,
    BEFORE_KIND.map((c) => c.upgraded).sort((a, b) => a.start - b.start),
  );
}
