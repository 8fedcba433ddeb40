import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/core/errors.js';
import { DAY, HOUR, MINUTE } from '../../src/core/time.js';
import { createSimulation } from './index.js';

const start = Date.UTC(2025, 5, 18, 9, 30, 0); // a Wednesday
const sim = createSimulation({ seed: 7, start, users: 30, days: 3 });
const history = start - 3 * DAY;
const week = new Map(sim.tenants.map((t) => [t.tenantId, sim.records(t.tenantId, history, start)]));

describe('simulation determinism', () => {
  test('the same seed and clock give the same tenants and records', () => {
    const again = createSimulation({ seed: 7, start, users: 30, days: 3 });
    assert.deepEqual(again.tenants, sim.tenants);
    const t = sim.tenants[1]!.tenantId;
    // asked in a different order (later range first), the answer is the same
    const late = again.records(t, start - 6 * HOUR, start);
    const early = again.records(t, history, start - 6 * HOUR);
    assert.deepEqual([...early, ...late], week.get(t));
  });

  test('a different seed gives different tenants and records', () => {
    const other = createSimulation({ seed: 8, start, users: 30, days: 3 });
    assert.notEqual(other.tenants[0]!.tenantId, sim.tenants[0]!.tenantId);
    assert.notEqual(other.tenants[0]!.clientSecret, sim.tenants[0]!.clientSecret);
    const a = sim.records(sim.tenants[0]!.tenantId, start - DAY, start).map((r) => r.record.Id);
    const b = other.records(other.tenants[0]!.tenantId, start - DAY, start).map((r) => r.record.Id);
    assert.equal(a.filter((id) => b.includes(id)).length, 0);
  });
});

describe('time slots', () => {
  test('adjoining ranges concatenate exactly, cut anywhere (no duplicates, no gaps)', () => {
    const t = sim.tenants[0]!.tenantId;
    const from = start - DAY;
    const whole = sim.records(t, from, start);
    for (const cut of [from + 7 * MINUTE + 13_000, from + 10 * MINUTE, from + 5 * HOUR + 1]) {
      assert.deepEqual(
        [...sim.records(t, from, cut), ...sim.records(t, cut, start)],
        whole,
        `cut at ${new Date(cut).toISOString()}`,
      );
    }
  });

  test('records are in CreationTime order, inside the range, with CreationTime written without Z', () => {
    const t = sim.tenants[2]!.tenantId;
    const rs = week.get(t)!;
    for (let i = 1; i < rs.length; i++) assert.ok(rs[i - 1]!.creationTime <= rs[i]!.creationTime);
    for (const r of rs) {
      assert.ok(r.creationTime >= history && r.creationTime < start);
      assert.match(String(r.record.CreationTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.equal(Date.parse(`${String(r.record.CreationTime)}Z`), r.creationTime);
    }
  });

  test('nothing exists before the history; activity keeps arriving after start', () => {
    const t = sim.tenants[0]!.tenantId;
    assert.equal(sim.records(t, history - 30 * DAY, history).length, 0);
    const later = sim.records(t, start + 30 * DAY, start + 30 * DAY + DAY);
    assert.ok(later.length > 100, `a day a month later has ${later.length} records`);
  });

  test('the average rate follows recordsPerUserPerDay', () => {
    const t = sim.tenants[0]!;
    const perUserDay = week.get(t.tenantId)!.length / t.users.length / 3;
    assert.ok(perUserDay > 12 && perUserDay < 32, `${perUserDay.toFixed(1)} records per user per day`);
  });

  test('activity follows the working day', () => {
    const t = sim.tenants[0]!.tenantId; // UTC+0
    const day = Math.floor(start / DAY) * DAY - DAY; // a Tuesday
    const night = sim.records(t, day + 2 * HOUR, day + 4 * HOUR).length;
    const morning = sim.records(t, day + 9 * HOUR, day + 11 * HOUR).length;
    assert.ok(morning > 3 * night, `morning ${morning}, night ${night}`);
  });
});

describe('tenants', () => {
  test('every audit profile is present across five tenants, with matching flags', () => {
    assert.deepEqual(sim.tenants.map((t) => t.profile).sort(), [
      'dehydrated',
      'healthy',
      'mailboxes-off',
      'org-audit-off',
      'ual-off',
    ]);
    const by = (p: string) => sim.tenants.find((t) => t.profile === p)!;
    assert.equal(by('ual-off').ualEnabled, false);
    assert.equal(by('org-audit-off').orgAuditDisabled, true);
    assert.equal(by('dehydrated').dehydrated, true);
    assert.ok(by('mailboxes-off').mailboxes.some((m) => !m.auditEnabled));
    assert.ok(by('healthy').mailboxes.every((m) => m.auditEnabled && m.auditLogAgeLimit === '90.00:00:00'));
    assert.deepEqual(by('healthy').mailboxes[0]!.defaultAuditSet, ['Admin', 'Delegate', 'Owner']);
  });

  test('names, domains, ids and app registrations are distinct and well formed', () => {
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    assert.deepEqual(
      sim.tenants.map((t) => t.domain),
      ['contoso', 'fabrikam', 'northwind', 'adatum', 'tailspin'].map((n) => `${n}.onmicrosoft.com`),
    );
    for (const t of sim.tenants) {
      assert.match(t.tenantId, guid);
      assert.match(t.clientId, guid);
      assert.match(t.publisherId, guid);
      assert.equal(t.clientSecret.length, 40);
      assert.equal(new Set(t.users.map((u) => u.userPrincipalName)).size, t.users.length);
    }
    assert.equal(new Set(sim.tenants.map((t) => t.clientId)).size, 5);
  });

  test('users include members, guests (#EXT#) and a service account; sites include OneDrives with files', () => {
    const t = sim.tenants[0]!;
    assert.ok(t.users.filter((u) => u.kind === 'member').length >= 20);
    assert.ok(
      t.users.some((u) => u.kind === 'guest' && /_.+#EXT#@contoso\.onmicrosoft\.com$/.test(u.userPrincipalName)),
    );
    assert.equal(t.users.filter((u) => u.kind === 'service').length, 1);
    assert.ok(
      t.sites.some((s) => s.kind === 'onedrive' && s.url.startsWith('https://contoso-my.sharepoint.com/personal/')),
    );
    assert.ok(t.sites.every((s) => s.files.length > 0));
  });

  test('a tiny tenant still has every role and kind of user, and activity', () => {
    const tiny = createSimulation({ seed: 1, start, tenants: 1, users: 1, days: 1 });
    const t = tiny.tenants[0]!;
    assert.ok(t.users.length >= 15);
    assert.ok(t.users.some((u) => u.kind === 'guest') && t.users.some((u) => u.kind === 'service'));
    assert.ok(tiny.records(t.tenantId, start - DAY, start).length > 50);
  });

  test('invalid options are refused with a hint', () => {
    assert.throws(
      () => createSimulation({ start, users: 0 }),
      (e: unknown) => e instanceof AppError && e.code === 'CONFIG_INVALID' && /users/.test(e.message),
    );
    assert.throws(() => createSimulation({ start, recordsPerUserPerDay: Number.NaN }), AppError);
  });
});
