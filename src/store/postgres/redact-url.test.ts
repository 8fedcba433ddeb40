import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPostgresStore, redactUrl } from './index.js';

/** A database URL is quoted in messages with its password hidden, whatever characters the password holds. */
test('redactUrl hides the whole password, a colon or percent sign in it included', () => {
  const cases: [string, string][] = [
    ['postgres://alice:s3cretpw@db.example:5432/tw', 'postgres://alice:***@db.example:5432/tw'],
    ['postgres://alice:s3cr:et:pw@db.example/tw?schema=x', 'postgres://alice:***@db.example/tw?schema=x'],
    ['postgresql://alice:p%40ss%2Fw@db.example/tw', 'postgresql://alice:***@db.example/tw'],
    ['postgres://alice@db.example/tw', 'postgres://alice@db.example/tw'],
  ];
  for (const [url, shown] of cases) assert.equal(redactUrl(url), shown);
  // Not a URL at all (a port out of range): nothing between // and the last @ is shown.
  assert.equal(redactUrl('postgres://alice:s3cr@t@db.example:99999/tw'), 'postgres://***@db.example:99999/tw');
});

test('a database URL that is not a URL is refused saying so, without its password', async () => {
  await assert.rejects(openPostgresStore('postgres://alice:s3cretpw@127.0.0.1:99999/tw'), (e: Error) => {
    assert.equal(e.message, 'The database URL postgres://***@127.0.0.1:99999/tw cannot be read as a URL');
    assert.ok(!JSON.stringify(e).includes('s3cret'));
    return true;
  });
});
