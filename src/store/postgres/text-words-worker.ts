import { parentPort, workerData } from 'node:worker_threads';
import { cutCopied, NewWords, TextIndexState, type CutRequest, type CutReply } from './text-index.js';

/**
 * Worker-thread entry of PostgreSQL's substring index build (text-index.ts WordCutter): cuts the words of the
 * batches it is sent, as COPY sent them, with the stop words of the index state it was started with, so that the
 * building thread is free to read the next batch and post the last one. Each word goes back once, with the first
 * batch this thread found it in: the building thread posts the batches in order, so the vocabulary has it
 * before any later batch is posted.
 */
const port = parentPort!;
const state = new TextIndexState(workerData as string);
const vocabulary = new NewWords();
port.on('message', ({ id, bytes }: CutRequest) => {
  const reply: CutReply = {
    id,
    ...cutCopied(state, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), vocabulary),
  };
  port.postMessage(reply);
});
