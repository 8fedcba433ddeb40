import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { sendCredits } from '../../runtime/credits.js';
import { textWords, WordSet } from '../text-words.js';
import { STOP_BIT, type WordsBatch, type WordsRequest } from './text-index.js';

/**
 * Worker-thread entry of the substring index's build (text-index.ts buildOnTwoCores): its own read-only
 * connection reads the rows above the covered seq in order and cuts their words, so the building thread
 * only posts them. It keeps at most `ahead` batches unacknowledged, and ends after sending an empty one.
 */
const port = parentPort!;
const { path, after, batch, ahead, stops } = workerData as WordsRequest;

const db = new Database(path, { readonly: true, fileMustExist: true });
const read = db.prepare('SELECT seq, raw, object_id FROM records WHERE seq > ? ORDER BY seq LIMIT ?').raw(true);
const sets = {
  raw: new WordSet(stops.filter(([, bits]) => (bits & STOP_BIT.raw) !== 0).map(([w]) => w)),
  object: new WordSet(stops.filter(([, bits]) => (bits & STOP_BIT.object_id) !== 0).map(([w]) => w)),
};

const credits = sendCredits(port, ahead);
let from = after;
for (;;) {
  await credits.take();
  const rows = read.all(from, batch) as [number, string, string | null][];
  const out: WordsBatch = {
    rows: rows.map(([seq, raw, objectId]) => [
      seq,
      textWords(raw, sets.raw).join(' '),
      textWords(objectId, sets.object).join(' '),
    ]),
  };
  port.postMessage(out);
  if (rows.length === 0) break;
  from = rows[rows.length - 1]![0];
}
db.close();
port.close();
