/**
 * Sink tests' access to the SIEM receivers of emulator/siem (started by each test, closed after), and a
 * driver context for a sink row pointing at them.
 */
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { SinkRow } from '../../src/core/sink.js';
import { startSiemReceivers, type SiemReceivers } from '../../emulator/siem/server.js';
import type { DriverContext } from '../../src/sinks/driver.js';
import { nodeHttpSender } from '../../src/sinks/http.js';
import { T0 } from '../../src/sinks/testing/records.js';

/** Starts the receivers before the file's tests and closes them after; read `.current` inside tests. */
export function useReceivers(): { current: SiemReceivers; dir: string } {
  const holder = { current: undefined as unknown as SiemReceivers, dir: mkdtempSync(join(tmpdir(), 'tw-siem-')) };
  before(async () => {
    holder.current = await startSiemReceivers({ stateDir: holder.dir });
  });
  after(async () => {
    await holder.current?.close();
    rmSync(holder.dir, { recursive: true, force: true });
  });
  return holder;
}

export function driverContext(row: SinkRow, receivers: SiemReceivers, secret: string | null): DriverContext {
  return {
    row,
    secret,
    caPem: receivers.caPem,
    clock: new ManualClock(T0, true),
    logger: silentLogger,
    http: (o) => nodeHttpSender({ ...o, timeoutMs: 5_000 }),
  };
}
