import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { memoryRejects, importFiles, type ImportOptions } from '../../src/ingest/import/index.js';
import type { Store } from '../../src/store/contract.js';
import { progress, thousands } from './stats.js';

/**
 * One import as the benches measure it: the real importer (parse worker as `tenantwatch import` chooses
 * it) into a store's bulk writer, its indexes built at close, then ANALYZE; with the process's peak RSS.
 */
export interface ImportResult {
  records: number;
  ms: number;
  indexMs: number | null;
  analyzeMs: number;
  rejected: number;
  /** Whether the importer chose its parse worker (parallel: 'auto', as `tenantwatch import` runs it). */
  worker: boolean;
  /** Peak resident memory of the process during this import (VmHWM, reset before it), bytes; null off Linux. */
  peakRss: number | null;
}

/** Resets the process's peak RSS (Linux: writing 5 to clear_refs), so each import's own peak is read. */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: the peak is then the process's since it started
  }
}

function peakRss(): number | null {
  try {
    const kib = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null;
  }
}

export async function importInto(store: Store, file: string): Promise<ImportResult> {
  const bulk = store.records.bulk?.();
  const sink: ImportOptions['sink'] = bulk ? (r, keys) => bulk.insert(r, keys) : (r) => store.records.insert(r);
  resetPeakRss();
  const t0 = performance.now();
  let last = 0;
  const summary = await importFiles([file], {
    sink,
    ...(bulk?.concurrency ? { sinkConcurrency: bulk.concurrency } : {}),
    parallel: 'auto',
    rejects: memoryRejects(),
    onProgress: (p) => {
      if (p.records - last >= 100_000) progress(`  imported ${thousands((last = p.records))}`);
    },
  });
  const beforeClose = performance.now();
  await bulk?.close();
  const indexMs = bulk ? performance.now() - beforeClose : null;
  const optimized = await store.records.optimize?.();
  return {
    records: summary.imported,
    ms: performance.now() - t0,
    indexMs,
    analyzeMs: optimized?.analyzeMs ?? 0,
    rejected: summary.rejected,
    worker: summary.files[0]?.worker ?? false,
    peakRss: peakRss(),
  };
}

export function fileBytes(path: string): number {
  return ['', '-wal', '-shm'].reduce(
    (sum, suffix) => sum + (existsSync(path + suffix) ? statSync(path + suffix).size : 0),
    0,
  );
}

export function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}
