import { parentPort, workerData } from 'node:worker_threads';
import { TextIndexState, type CutRequest, type CutReply } from './text-index.js';

/**
 * Worker-thread entry of PostgreSQL's substring index build (text-index.ts WordCutter): cuts the words of the
 * rows it is sent, with the stop words of the index state it was started with, so that the building thread is
 * free to read the next batch and post the last one.
 */
const port = parentPort!;
const state = new TextIndexState(workerData as string);
port.on('message', ({ id, rows }: CutRequest) => {
  const reply: CutReply = {
    id,
    raw: rows.map(([raw]) => state.words('raw', raw)),
    object: rows.map(([, objectId]) => state.words('object_id', objectId)),
  };
  port.postMessage(reply);
});
