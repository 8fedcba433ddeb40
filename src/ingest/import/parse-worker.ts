import { parentPort, workerData } from 'node:worker_threads';
import { sendCredits } from '../../runtime/credits.js';
import { RecordPacker } from './packed-records.js';
import { parseFile, type ParseOptions } from './parse-file.js';
import type { WireEvent } from './parse-in-worker.js';

/**
 * Worker-thread entry of a parallel import (parse-in-worker.ts): parses one file and posts its
 * events. It runs at most IN_FLIGHT events ahead of the importer's acknowledgements, so memory stays
 * bounded whatever the file size while parsing of the next batch overlaps the store's write of this one.
 */
const IN_FLIGHT = 2;
const port = parentPort!;
const { path, options } = workerData as { path: string; options: ParseOptions };
const credits = sendCredits(port, IN_FLIGHT);
const packer = new RecordPacker();
for await (const event of parseFile(path, options)) {
  await credits.take();
  if (event.kind === 'batch') {
    const records = packer.pack(event.records);
    port.postMessage({ ...event, records } satisfies WireEvent, [records.rawBytes, records.codes]);
  } else port.postMessage(event satisfies WireEvent);
}
port.postMessage({ kind: 'end' } satisfies WireEvent);
port.close();
