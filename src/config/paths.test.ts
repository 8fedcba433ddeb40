import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { resolveLocations } from './paths.js';

test('the database defaults to tenantwatch.sqlite under the data folder', () => {
  const at = resolveLocations({ data: '/srv/tw' }, {});
  assert.equal(at.dbUrl, `sqlite:${join('/srv/tw', 'tenantwatch.sqlite')}`);
  assert.equal(at.secretKeyFile, join('/srv/tw', 'secret.key'));
});

test('a relative sqlite path is read from the current directory, not the data folder; absolute, memory and PostgreSQL are kept', () => {
  assert.equal(
    resolveLocations({ data: '/srv/tw', db: 'sqlite:work/case.sqlite' }, {}).dbUrl,
    `sqlite:${resolve('work/case.sqlite')}`,
  );
  assert.equal(
    resolveLocations({ data: '/srv/tw' }, { TENANTWATCH_DB: 'case.sqlite' }).dbUrl,
    `sqlite:${resolve('case.sqlite')}`,
  );
  assert.equal(resolveLocations({ db: 'sqlite:/abs/x.sqlite' }, {}).dbUrl, 'sqlite:/abs/x.sqlite');
  assert.equal(resolveLocations({ db: 'sqlite::memory:' }, {}).dbUrl, 'sqlite::memory:');
  assert.equal(resolveLocations({ db: 'postgres://u@h/db' }, {}).dbUrl, 'postgres://u@h/db');
});

test('an empty --data or TENANTWATCH_HOME is refused: it put the database and secret key in the current folder', () => {
  // TENANTWATCH_HOME=$UNSET_VARIABLE reaches --data as "" (commander reads the variable), and resolve('') is the cwd.
  assert.throws(() => resolveLocations({ data: '' }, {}), {
    code: 'USAGE',
    message: '--data (or TENANTWATCH_HOME) is empty',
    hint: 'Give the folder to keep tenantwatch state in, or unset TENANTWATCH_HOME to use ~/.tenantwatch',
  });
  assert.throws(() => resolveLocations({}, { TENANTWATCH_HOME: ' ' }), { code: 'USAGE' });
});
