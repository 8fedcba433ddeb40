import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppError } from '../src/core/errors.js';
import { ExchangeAdminClient } from '../src/microsoft/exchange-admin.js';
import { endpointsFor, type TenantConnection } from '../src/microsoft/types.js';
import { createHttpClient } from '../src/net/http.js';
import type { HttpClient } from '../src/net/types.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';

/**
 * An Exchange InvokeCommand answer whose @odata.nextLink names the page it came on (a looping endpoint): the
 * client followed it until its 10,000-page bound. Now the repeated link fails the call at once, with a reason.
 */
let t: TestEmulator;
let http: ReturnType<typeof createHttpClient>;

before(async () => {
  t = await startTestEmulator({ tenants: 1, users: 6, faults: { throttleBudgetPerMinute: null } });
  http = createHttpClient({ ca: t.emu.caPem });
});
after(async () => {
  http?.close();
  await t?.close();
});

/** A client of the emulator's Exchange endpoint whose requests are counted, and refused past `limit`. */
function client(limit: number): { exchange: ExchangeAdminClient; requests: () => number } {
  const tenant = t.emu.tenants[0]!;
  let requests = 0;
  const counted: HttpClient = {
    request: async (req) => {
      if (++requests > limit) throw new Error(`more than ${limit} requests: the client kept following the link`);
      return http.request(req);
    },
  };
  const connection: TenantConnection = {
    tenantId: tenant.tenantId,
    endpoints: endpointsFor('commercial', t.emu.url),
    publisherId: tenant.publisherId,
    http: counted,
    tokens: { token: async () => t.client.token(tenant.tenantId, 'https://outlook.office365.com') },
  };
  const clock = { now: () => t.emu.clock.now(), sleep: async (ms: number) => t.emu.clock.advance(ms) };
  return { exchange: new ExchangeAdminClient(connection, { clock, pageSize: 2 }), requests: () => requests };
}

test('a nextLink naming a page already read fails Get-Mailbox at once; without the fault every page is read', async () => {
  t.emu.setFaults({ exoNextLinkRepeat: true });
  const looping = client(20);
  await assert.rejects(
    looping.exchange.invoke('Get-Mailbox', { ResultSize: 'Unlimited' }),
    (e: unknown) =>
      e instanceof AppError &&
      e.code === 'UPSTREAM' &&
      /looped while paging Get-Mailbox: after 2 pages its @odata\.nextLink named a page already read/.test(e.message) &&
      /Run the command again later/.test(e.hint ?? ''),
  );
  assert.equal(looping.requests(), 2, 'the first page, then the page its link named, and no more');

  t.emu.setFaults({ exoNextLinkRepeat: false });
  const plain = client(20);
  const all = await plain.exchange.invoke<{ UserPrincipalName: string }>('Get-Mailbox', { ResultSize: 'Unlimited' });
  assert.ok(all.value.length > 2, 'more than one page of mailboxes');
  assert.equal(new Set(all.value.map((m) => m.UserPrincipalName)).size, all.value.length, 'each mailbox once');
  assert.equal(plain.requests(), Math.ceil(all.value.length / 2));
});
