/** The marked test document `sink test` indexes (into the records' data stream, findable by event.kind). */
import { TEST_EVENT_MARK } from '../driver.js';
import type { ElasticConfig } from './config.js';

export function testDocument(config: ElasticConfig, now: number): string {
  const action = JSON.stringify({ create: { _index: config.recordIndex } });
  const doc = JSON.stringify({
    '@timestamp': new Date(now).toISOString(),
    event: { kind: 'event', dataset: 'o365.audit', module: 'o365', action: TEST_EVENT_MARK },
    message: 'tenantwatch sink test event',
    tags: [TEST_EVENT_MARK],
  });
  return `${action}\n${doc}\n`;
}
