import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawRecords, type GenerateOptions } from './generate.js';

const OPTIONS: GenerateOptions = { seed: 99, end: Date.UTC(2026, 10, 1), days: 30 };
const SIGN_INS = new Set(['UserLoggedIn', 'UserLoginFailed']);

interface Raw {
  Operation: string;
  UserId?: string;
  ClientIP?: string;
  UserAgent?: string;
  Id: string;
}

function read(options: GenerateOptions): Raw[] {
  return [...rawRecords(20_000, options)].map((line) => JSON.parse(line) as Raw);
}

/** Distinct (user, address without port) pairs among successful sign-ins, and how many sign-ins. */
function successAddresses(records: Raw[]): { pairs: number; signIns: number } {
  const ok = records.filter((r) => r.Operation === 'UserLoggedIn' && r.UserId);
  return {
    pairs: new Set(ok.map((r) => `${r.UserId!.toLowerCase()} ${String(r.ClientIP).replace(/:\d+$/, '')}`)).size,
    signIns: ok.length,
  };
}

test("habits: a user's successful sign-ins come from a few addresses of their own; scattered: from anywhere", () => {
  const habits = successAddresses(read(OPTIONS));
  const scattered = successAddresses(read({ ...OPTIONS, signIns: 'scattered' }));
  assert.ok(habits.signIns > 2_000);
  assert.ok(habits.pairs < habits.signIns * 0.2, `${habits.pairs} pairs for ${habits.signIns} sign-ins`);
  assert.ok(scattered.pairs > scattered.signIns * 0.8, `${scattered.pairs} pairs for ${scattered.signIns} sign-ins`);
});

test('the sign-in mode changes sign-ins only: every other record is the same, byte for byte', () => {
  const a = [...rawRecords(5_000, OPTIONS)];
  const b = [...rawRecords(5_000, { ...OPTIONS, signIns: 'scattered' })];
  let others = 0;
  for (let i = 0; i < a.length; i++) {
    if (SIGN_INS.has((JSON.parse(a[i]!) as Raw).Operation)) continue;
    others++;
    assert.equal(a[i], b[i]);
  }
  assert.ok(others > 3_000);
});
