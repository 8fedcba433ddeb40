import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forConsole, splitDescription } from './report-text.js';

const labels: Record<string, string> = { roles: 'Roles', workload: 'Workloads', burstThreshold: 'Burst threshold' };
const label = (p: string): string | undefined => labels[p];

test("a report's description names the form's fields, not the CLI's flags", () => {
  assert.equal(
    forConsole('holders of Global Administrator (and, with --roles, other privileged roles such as', label),
    'holders of Global Administrator (and, with “Roles”, other privileged roles such as',
  );
  assert.equal(
    forConsole('With --workload SharePoint it answers "what did this person do"', label),
    'With “Workloads” set to SharePoint it answers "what did this person do"',
  );
  assert.equal(forConsole('above --burst-threshold failures', label), 'above “Burst threshold” failures');
  // A flag that is no parameter of the report (another command's) is left as written.
  assert.equal(forConsole('see tenantwatch search --help', label), 'see tenantwatch search --help');
});

test("a report's description: the first sentence folded, then only the rest (not the first sentence again)", () => {
  assert.deepEqual(splitDescription('Every action. An action counts. Review each.'), {
    summary: 'Every action.',
    rest: 'An action counts. Review each.',
  });
  assert.deepEqual(splitDescription('One sentence only.'), { summary: 'One sentence only.', rest: '' });
});
