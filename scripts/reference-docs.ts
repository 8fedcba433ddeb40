import { enableScript } from '../src/posture/powershell.js';

/** Every generated reference file: path (from the repo root) → content. */
export async function referenceDocs(): Promise<Record<string, string>> {
  const example = { name: 'contoso', domain: 'contoso.onmicrosoft.com', tenantId: '00000000-0000-0000-0000-000000000000' };
  return {
    'docs/reference/audit-config-enable.ps1': enableScript(example, { mailboxes: 'all', ageLimitDays: 180 }),
  };
}
