import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlanStep } from '../../posture/types.js';
import { printOutcome } from './audit-config-print.js';

function capture(): { out: NodeJS.WritableStream; text: () => string } {
  let text = '';
  const out = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
  return { out, text: () => text };
}

const ual: PlanStep = {
  kind: 'ual',
  target: 'organization',
  cmdlet: 'Set-AdminAuditLogConfig',
  parameters: { UnifiedAuditLogIngestionEnabled: true },
  description: 'turn unified audit log ingestion on',
};

test('a plan of one change says "1 change", and a step Exchange accepted is not called done before the re-check', () => {
  const { out, text } = capture();
  printOutcome(out, { plan: [ual] });
  printOutcome(out, { step: { step: ual, status: 'done' } });
  assert.equal(
    text(),
    'Plan (1 change):\n  - turn unified audit log ingestion on\n  ACCEPTED Set-AdminAuditLogConfig organization\n',
  );
});
