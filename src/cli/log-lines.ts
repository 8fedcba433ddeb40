import { Writable } from 'node:stream';

/**
 * What a person sees of the structured logs on a terminal or in a script's stderr: one plain sentence per
 * warning or error ("tenantwatch: warning: blob refused (contoso, Audit.Exchange): contentUri host is …"),
 * never a raw JSON line. The JSON lines go to stderr with `-v` or to `--log-file`, where tools read them.
 * Events the command itself reports in its summary (a tenant that failed) are not said a second time here.
 */
const SAID_BY_THE_COMMAND = new Set(['collector.tenant.failed', 'sink.gave_up']);

type Entry = Record<string, unknown>;

/** A pino line's object; null when the line is not JSON. */
function entryOf(line: string): Entry | null {
  try {
    return JSON.parse(line) as Entry;
  } catch {
    return null;
  }
}

/** The sentence for one pino JSON line, or null when nothing should be shown. */
export function humanLogLine(line: string): string | null {
  const entry = entryOf(line);
  if (entry === null) return line.trim() ? `tenantwatch: ${line.trim()}` : null;
  return sentenceOf(entry);
}

function sentenceOf(entry: Entry): string | null {
  if (typeof entry.event === 'string' && SAID_BY_THE_COMMAND.has(entry.event)) return null;
  const level = typeof entry.level === 'number' ? entry.level : 40;
  const kind = level >= 50 ? 'error' : 'warning';
  const sink = typeof entry.sink === 'string' && entry.sink !== '' ? `sink ${entry.sink}` : undefined;
  const where = [sink, entry.name ?? entry.tenant, entry.contentType ?? entry.stream].filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  const err = entry.err as { message?: unknown } | undefined;
  const detail = [entry.reason, entry.error, typeof err === 'object' && err ? err.message : undefined, entry.hint]
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .join('. ');
  const msg = typeof entry.msg === 'string' ? entry.msg : typeof entry.event === 'string' ? entry.event : 'log';
  return `tenantwatch: ${kind}: ${msg}${where.length ? ` (${where.join(', ')})` : ''}${detail ? `: ${detail}` : ''}`;
}

/**
 * Events logged once per blob that the command also counts in its summary (the collector's `rejected` and
 * `conflicts` columns): a person sees the first of each kind per tenant and feed, not one line per blob — a
 * history fill whose records all came back through the live feed printed hundreds of identical lines.
 */
const ONCE_PER_FEED = new Set(['collector.record.conflict', 'collector.record.rejected']);
const MORE_LIKE_IT = '; the summary counts the rest of them for this feed (-v or --log-file shows each)';

/** A destination for pino that writes each line through humanLogLine. */
export function humanLogStream(target: NodeJS.WritableStream): Writable {
  let pending = '';
  const said = new Set<string>();
  /** false: said already for this feed; 'first': the first of its kind, said with MORE_LIKE_IT; true: any other. */
  const firstOfItsKind = (entry: Entry): boolean | 'first' => {
    if (typeof entry.event !== 'string' || !ONCE_PER_FEED.has(entry.event)) return true;
    const key = JSON.stringify([entry.event, entry.tenant, entry.contentType]);
    if (said.has(key)) return false;
    said.add(key);
    return 'first';
  };
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const entry = entryOf(line);
        const shown = entry === null ? true : firstOfItsKind(entry);
        const text = !shown ? null : entry === null ? humanLogLine(line) : sentenceOf(entry);
        if (text) target.write(`${text}${shown === 'first' ? MORE_LIKE_IT : ''}\n`);
      }
      done();
    },
  });
}
