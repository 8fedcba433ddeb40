/** The marked test event `sink test` sends to HEC: findable with `sourcetype=tenantwatch:test`. */
import { TEST_EVENT_MARK } from '../driver.js';
import type { HecConfig } from './config.js';

export function testEvent(config: HecConfig, now: number): string {
  return JSON.stringify({
    time: now / 1000,
    host: config.host ?? 'tenantwatch',
    source: 'tenantwatch',
    sourcetype: 'tenantwatch:test',
    ...(config.index ? { index: config.index } : {}),
    event: { message: 'tenantwatch sink test event', mark: TEST_EVENT_MARK, at: new Date(now).toISOString() },
  });
}
