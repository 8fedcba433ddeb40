import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { checkTenantLabel } from '../../core/tenant-label.js';
import { toIso } from '../../core/time.js';
import { importFiles, rejectFile, type ImportProgress, type ImportSummary } from '../../ingest/import/index.js';
import type { CliContext } from '../context.js';
import { liveDetections } from '../live-detections.js';
import type { Runner } from '../run.js';
import { alignedTable, countOf, formatOption, parseFormat } from '../output.js';
import { terminalText } from '../../core/terminal.js';
import { keepingReasons, reasonLines } from './import-reasons.js';

interface ImportFlags {
  tenant?: string;
  rejects?: string;
  format: 'table' | 'json';
  /** false with --no-detect (absent: on). */
  detect?: boolean;
}

export function register(program: Command, run: Runner): void {
  program
    .command('import')
    .description(
      'import audit records from files: Purview CSV (both layouts), Export-Csv, JSON arrays, NDJSON, API content blobs, Graph pages; plain or gzipped',
    )
    .argument('<files...>', 'files to import (format recognised from content)')
    .option(
      '--tenant <name>',
      "tenant to file the records under (a registered name, or any label); default: each record's OrganizationId",
    )
    .option(
      '--rejects <file>',
      'where rows that cannot be imported are written (NDJSON); default: under the data folder',
    )
    .option(
      '--no-detect',
      'do not run the detection rules on the imported records (or set live: false in alerting.yaml)',
    )
    .addOption(formatOption(['table', 'json'], 'summary format'))
    .action(
      run(async (ctx, files: string[], flags: ImportFlags) =>
        importCommand(ctx, files, { ...flags, format: parseFormat(flags.format, ['table', 'json']) }),
      ),
    );
}

/** Wires the importer to the store and the terminal; exit 1 when a file could not be read at all. */
export async function importCommand(ctx: CliContext, files: string[], flags: ImportFlags): Promise<number> {
  if (flags.tenant !== undefined) checkTenantLabel(flags.tenant);
  if (flags.rejects !== undefined) refuseRejectsPath(ctx, files, flags.rejects);
  const store = await ctx.store();
  const registered = flags.tenant ? await store.tenants.get(flags.tenant) : null;
  const tenant = registered?.tenantId ?? flags.tenant;
  const rejectsPath =
    flags.rejects ??
    join(ctx.locations.dataDir, 'rejects', `import-${toIso(ctx.clock.now()).replace(/[:.]/g, '-')}.ndjson`);
  const rejectsFile = rejectFile(rejectsPath);
  const rejects = keepingReasons(rejectsFile);
  const bar = ctx.err.isTTY ? progressBar(ctx) : null;
  // The bulk writer (SQL stores) commits every few hundred thousand rows instead of every batch:
  // measured 200,000 NDJSON records (docs/adr/0001-streaming-importer.md) it is the faster path. An import is
  // idempotent, so rows lost to a crash before a commit are simply re-added by running it again.
  const writer = store.records.bulk?.() ?? null;
  let summary: ImportSummary;
  try {
    summary = await importFiles(files, {
      ...(tenant ? { tenant } : {}),
      now: ctx.clock.now(),
      sink: writer ? (records, keys) => writer.insert(records, keys) : (records) => store.records.insert(records),
      ...(writer?.concurrency ? { sinkConcurrency: writer.concurrency } : {}),
      rejects,
      // Large files are read and normalized in a worker thread while this one writes, when a core is free.
      parallel: 'auto',
      signal: ctx.signal,
      ...(bar ? { onProgress: bar.update } : {}),
    });
  } finally {
    bar?.stop();
    try {
      await writer?.close();
    } finally {
      await rejects.close();
    }
  }
  // The rules see what the import stored once it is committed (the bulk writer closed above).
  const detections = await liveDetections(ctx, flags.detect !== false);
  try {
    await detections?.pass();
  } finally {
    await detections?.close();
  }
  ctx.logger.info(
    { event: 'import.done', files: files.length, imported: summary.imported, rejected: summary.rejected },
    'import finished',
  );
  const written = rejects.count && !rejectsFile.error ? rejectsPath : null;
  ctx.out.write(
    flags.format === 'json'
      ? JSON.stringify(
          {
            ...summary,
            tenant: tenant ?? null,
            rejectsFile: written,
            firstRejects: rejects.first,
            detections: detections?.summary() ?? null,
          },
          null,
          2,
        ) + '\n'
      : table(summary, written) + (detections?.line() ?? ''),
  );
  ctx.err.write(reasonLines(rejects.first, rejects.count, written));
  for (const file of summary.files)
    if (file.error) ctx.err.write(`tenantwatch: ${terminalText(`${file.error.message}. ${file.error.hint}`)}\n`);
  if (rejectsFile.error)
    ctx.err.write(`tenantwatch: ${terminalText(`${rejectsFile.error.message}. ${rejectsFile.error.hint}`)}\n`);
  return summary.failedFiles > 0 || rejectsFile.error ? 1 : 0;
}

/**
 * --rejects must be a file of its own. Naming an input there made the import read back the reject lines it was
 * appending (the input grew without bound); naming the database or the log file appended NDJSON into them.
 * Compared by device and inode where both exist (a symlink or another spelling is the same file), else by path.
 */
function refuseRejectsPath(ctx: CliContext, files: string[], rejects: string): void {
  if (!rejects.trim())
    throw new AppError('USAGE', '--rejects is empty', {
      hint: 'Give --rejects a file such as rejects.ndjson, or leave it out to use one under the data folder',
    });
  const others: { path: string; what: string }[] = files.map((file) => ({
    path: file,
    what: `the input file ${file}`,
  }));
  const db = ctx.locations.dbUrl;
  if (db.startsWith('sqlite:') && db !== 'sqlite::memory:') {
    const path = db.slice('sqlite:'.length);
    others.push({ path, what: `the database ${path}` });
    for (const suffix of ['-wal', '-shm', '-journal'])
      others.push({ path: path + suffix, what: `the database's own file ${path + suffix}` });
  }
  if (ctx.logFile) others.push({ path: ctx.logFile, what: `the log file ${ctx.logFile}` });
  const clash = others.find((o) => sameFile(rejects, o.path));
  if (!clash) return;
  throw new AppError('USAGE', `--rejects ${rejects} is ${clash.what}, so rejected rows would be written into it`, {
    hint: 'Give --rejects a file of its own, such as rejects.ndjson, or leave it out to use one under the data folder',
    details: { rejects, clash: clash.path },
  });
}

function sameFile(a: string, b: string): boolean {
  const sa = statOrNull(a);
  const sb = statOrNull(b);
  if (sa && sb) return sa.dev === sb.dev && sa.ino === sb.ino;
  return resolve(a) === resolve(b);
}

function statOrNull(path: string): { dev: number; ino: number } | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function progressBar(ctx: CliContext): { update: (p: ImportProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: ctx.err,
      format: '{file} [{bar}] {percentage}% | {records} records, {rejected} rejected',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = '';
  return {
    update(p) {
      const label = `${p.fileIndex + 1}/${p.files}`;
      if (started !== p.file) {
        if (started) bar.stop();
        bar.start(p.bytesTotal, 0, { file: label, records: 0, rejected: 0 });
        started = p.file;
      }
      bar.update(p.bytesRead, { file: label, records: p.records, rejected: p.rejected });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function table(summary: ImportSummary, rejectsPath: string | null): string {
  const head = ['file', 'format', 'read', 'imported', 'duplicates', 'conflicts', 'rejected', 'note'];
  const rows = summary.files.map((f) =>
    [
      f.file,
      f.format ?? '-',
      f.read,
      f.imported,
      f.duplicates,
      f.conflicts,
      f.rejected,
      f.error ? `ERROR ${f.error.code}` : (f.note ?? ''),
    ].map(String),
  );
  rows.push(
    ['total', '', summary.read, summary.imported, summary.duplicates, summary.conflicts, summary.rejected, ''].map(
      String,
    ),
  );
  const written = rejectsPath
    ? `${countOf(summary.rejected, 'rejected row')}${summary.conflicts ? ` and ${summary.conflicts} in conflict` : ''} written to ${terminalText(rejectsPath)}\n`
    : '';
  const cut = summary.cutByPowerShell
    ? `${countOf(summary.cutByPowerShell, 'record')} ${summary.cutByPowerShell === 1 ? 'holds' : 'hold'} values that PowerShell's ConvertTo-Json cut at its depth limit (System.Object[], System.Collections.Hashtable or @{…} where an array or object was): they were imported as they are. Export with ConvertTo-Json -Depth 20 to keep records whole; a whole copy imported later is kept aside as a conflict, not stored in their place.\n`
    : '';
  return alignedTable(head, rows, (i) => i >= 2 && i <= 6) + written + cut;
}
