import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/paths.js';
import { rejectFile } from './rejects.js';

test('the rejects file, which holds whole audit records, is readable by its owner only', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'rejects', 'import.ndjson');
  const rejects = rejectFile(path);
  await rejects.write({ file: 'a.json', line: 1, reason: 'not valid JSON', raw: '{"UserId":"ceo@contoso.com"' });
  await rejects.close();
  assert.equal(rejects.error, null);
  assert.equal(statSync(path).mode & 0o077, 0, (statSync(path).mode & 0o777).toString(8));
});
