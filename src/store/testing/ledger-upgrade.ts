import assert from 'node:assert/strict';
import type { CoverageWindow, Store, WindowCause, WindowKind } from '../contract.js';
import { WINDOW_COLUMNS, windowValues } from '../ledger-rows.js';
import { DAY, MIN, T0, windowRow } from './fixtures.js';

/**
 * Ledger facts that readers once parsed out of a window's free-text lastError, and the migrations that moved
 * them into columns (a column of its own, or a value of one); and a column no row had a fact for (fetched_to),
 * whose rows read as before. Each adapter's upgrade test writes `rows` through SQL as the store held them before
 * the migration (its `columns`, values from `writtenValues`), migrates, and checks the store with `expectUpgraded`.
 */
export interface LedgerUpgrade {
  /** What the test is about, for its name. */
  what: string;
  /** The column the fact moved into, and the value the migration gives the rows that carried it. */
  column: 'kind' | 'cause' | 'fetched_to';
  value: WindowKind | WindowCause | null;
  /** The coverage columns before the migration. */
  columns: readonly string[];
  rows: readonly { written: CoverageWindow; upgraded: CoverageWindow }[];
}

/** What the migration says in both stores: the upgrade test applies every migration before the first that does. */
export const migrationStep = (upgrade: LedgerUpgrade): string =>
  upgrade.value === null ? upgrade.column : `SET ${upgrade.column} = '${upgrade.value}'`;

/** The upgrade in a test's name, and as a word for a file or schema name. */
export const upgradeName = (upgrade: LedgerUpgrade): string =>
  upgrade.value === null ? upgrade.column : `${upgrade.column} '${upgrade.value}'`;
export const upgradeTag = (upgrade: LedgerUpgrade): string => (upgrade.value ?? upgrade.column).replaceAll('-', '_');

/** The coverage columns before `column` was added (WINDOW_COLUMNS lists them in the order they came). */
const before = (column: LedgerUpgrade['column']): readonly string[] =>
  WINDOW_COLUMNS.slice(0, WINDOW_COLUMNS.indexOf(column));

const SLICE = windowRow({
  start: T0 + 23 * 60 * MIN + 5 * MIN,
  end: T0 + DAY + 2 * 60 * MIN,
  kind: 'horizon-slice',
  state: 'expired',
  queriedStart: T0 + 23 * 60 * MIN + 5 * MIN,
  lastError: "planned, but passed the API's 7-day horizon before it was fetched",
});

/** A horizon slice was an expired row whose lastError began `HORIZON:` (SQLite before 14, PostgreSQL before 16). */
export const KIND_UPGRADE: LedgerUpgrade = {
  what: 'horizon slices become a row kind, the HORIZON: prefix gone from their words',
  column: 'kind',
  value: 'horizon-slice',
  columns: before('kind'),
  rows: [
    { written: { ...SLICE, lastError: `HORIZON: ${SLICE.lastError}` }, upgraded: SLICE },
    // A grid window wholly behind the horizon, and one with a failure that quotes the word: untouched.
    {
      written: windowRow({ state: 'expired', lastError: "passed the API's 7-day horizon before it was fetched" }),
      upgraded: windowRow({ state: 'expired', lastError: "passed the API's 7-day horizon before it was fetched" }),
    },
    {
      written: windowRow({ start: T0 + DAY, end: T0 + 2 * DAY, state: 'failed', lastError: 'AF50000: HORIZON: x' }),
      upgraded: windowRow({ start: T0 + DAY, end: T0 + 2 * DAY, state: 'failed', lastError: 'AF50000: HORIZON: x' }),
    },
  ],
};

const AWAITING =
  "Microsoft has not listed this subscription's first content yet (up to 12 h after it starts); listed again by the next run";

/**
 * A window left unfinished while its new subscription awaited its first content was known only by these words
 * (SQLite before 15, PostgreSQL before 17).
 */
export const CAUSE_UPGRADE: LedgerUpgrade = {
  what: 'windows awaiting their first content get that cause',
  column: 'cause',
  value: 'awaiting-first-content',
  columns: before('cause'),
  rows: [
    {
      written: windowRow({ queriedStart: T0 + 9 * 60 * MIN, lastError: AWAITING }),
      upgraded: windowRow({ queriedStart: T0 + 9 * 60 * MIN, lastError: AWAITING, cause: 'awaiting-first-content' }),
    },
    // A failed window, and a slice lost behind the horizon: no cause.
    {
      written: windowRow({ start: T0 + DAY, end: T0 + 2 * DAY, state: 'failed', lastError: 'AF50000' }),
      upgraded: windowRow({ start: T0 + DAY, end: T0 + 2 * DAY, state: 'failed', lastError: 'AF50000' }),
    },
    { written: SLICE, upgraded: SLICE },
  ],
};

const RETENTION = "older than the tenant's retention (180 days); Microsoft no longer keeps these records";
const CMDLET = { stream: 'search-unified-audit-log', start: T0 - 100 * DAY, end: T0 - 10 * DAY } as const;

/**
 * History older than the tenant's retention was an expired history row whose lastError began `UNAVAILABLE:`
 * (SQLite before 16, PostgreSQL before 18), and coverage parsed that prefix back.
 */
export const RETENTION_UPGRADE: LedgerUpgrade = {
  what: 'history beyond the retention gets that cause, the UNAVAILABLE: prefix gone from its words',
  column: 'cause',
  value: 'beyond-retention',
  columns: before('fetched_to'),
  rows: [
    {
      written: windowRow({ ...CMDLET, state: 'expired', lastError: `UNAVAILABLE: ${RETENTION}` }),
      upgraded: windowRow({ ...CMDLET, state: 'expired', cause: 'beyond-retention', lastError: RETENTION }),
    },
    // A failed history window that quotes the word, and a live window (never read as beyond retention): untouched.
    {
      written: windowRow({ ...CMDLET, start: T0 - 10 * DAY, end: T0, state: 'failed', lastError: 'UNAVAILABLE: x' }),
      upgraded: windowRow({ ...CMDLET, start: T0 - 10 * DAY, end: T0, state: 'failed', lastError: 'UNAVAILABLE: x' }),
    },
    {
      written: windowRow({ state: 'expired', lastError: 'UNAVAILABLE: x' }),
      upgraded: windowRow({ state: 'expired', lastError: 'UNAVAILABLE: x' }),
    },
  ],
};

/**
 * How far a window was fetched before a later run listed it again from the horizon was recorded nowhere (SQLite
 * before 17, PostgreSQL before 19): rows get no value, and coverage reads them as it did (the window's gap from
 * its start to its queriedStart).
 */
export const FETCHED_TO_UPGRADE: LedgerUpgrade = {
  what: 'rows keep what they held and record no fetched head',
  column: 'fetched_to',
  value: null,
  columns: before('fetched_to'),
  rows: [
    {
      written: windowRow({ state: 'fetched', queriedStart: T0 + 18 * 60 * MIN }),
      upgraded: windowRow({ state: 'fetched', queriedStart: T0 + 18 * 60 * MIN }),
    },
    { written: SLICE, upgraded: SLICE },
  ],
};

export const LEDGER_UPGRADES: readonly LedgerUpgrade[] = [
  KIND_UPGRADE,
  CAUSE_UPGRADE,
  RETENTION_UPGRADE,
  FETCHED_TO_UPGRADE,
];

/** A row's values for the upgrade's columns, in their order. */
export function writtenValues(upgrade: LedgerUpgrade, w: CoverageWindow): (string | number | null)[] {
  const all = windowValues(w);
  return upgrade.columns.map((c) => all[WINDOW_COLUMNS.indexOf(c as (typeof WINDOW_COLUMNS)[number])]!);
}

export async function expectUpgraded(store: Store, upgrade: LedgerUpgrade): Promise<void> {
  const order = (a: CoverageWindow, b: CoverageWindow): number =>
    (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0) || a.start - b.start;
  const got = await store.ledger.listWindows({ tenant: SLICE.tenant });
  assert.deepEqual(got.sort(order), upgrade.rows.map((c) => c.upgraded).sort(order), upgrade.what);
}
