/**
 * The largest record the importer reads, in characters (issue 18: a 300 MB line took 3.7 GB, since the
 * whole line was held, then parsed). Real audit records are a few KB (the largest seen, with long
 * ModifiedProperties, a few hundred KB), and a Graph records page on one NDJSON line is a few MB; past
 * this bound the reader stops holding the text, skips to the record's end and rejects it with the reason.
 */
export const MAX_RECORD_CHARS = 16 << 20;

/** What of a record too large is written to the rejects file: its start, to recognise it by. */
export const TOO_LARGE_HEAD_CHARS = 1024;

export const TOO_LARGE = `the record is larger than ${MAX_RECORD_CHARS >> 20} Mi characters (no audit record is): refused unread so that memory stays bounded; the rejects file holds its first ${TOO_LARGE_HEAD_CHARS} characters. If it holds many records, put each on a line of its own (or save them as a JSON array or Graph page, which are read record by record at any size) and import it again`;

/**
 * The first TOO_LARGE_HEAD_CHARS characters of a record too large, as a string of their own: a slice would keep
 * the whole held text (tens of MB) alive for as long as the reject is.
 */
export function tooLargeHead(text: string): string {
  return Buffer.from(text.slice(0, TOO_LARGE_HEAD_CHARS), 'utf16le').toString('utf16le');
}
