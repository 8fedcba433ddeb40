import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import type { TenantRow } from '../store/contract.js';
import { openStore } from '../store/open.js';
import { enableTenant } from './service.js';
import { FakeExchange } from './testing/fake-exchange.js';

const tenant = {
  name: 'contoso',
  tenantId: '11111111-1111-1111-1111-111111111111',
  clientId: 'app-1',
} as TenantRow;

test('enable --mailboxes naming a mailbox the tenant does not have is "not found" (exit 1), and nothing changes', async () => {
  const org = new FakeExchange().addMailboxes(2, { AuditEnabled: false });
  const store = await openStore('sqlite::memory:');
  try {
    const deps = {
      store,
      clock: new ManualClock(0),
      logger: silentLogger,
      sourcesFor: async () => ({ exchange: org }),
    };
    await assert.rejects(
      enableTenant(
        deps,
        tenant,
        { mailboxes: ['user1@contoso.onmicrosoft.com', 'nobody@contoso.com'] },
        { dryRun: false },
      ),
      (e: unknown) =>
        // A mailbox is the tenant's state, not a value from a list tenantwatch knows: it was BAD_INPUT (exit 2).
        e instanceof AppError &&
        e.code === 'NOT_FOUND' &&
        e.exitCode === 1 &&
        /No such mailbox in contoso: nobody@contoso\.com/.test(e.message) &&
        /--mailboxes all/.test(e.hint ?? ''),
    );
    assert.ok(!org.calls.some((c) => c.cmdlet.startsWith('Set-')), 'nothing was changed');
  } finally {
    await store.close();
  }
});
