import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { sendCredits } from '../../runtime/credits.js';
import { textWords, WordSet } from '../text-words.js';
import { STOP_BIT, type WordsBatch, type WordsRequest } from './text-index.js';

/**
 * Worker-thread entry of the substring index's build (text-index.ts buildInParallel): its own read-only
 * connection reads the rows of its share of the seq ranges (every `lanes`-th, from its `lane`) and cuts their
 * words, so the building thread only posts them. It keeps at most `ahead` ranges unacknowledged.
 */
const port = parentPort!;
const { path, after, until, batch, lanes, lane, ahead, stops } = workerData as WordsRequest;

const db = new Database(path, { readonly: true, fileMustExist: true });
const read = db.prepare('SELECT seq, raw, object_id FROM records WHERE seq > ? AND seq <= ? ORDER BY seq').raw(true);
const sets = {
  raw: new WordSet(stops.filter(([, bits]) => (bits & STOP_BIT.raw) !== 0).map(([w]) => w)),
  object: new WordSet(stops.filter(([, bits]) => (bits & STOP_BIT.object_id) !== 0).map(([w]) => w)),
};

const credits = sendCredits(port, ahead);
for (let range = lane, lo = after + lane * batch; lo < until; range += lanes, lo += lanes * batch) {
  await credits.take();
  const rows = read.all(lo, Math.min(lo + batch, until)) as [number, string, string | null][];
  const out: WordsBatch = {
    range,
    rows: rows.map(([seq, raw, objectId]) => [
      seq,
      textWords(raw, sets.raw).join(' '),
      textWords(objectId, sets.object).join(' '),
    ]),
  };
  port.postMessage(out);
}
db.close();
