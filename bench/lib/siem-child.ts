/**
 * The SIEM receivers of emulator/siem in a process of their own, for the forwarding bench: a real SIEM
 * never shares the forwarder's event loop (or, on a 2-core machine, its core). They keep only ids
 * (`keep: 'ids'`). Messages: 'counts' → what arrived; 'reset' → forget it; 'close'.
 */
import { startSiemReceivers } from '../../emulator/siem/server.js';

const stateDir = process.argv[2]!;
const rx = await startSiemReceivers({ stateDir, hecToken: 't', elasticApiKey: 'k', keep: 'ids' });

export interface ReceiverCounts {
  hecEvents: number;
  hecDistinct: number;
  elasticDocs: number;
  elasticDoubles: number;
  rss: number;
}

function counts(): ReceiverCounts {
  const ids = new Set(rx.hec.events.map((e) => e.fields?.record_id));
  let docs = 0;
  for (const index of rx.elastic.indices.values()) docs += index.size;
  let doubles = 0;
  for (const n of rx.elastic.creates.values()) if (n > 1) doubles += n - 1;
  return {
    hecEvents: rx.hec.events.length,
    hecDistinct: ids.size,
    elasticDocs: docs,
    elasticDoubles: doubles,
    rss: process.memoryUsage().rss,
  };
}

process.on('message', (m: string) => {
  if (m === 'counts') process.send!({ counts: counts() });
  else if (m === 'reset') {
    rx.hec.events.length = 0;
    rx.elastic.indices.clear();
    rx.elastic.creates.clear();
    process.send!({ reset: true });
  } else if (m === 'close') void rx.close().then(() => process.exit(0));
});
process.send!({ url: rx.url, caPem: rx.caPem });
