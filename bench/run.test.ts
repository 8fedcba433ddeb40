import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantile } from './lib/stats.js';
import { mergeSection } from './run.js';

test('a bench replaces only its own section of BENCHMARKS.md', () => {
  let doc = '# Benchmarks\n\nintro\n';
  doc = mergeSection(doc, 'search', '## search\nfirst');
  doc = mergeSection(doc, 'api', '## api\nA');
  doc = mergeSection(doc, 'search', '## search\nsecond');
  assert.equal(
    doc,
    '# Benchmarks\n\nintro\n\n<!-- bench:search -->\n## search\nsecond\n<!-- /bench:search -->\n\n<!-- bench:api -->\n## api\nA\n<!-- /bench:api -->\n',
  );
});

test('quantiles are measured values (nearest rank)', () => {
  const xs = [5, 1, 4, 2, 3];
  assert.equal(quantile(xs, 0.5), 3);
  assert.equal(quantile(xs, 0.95), 5);
  assert.equal(quantile([7], 0.95), 7);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});
