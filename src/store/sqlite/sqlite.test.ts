import { tempDir } from '../../../test/support/paths.js';
import { after } from 'node:test';
import { join } from 'node:path';
import { runStoreConformance } from '../store.conformance.js';
import { openSqliteStore } from './index.js';

runStoreConformance('sqlite (memory)', async () => openSqliteStore(':memory:'));

const dir = tempDir('tw-sqlite-');
after(() => dir.cleanup());
let n = 0;
runStoreConformance('sqlite (file, WAL)', async () => openSqliteStore(join(dir.dir, `store-${++n}.sqlite`)));
