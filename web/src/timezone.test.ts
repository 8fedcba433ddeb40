import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtTime, localTimes } from './format.js';
import { isoToWallClock, offsetMinutes, setTimeZone, timeZone, wallClockToIso, zoneLabel } from './timezone.js';

/** Issue 17 item 4: times in UTC or a chosen zone, shown with the zone; pickers write the zone's offset. */
const WINTER = Date.UTC(2026, 10, 20, 11, 40, 10);
const SUMMER = Date.UTC(2026, 6, 1, 11, 40, 10);

test('times show in UTC by default and in a chosen zone, daylight saving included', () => {
  assert.equal(timeZone(), 'UTC');
  assert.equal(fmtTime(WINTER), '2026-11-20 11:40:10');
  assert.equal(fmtTime(WINTER, 'Europe/Berlin'), '2026-11-20 12:40:10');
  assert.equal(fmtTime(SUMMER, 'Europe/Berlin'), '2026-07-01 13:40:10');
  assert.equal(fmtTime(WINTER, 'America/New_York'), '2026-11-20 06:40:10');
  assert.equal(fmtTime(Date.UTC(2026, 10, 20, 23, 30), 'Asia/Kolkata'), '2026-11-21 05:00:00');
  setTimeZone('Europe/Berlin');
  assert.equal(fmtTime(WINTER), '2026-11-20 12:40:10', 'the chosen zone is the default afterwards');
  assert.equal(zoneLabel('Europe/Berlin', WINTER), 'Europe/Berlin, UTC+01:00');
  setTimeZone('Not/AZone');
  assert.equal(timeZone(), 'Europe/Berlin', 'an unknown zone is ignored');
  setTimeZone('UTC');
});

test('a picked wall-clock time is written with the offset of its zone at that moment', () => {
  assert.equal(wallClockToIso('2026-11-20T10:00', 'UTC'), '2026-11-20T10:00:00Z');
  assert.equal(wallClockToIso('2026-11-20T10:00', 'Europe/Berlin'), '2026-11-20T10:00:00+01:00');
  assert.equal(wallClockToIso('2026-07-01T10:00', 'Europe/Berlin'), '2026-07-01T10:00:00+02:00');
  assert.equal(wallClockToIso('2026-11-20T10:00', 'America/St_Johns'), '2026-11-20T10:00:00-03:30');
  assert.equal(Date.parse(wallClockToIso('2026-03-29T03:30', 'Europe/Berlin')), Date.UTC(2026, 2, 29, 1, 30));
  assert.equal(offsetMinutes('Asia/Kolkata', WINTER), 330);
});

test("a server sentence's instants are shown in the chosen zone, the zone said (no raw ISO on a page)", () => {
  const note = 'records nothing: unified audit log ingestion is off (audit-config check of 2026-11-20T11:40:10Z), so …';
  assert.equal(
    localTimes(note, 'America/New_York'),
    'records nothing: unified audit log ingestion is off (audit-config check of 2026-11-20 06:40:10 America/New_York), so …',
  );
  assert.equal(localTimes('checked 2026-11-20T11:40:10.970Z', 'UTC'), 'checked 2026-11-20 11:40:10 UTC');
  assert.equal(localTimes('no time here: 2026-11-20, 11:40'), 'no time here: 2026-11-20, 11:40');
});

test("a period field's time opens its calendar on the same instant, in the chosen zone", () => {
  assert.equal(isoToWallClock('2026-11-20T10:00:00Z', 'UTC'), '2026-11-20T10:00');
  assert.equal(isoToWallClock('2026-11-20', 'UTC'), '2026-11-20T00:00', 'a date is its midnight, UTC');
  assert.equal(isoToWallClock('2026-11-20 10:00', 'Europe/Berlin'), '2026-11-20T11:00', 'no offset means UTC');
  assert.equal(isoToWallClock('2026-11-20T10:00:00-05:00', 'America/New_York'), '2026-11-20T10:00');
  assert.equal(isoToWallClock('2026-11-20T10:00+0100', 'UTC'), '2026-11-20T09:00');
  assert.equal(isoToWallClock('2026-11-20T10:00:00+01', 'UTC'), '2026-11-20T09:00');
  for (const v of ['7d', 'now', '', '2026-11', '2026-13-45']) assert.equal(isoToWallClock(v, 'UTC'), '', v);
  for (const local of ['2026-11-20T10:00', '2026-03-29T03:30', '2026-07-01T23:59']) {
    assert.equal(
      isoToWallClock(wallClockToIso(local, 'Europe/Berlin'), 'Europe/Berlin'),
      local,
      'a picked time opens again',
    );
  }
});
