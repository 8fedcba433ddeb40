/**
 * Both conformance suites against one adapter (STYLE.md: one contract, its suites): the records part
 * (records.conformance.ts) and the state part (state.conformance.ts). An adapter's test file calls this.
 */
import type { Store } from './contract.js';
import { runRecordsConformance } from './records.conformance.js';
import { runStateConformance } from './state.conformance.js';
import { runRollupConformance } from './testing/rollup-conformance.js';
import type { TailHooks } from './testing/tail-conformance.js';

export function runStoreConformance(name: string, open: () => Promise<Store>, hooks: TailHooks = {}): void {
  runRecordsConformance(name, open, hooks);
  runStateConformance(name, open);
  runRollupConformance(name, open);
}
