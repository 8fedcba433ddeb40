import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../store/contract.js';
import { addEmulatedTenants } from './emulated.js';

test('add-emulated with a CA file that is not there names the file and the flag, not a bare ENOENT', async () => {
  await assert.rejects(
    addEmulatedTenants({} as Store, 'https://127.0.0.1:1/_emulator', {
      caFile: '/nonexistent/ca.pem',
      auth: 'mixed',
      keyFile: '/nonexistent/secret.key',
      now: 0,
    }),
    {
      code: 'FILE_NOT_FOUND',
      message: 'The CA file /nonexistent/ca.pem cannot be read (ENOENT)',
      hint: 'Give --ca-file the caFile the emulator printed (its state folder, tls/ca.pem)',
    },
  );
});
