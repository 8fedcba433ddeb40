import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from '../../test/support/paths.js';
import { ManualClock } from '../core/clock.js';
import type { AuditRecord } from '../core/record.js';
import type { Logger } from '../core/log.js';
import { openStore, reopenableUrl } from '../store/open.js';
import { executeReport } from './engine.js';
import { signInParts, type SignInGroups, type SignInPart } from './sign-ins/groups.js';
import { signIns } from './sign-ins/report.js';
import { splitRead } from './split.js';
import { DOMAIN, NOW, signIn } from './testing/builders.js';
import { fixtureStore } from './testing/store.js';

const dir = tempDir('tw-split-');
after(() => dir.cleanup());

const iso = (t: number): string => new Date(t).toISOString().slice(0, 19);

/** 300 sign-ins over the 6 days before NOW (users, addresses and agents repeating, some failures) and a burst of 8 failures. */
function records(): AuditRecord[] {
  const spread = Array.from({ length: 300 }, (_, i) => {
    const at = iso(NOW - 6 * 86_400_000 + i * 1_700_000 + (i % 7) * 1000);
    return signIn(i % 5 === 0, {
      CreationTime: at,
      UserId: `user${i % 4}@${DOMAIN}`,
      ClientIP: `203.0.113.${i % 9}`,
      ...(i % 3 ? {} : { UserAgent: `agent-${i % 2}` }),
    });
  });
  const burst = Array.from({ length: 8 }, (_, k) =>
    signIn(true, {
      CreationTime: iso(NOW - 3 * 86_400_000 + k * 60_000),
      UserId: `user1@${DOMAIN}`,
      ClientIP: `198.51.100.${k}`,
    }),
  );
  return [...spread, ...burst];
}

async function fileStore(name: string, data: readonly AuditRecord[]) {
  const store = await openStore(`sqlite:${join(dir.dir, name)}`);
  await store.records.insert(data);
  return store;
}

const QUERY = { range: { start: NOW - 7 * 86_400_000, end: NOW }, operations: ['UserLoggedIn', 'UserLoginFailed'] };

test('splitRead: a file store above the threshold is read in two parts, the older in the worker thread; every record in exactly one', async () => {
  const data = records();
  const store = await fileStore('split.sqlite', data);
  try {
    const read = await splitRead<SignInGroups, SignInPart>({ store }, QUERY, signInParts({ store }), {
      minRecords: 1,
      cores: 2,
      location: reopenableUrl(`sqlite:${join(dir.dir, 'split.sqlite')}`),
    });
    assert.ok(read.remote, 'the worker read a part');
    const local = read.local.counted().records;
    assert.ok(
      read.remote.counted.records > 0 && local > 0,
      `both parts hold records (${read.remote.counted.records} + ${local})`,
    );
    assert.equal(read.remote.counted.records + local, data.length);
    const single = await splitRead({ store }, QUERY, signInParts({ store }), {
      minRecords: data.length + 1,
      cores: 2,
      location: reopenableUrl(`sqlite:${join(dir.dir, 'split.sqlite')}`),
    });
    assert.equal(single.remote, null, 'below the threshold the read stays whole');
  } finally {
    await store.close();
  }
});

test('sign-ins split across two threads gives the same rows, order and summary as read in one', async () => {
  const data = records();
  const file = await fileStore('report.sqlite', data);
  const memory = await fixtureStore(data);
  try {
    const params = { start: '7d', burstThreshold: 5 };
    const split = await executeReport(signIns, params, {
      store: file,
      clock: new ManualClock(NOW),
      split: { minRecords: 1, cores: 2, location: reopenableUrl(`sqlite:${join(dir.dir, 'report.sqlite')}`) },
    });
    const whole = await executeReport(signIns, params, { store: memory, clock: new ManualClock(NOW) });
    assert.ok(
      split.rows.some((r) => r.kind === 'failure-burst'),
      'the fixture has a burst',
    );
    assert.ok(split.rows.filter((r) => r.kind === 'sign-ins').length > 30);
    assert.deepEqual(split, whole);
  } finally {
    await file.close();
    await memory.close();
  }
});

test('splitRead: when the worker cannot read its part, that part is read here: the answer is whole, and the failure is logged', async () => {
  const data = records();
  const store = await fileStore('broken.sqlite', data);
  try {
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => warnings.push(fields) } as unknown as Logger;
    const read = await splitRead<SignInGroups, SignInPart>({ store, logger }, QUERY, signInParts({ store }), {
      minRecords: 1,
      cores: 2,
      location: `sqlite:${join(dir.dir, 'no-such-folder', 'x.sqlite')}`,
    });
    assert.ok(read.remote);
    assert.equal(read.remote.counted.records + read.local.counted().records, data.length);
    assert.equal(warnings.length, 1);
    assert.match(String((warnings[0] as { err: Error }).err.message), /no-such-folder/);
  } finally {
    await store.close();
  }
});
