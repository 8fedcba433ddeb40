import type { AuditRecord } from '../../core/record.js';
import type { InsertResult, RecordKeys } from '../../store/contract.js';

/** The file formats the importer recognises, from content (never from the file name). */
export type ImportFormat = 'csv' | 'ndjson' | 'json';

/** One piece of text a reader found: a record's JSON text, or a problem with its location. */
export interface RawItem {
  /** 1-based line where the record starts in the decoded file. */
  line: number;
  text: string;
  /** Set when the reader itself could not delimit a record (broken CSV quote, truncated JSON). */
  reject?: string;
  /**
   * 1-based column (UTF-16 units) of the line where the record's text starts: set by the JSON splitter, and for an
   * NDJSON line that began with a byte order mark; else 1 (NDJSON) or inside a CSV cell. Only a reject reads it.
   */
  column?: number;
  /** An NDJSON line that is the file's last and has no line break after it (a cut short one means a file cut off). */
  lastLine?: true;
}

/** A row that could not be imported: written to the rejects file as one NDJSON line. */
export interface Reject {
  file: string;
  line: number;
  reason: string;
  raw: string;
}

export interface RejectWriter {
  write(reject: Reject): Promise<void>;
  close(): Promise<void>;
}

export interface ImportProgress {
  file: string;
  fileIndex: number;
  files: number;
  bytesRead: number;
  bytesTotal: number;
  records: number;
  rejected: number;
}

export interface ImportOptions {
  /** Tenant key for every record; else each record's OrganizationId. */
  tenant?: string;
  /**
   * Stores a batch; (tenant, id) already stored counts as a duplicate (Store.records.insert). `keys`
   * come with a batch the parse worker read: pass them on to BulkWriter.insert.
   */
  sink: (records: AuditRecord[], keys?: readonly RecordKeys[]) => Promise<InsertResult>;
  /**
   * Batches the sink may be storing at once (default 1): the next batch is handed over before the last one's
   * result came back, and results are taken in file order. Only for a sink whose calls may overlap
   * (BulkWriter.concurrency).
   */
  sinkConcurrency?: number;
  rejects: RejectWriter;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
  /** The time of the import (the injected clock): a CreationTime more than a day after it is refused. */
  now?: number;
  /** Records per sink call (default 5,000). */
  batchSize?: number;
  /**
   * Read and normalize in a worker thread while this thread stores (parse-in-worker.ts); the results
   * are the same. 'auto': for files of 16 MB or more while a second core is free (from 256 MB on,
   * whenever the machine has a second core). Default false.
   */
  parallel?: boolean | 'auto';
}

export interface FileError {
  code: 'FILE_NOT_FOUND' | 'FILE_UNREADABLE' | 'FILE_FORMAT';
  message: string;
  hint: string;
}

export interface FileSummary {
  file: string;
  format: ImportFormat | null;
  encoding: string | null;
  bytes: number;
  /** Records found (imported + duplicates + conflicts + rejected). */
  read: number;
  imported: number;
  /** Records already stored with the same content. */
  duplicates: number;
  /**
   * Records whose Id was already stored with other content: the stored record stays, this one is kept
   * in the store's record_conflicts table and listed in the rejects file with its line (ADR 0030).
   */
  conflicts: number;
  rejected: number;
  /**
   * Records read whole but holding values PowerShell's ConvertTo-Json cut at its depth limit ("System.Object[]" where
   * an array was: ingest/powershell-cut.ts). They are imported (and counted in imported or duplicates) as they are.
   */
  cutByPowerShell: number;
  /** Set when the file could not be read at all. */
  error: FileError | null;
  /** A remark that is not a failure (an empty file). */
  note: string | null;
  /** True when a worker thread read and normalized the file while this thread stored it. */
  worker: boolean;
}

export interface ImportSummary {
  files: FileSummary[];
  read: number;
  imported: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  /** Records holding values ConvertTo-Json cut at its depth limit (FileSummary.cutByPowerShell). */
  cutByPowerShell: number;
  /** Files that could not be read at all. */
  failedFiles: number;
}
