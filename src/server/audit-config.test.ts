import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { PostureResult } from '../posture/types.js';
import { buildServer } from './index.js';
import { testDeps } from './testing/fixtures.js';

/** POST /api/audit-config/:tenant/enable: the plan without confirm, applied only with `confirm: true`. */
let app: FastifyInstance;
const applied: boolean[] = [];

before(async () => {
  app = await buildServer(
    await testDeps({
      posture: {
        check: async () => ({ verdict: 'ok' }) as unknown as PostureResult,
        enable: async (tenant, apply) => {
          applied.push(apply);
          return { tenant, dryRun: !apply, plan: [], results: [], after: null };
        },
      },
    }),
  );
});
after(async () => {
  await app.close();
});

const enable = (payload: unknown) =>
  app.inject({ method: 'POST', url: '/api/audit-config/contoso/enable', payload: payload as object });

test('confirm given as anything but true or false is refused, never read as "plan only"', async () => {
  // {"confirm":"true"} answered the plan (applied: false) as if nothing had been asked: a script that meant to apply
  // the change was told it had not, with no word why.
  for (const confirm of ['true', 1, 'yes', null, ['true']]) {
    const res = await enable({ confirm });
    assert.equal(res.statusCode, 400, JSON.stringify(confirm));
    assert.equal(res.json().error.message, 'The field confirm must be true or false');
  }
  assert.deepEqual(applied, [], 'nothing was planned or applied for a refused body');
  const unknown = await enable({ confirmed: true });
  assert.deepEqual([unknown.statusCode, unknown.json().error.message], [400, 'Unknown field "confirmed"']);
  assert.deepEqual(
    [(await enable({})).json().applied, (await enable({ confirm: false })).json().applied],
    [false, false],
  );
  assert.equal((await enable({ confirm: true })).json().applied, true);
  assert.deepEqual(applied, [false, false, true]);
});
