import assert from 'node:assert/strict';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { addUser, signIn } from '../src/server/auth/testing.js';
import { buildServer } from '../src/server/index.js';
import { testDeps } from '../src/server/testing/fixtures.js';

/**
 * The trail's entry is written after the response (ADR 0019, decision 9), and fastify's onResponse hook runs only
 * for a response that was sent to its end: a client that closed the connection before the last byte — an export
 * read up to its last rows, a search page read for its records — had read records and left no entry. Over a real
 * socket, as a client that leaves does; the export's rows are held part way by the store, so the response cannot
 * end before the client leaves, and no time passes (waiting is counted in event-loop turns).
 */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('an export whose client leaves before its end is recorded, saying it was cut', async () => {
  const deps = await testDeps();
  const records = deps.store.records;
  const search = records.search.bind(records);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  records.search = (query, options) =>
    (async function* () {
      let n = 0;
      for await (const r of search(query, options)) {
        if (++n === 20) await held;
        yield r;
      }
    })();
  const app = await buildServer(deps);
  try {
    await addUser(deps.store, deps.clock, { name: 'ivan', role: 'investigator' });
    const ivan = await signIn(app, 'ivan');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;

    const received = await new Promise<string>((resolve, reject) => {
      const request = get(
        { host: '127.0.0.1', port, path: '/api/export?start=7d&format=ndjson', headers: { cookie: ivan.cookie } },
        (response) => {
          response.once('data', (chunk: Buffer) => {
            // The client has the first records, and leaves before the rest.
            request.destroy();
            resolve(chunk.toString('utf8'));
          });
        },
      );
      request.on('error', (e) => (request.destroyed ? undefined : reject(e)));
    });
    assert.match(received, /"id":/, 'the client read records before it left');
    release();

    const exported = async () => (await deps.store.consoleAudit.list({ action: 'export' }))[0];
    let entry = await exported();
    for (let i = 0; i < 2_000 && entry === undefined; i++) {
      await tick();
      entry = await exported();
    }
    assert.ok(entry, 'the export is in the trail');
    assert.equal(entry.actor, 'ivan');
    assert.equal(entry.outcome, 'ok');
    assert.deepEqual(entry.details.query, { start: '7d', format: 'ndjson' });
    assert.equal(entry.details.cut, true, 'the entry says the response was cut short');
  } finally {
    release();
    await app.close();
    await deps.store.close();
  }
});
