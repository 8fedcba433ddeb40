import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { BearerClient } from './bearer.js';
import { sameOrigin } from './origin.js';
import type { HttpRequest, HttpResponse } from './types.js';

/** The one place a bearer token is attached: the URL check, the header, the renewal on 401. */
function fake(statuses: number[]) {
  const sent: HttpRequest[] = [];
  const asks: boolean[] = [];
  const client = new BearerClient({
    base: 'https://127.0.0.1:8443',
    service: 'the test API',
    http: {
      request: async (req): Promise<HttpResponse> => {
        sent.push(req);
        return {
          status: statuses.shift() ?? 200,
          headers: {},
          body: Readable.from(['']),
          text: async () => '',
          json: async () => ({}),
        };
      },
    },
    token: async ({ forceRefresh }) => (asks.push(forceRefresh), forceRefresh ? 'fresh' : 'cached'),
  });
  return { client, sent, asks };
}

test('only the base origin (scheme, host, port, no user info) may receive the token', () => {
  const base = 'https://127.0.0.1:8443';
  assert.equal(sameOrigin('https://127.0.0.1:8443/api/v1.0/t/activity/feed/audit/x', base), true);
  assert.equal(sameOrigin('https://127.0.0.1:9999/api/v1.0/t/activity/feed/audit/x', base), false);
  assert.equal(sameOrigin('http://127.0.0.1:8443/api/v1.0/t/activity/feed/audit/x', base), false);
  assert.equal(sameOrigin('https://evil.example/api/v1.0/t', base), false);
  assert.equal(sameOrigin('https://user:pw@127.0.0.1:8443/x', base), false);
  assert.equal(sameOrigin('not a url', base), false);
  assert.equal(sameOrigin('https://MANAGE.office.com:443/x', 'https://manage.office.com'), true);
  assert.equal(sameOrigin('https://manage.office.com.evil.example/x', 'https://manage.office.com'), false);
});

test('a foreign URL is refused before a token is even asked for; the message names origins only', async () => {
  const { client, sent, asks } = fake([]);
  await assert.rejects(client.request({ method: 'GET', url: 'https://evil.example:444/x?secret=1' }), (e: Error) => {
    assert.equal((e as { code?: string }).code, 'REFUSED_URL');
    assert.match(e.message, /https:\/\/evil\.example:444/);
    assert.doesNotMatch(e.message, /secret=1/);
    return true;
  });
  assert.deepEqual(sent, []);
  assert.deepEqual(asks, []);
});

test('the token is attached over any header of the same name; a 401 renews it once', async () => {
  const { client, sent, asks } = fake([401, 401]);
  const res = await client.request({
    method: 'POST',
    url: 'https://127.0.0.1:8443/a',
    headers: { authorization: 'Basic nope', 'x-kept': '1' },
    body: '{}',
  });
  assert.equal(res.status, 401, 'the second 401 is the answer: no loop');
  assert.deepEqual(asks, [false, true]);
  assert.deepEqual(
    sent.map((r) => r.headers),
    [
      { authorization: 'Bearer cached', 'x-kept': '1' },
      { authorization: 'Bearer fresh', 'x-kept': '1' },
    ],
  );
});

test('no module writes an Authorization header but net/bearer: every token goes through the URL check', () => {
  const src = join(import.meta.dirname, '..');
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !path.includes('/testing/')) {
        const text = readFileSync(path, 'utf8');
        // A header written in place, or a `Bearer ${token}` value built anywhere (a sink once returned one).
        if (/['"`]?authorization['"`]?\s*:\s*[`'"]Bearer/i.test(text) || /`Bearer \$\{/.test(text))
          offenders.push(relative(src, path));
      }
    }
  };
  walk(src);
  assert.deepEqual(offenders, ['net/bearer.ts']);
});
