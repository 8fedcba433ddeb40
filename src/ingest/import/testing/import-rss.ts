import { importFiles, memoryRejects } from '../index.js';

/**
 * Child-process entry of the constant-memory test (test/import-memory.test.ts): imports the files
 * named on the command line into a sink that only counts, and prints the summary with the process's
 * peak resident set size, so the test measures the importer alone (the SQLite store keeps its own
 * page cache, bounded by its cache_size pragma). `--parallel` reads in a worker thread, as
 * `tenantwatch import` does for large files.
 */
const rejects = memoryRejects();
let stored = 0;
const parallel = process.argv.includes('--parallel');
const summary = await importFiles(
  process.argv.slice(2).filter((a) => a !== '--parallel'),
  {
    parallel,
    sink: async (records) => {
      stored += records.length;
      return { inserted: records.length, duplicates: 0 };
    },
    rejects,
  },
);
const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(
  JSON.stringify({
    read: summary.read,
    stored,
    rejected: summary.rejected,
    formats: summary.files.map((f) => f.format),
    rejects: rejects.rejects.map((r) => ({ line: r.line, reason: r.reason, chars: r.raw.length })),
    maxRssMb,
  }) + '\n',
);
