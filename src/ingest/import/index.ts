export { importFiles } from './import-files.js';
export { rejectFile, memoryRejects } from './rejects.js';
export type {
  FileError,
  FileSummary,
  ImportFormat,
  ImportOptions,
  ImportProgress,
  ImportSummary,
  Reject,
  RejectWriter,
} from './types.js';
