import assert from 'node:assert/strict';
import { test } from 'node:test';
// @ts-expect-error a plain .mjs script of the test runner, without types
import { processAlive, staleSchemas } from './stale-schemas.mjs';

test('stale test schemas: over an hour old and their process gone; a running or recent run’s are kept', () => {
  const now = Date.UTC(2026, 11, 4, 12);
  const name = (label: string, pid: number, made: number, suffix = ''): string =>
    `tw_${label}_${pid}_${made.toString(36)}${suffix}`;
  const old = now - 2 * 3_600_000;
  const names = [
    name('text_index', 111, old, '_3'), // a family's schema of a dead run
    name('records', 222, old), // isolatedPgUrl's, of a run still going
    name('cli_2024', 333, now - 10 * 60_000), // dead, but ten minutes old: maybe another machine's run just ended
    name('rollups', 444, now + 60_000), // from the future: not a name of ours
    'tw_hand_made', // no pid and time
    'public',
    `bench_${name('x', 555, old)}`,
  ];
  const alive = (pid: number): boolean => pid === 222;
  assert.deepEqual(staleSchemas(names, now, alive), [names[0]]);
  assert.equal(processAlive(process.pid), true);
  assert.equal(processAlive(2 ** 22 + 12_345), false, 'above the largest pid Linux hands out');
});
