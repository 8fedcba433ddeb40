import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE } from '../../../core/time.js';
import { sharing, spFile } from '../../../reports/testing/builders.js';
import { packHits, packMatches } from '../../testing/pack.js';

const T = Date.UTC(2026, 2, 10, 10);
const at = (t: number) => new Date(t).toISOString().slice(0, 19);
const burst = (operation: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    spFile(operation, { CreationTime: at(T + Math.floor((i * 50 * MINUTE) / n)), SourceFileName: `f${i}.docx` }),
  );

test('anonymous-link-created', () => {
  assert.equal(packHits('anonymous-link-created', [sharing('AnonymousLinkCreated')]).length, 1);
  assert.equal(packHits('anonymous-link-created', [sharing('SharingInvitationCreated')]).length, 0);
});

test('mass-download (helper file-downloaded)', () => {
  assert.ok(packMatches('file-downloaded', spFile('FileSyncDownloadedFull')));
  assert.ok(!packMatches('file-downloaded', spFile('FileAccessed')));
  const hits = packHits('mass-download', burst('FileDownloaded', 120));
  assert.equal(new Set(hits.flatMap((h) => h.recordIds)).size, 120);
  assert.equal(packHits('mass-download', burst('FileDownloaded', 99)).length, 0);
});

test('mass-deletion (helper file-deleted)', () => {
  assert.ok(packMatches('file-deleted', spFile('FileRecycled')));
  assert.ok(!packMatches('file-deleted', spFile('FileModified')));
  assert.ok(packHits('mass-deletion', burst('FileRecycled', 100)).length > 0);
  assert.equal(packHits('mass-deletion', burst('FileRecycled', 60)).length, 0);
});
