import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { addUser, auditHookDone, signIn } from '../src/server/auth/testing.js';
import { buildServer } from '../src/server/index.js';
import { DAY, NOW, testDeps } from '../src/server/testing/fixtures.js';
import type { ServerDeps } from '../src/server/deps.js';

/**
 * HEAD on the API. Fastify answers HEAD for every GET route by running the GET handler, so HEAD /api/search was
 * recorded in the trail as the search, and the caller's real GET pages over the same filters were then taken as
 * its next pages and left out: records read with no entry.
 */
let app: FastifyInstance;
let deps: ServerDeps;
let audited: ReturnType<typeof auditHookDone>;
const search = `/api/search?start=${new Date(NOW - 4 * DAY).toISOString()}&end=${new Date(NOW).toISOString()}&limit=5`;

before(async () => {
  deps = await testDeps();
  app = await buildServer(deps);
  audited = auditHookDone(app);
});
after(async () => app.close());

test('HEAD on an API route is refused, recorded as nothing, and makes no page of a GET a follow-up', async () => {
  await addUser(deps.store, deps.clock, { name: 'alice' });
  await addUser(deps.store, deps.clock, { name: 'bob' });
  const alice = await signIn(app, 'alice');
  const bob = await signIn(app, 'bob');
  // A cursor of these filters, from another caller's search (alice has none of her own recorded).
  const first = await app.inject(bob.with({ url: search }));
  await audited(first);
  const cursor = first.json<{ next: string | null }>().next;
  assert.ok(cursor, first.body);

  const head = await app.inject(alice.with({ method: 'HEAD', url: search }));
  await audited(head);
  const page = await app.inject(alice.with({ url: `${search}&cursor=${cursor}` }));
  assert.equal(page.statusCode, 200, page.body);
  await audited(page);

  const trail = (await deps.store.consoleAudit.list()).filter((e) => e.actor === 'alice' && e.action === 'search');
  assert.deepEqual(
    trail.map((e) => [e.details.method, (e.details.query as Record<string, unknown>).cursor ?? null]),
    [['GET', cursor]],
    'the page alice read is her entry; the HEAD is none',
  );
  assert.equal(head.statusCode, 405, head.body);
  assert.equal(head.headers.allow, 'GET');
  assert.match(String(head.headers['content-type']), /^application\/json/);
});

test('HEAD is refused on every API route before sign-in is asked; outside the API it still answers', async () => {
  for (const url of ['/api', '/api/tenants', '/api/records/contoso/x']) {
    const head = await app.inject({ method: 'HEAD', url });
    assert.equal(head.statusCode, 405, url);
    assert.equal(head.headers.allow, 'GET', url);
    assert.equal(head.body, '', 'a HEAD answer has no body');
  }
  assert.equal((await app.inject({ method: 'HEAD', url: '/' })).statusCode, 200);
});
