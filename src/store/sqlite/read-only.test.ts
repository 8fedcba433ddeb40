import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../test/support/paths.js';
import { AppError } from '../../core/errors.js';
import { openSqliteStore } from './index.js';

/**
 * Issue 18.16: a read-only data folder gave "unable to open database file". The folder is made
 * read-only for real: without root by its mode; as root (whom modes do not stop) by a read-only bind
 * mount, or the test is skipped where mounting is not allowed.
 */
function readOnlyView(dir: string): { path: string; undo: () => void } | string {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o500);
    return { path: dir, undo: () => chmodSync(dir, 0o700) };
  }
  const view = `${dir}-ro`;
  mkdirSync(view);
  try {
    execFileSync('mount', ['--bind', dir, view], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'remount,bind,ro', view], { stdio: 'ignore' });
  } catch {
    rmdirSync(view);
    return 'running as root where mount is not allowed: no way to make a folder read-only';
  }
  return {
    path: view,
    undo: () => {
      execFileSync('umount', [view], { stdio: 'ignore' });
      rmdirSync(view);
    },
  };
}

test('a data folder that cannot be written is named as such, with what to do', async (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const existing = join(dir, 'with-store');
    mkdirSync(existing);
    await openSqliteStore(join(existing, 'tenantwatch.sqlite')).close();
    const view = readOnlyView(existing);
    if (typeof view === 'string') return t.skip(view);
    try {
      for (const name of ['tenantwatch.sqlite', 'new.sqlite']) {
        assert.throws(
          () => openSqliteStore(join(view.path, name)),
          (e: unknown) =>
            e instanceof AppError &&
            e.code === 'STORE_UNAVAILABLE' &&
            /the folder .* is (on a read-only file system|not writable for this user)/.test(e.message) &&
            /--data/.test(e.hint ?? ''),
        );
      }
    } finally {
      view.undo();
    }
  } finally {
    cleanup();
  }
});

test('a data folder that does not exist is named as such', () => {
  assert.throws(
    () => openSqliteStore('/nonexistent-tenantwatch-folder/tenantwatch.sqlite'),
    /the folder \/nonexistent-tenantwatch-folder does not exist/,
  );
});

test('a file that is not a SQLite database is named as such, not blamed on permissions', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'tenantwatch.sqlite');
    writeFileSync(path, 'these are notes, not a database\n'.repeat(200));
    assert.throws(
      () => openSqliteStore(path),
      (e: AppError) =>
        e.code === 'STORE_UNAVAILABLE' &&
        e.message === `${path} is not a tenantwatch database: SQLite says it is not a database file` &&
        /Point --db sqlite:PATH .*restore it from a backup, or move it aside/.test(e.hint ?? '') &&
        !/writable/.test(e.toLine()),
    );
  } finally {
    cleanup();
  }
});
