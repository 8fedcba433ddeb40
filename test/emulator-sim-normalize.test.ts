import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY } from '../src/core/time.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { createSimulation } from '../emulator/sim/index.js';

/** Every simulated record passes tenantwatch's own normaliser as the Management Activity API would deliver it. */
test('every simulated record normalizes with no reject, keeping what it says', () => {
  const start = Date.UTC(2025, 5, 18, 9, 30, 0);
  const sim = createSimulation({ seed: 5, start, users: 30, days: 2 });
  let count = 0;
  const outcomes = new Map<string, Set<string>>();
  for (const t of sim.tenants) {
    for (const r of sim.records(t.tenantId, start - 2 * DAY, start)) {
      const text = JSON.stringify(r.record);
      const n = normalizeRecord(text, { source: 'management-api', contentType: r.contentType });
      assert.ok(n.ok, `${String(r.record.Operation)}: ${n.ok ? '' : n.reason}`);
      const a = n.record;
      assert.equal(a.tenant, t.tenantId);
      assert.equal(a.id, r.record.Id);
      assert.equal(a.creationTime, r.creationTime);
      assert.equal(a.recordType, r.record.RecordType);
      assert.equal(a.userId, r.record.UserId);
      assert.equal(a.contentType, r.contentType);
      assert.equal(a.raw, text);
      assert.ok(a.clientIp, `${String(r.record.Operation)} has a client address`);
      if (!outcomes.has(a.operation)) outcomes.set(a.operation, new Set());
      outcomes.get(a.operation)!.add(a.outcome);
      count++;
    }
  }
  assert.ok(count > 5000, `${count} records`);
  assert.deepEqual([...outcomes.get('UserLoginFailed')!], ['failure']);
  assert.deepEqual([...outcomes.get('UserLoggedIn')!], ['success']);
  assert.deepEqual([...outcomes.get('New-InboxRule')!], ['success']);
});
