import type { LiveConnection } from '../config/tenants.js';
import { ExchangeAdminClient } from '../microsoft/exchange-admin.js';
import { ManagementActivityClient } from '../microsoft/management-activity.js';
import type { PostureDeps } from '../posture/service.js';
import type { Store, TenantRow } from '../store/contract.js';
import type { CliContext } from './context.js';
import { openConnection } from './tenants.js';

/**
 * Posture's sources for registered tenants, wired to the real clients: Exchange admin REST for the
 * settings, the Management Activity API for the subscriptions. Connections opened are pushed on
 * `opened` so the command closes them when it ends.
 */
export function postureDeps(ctx: CliContext, store: Store, opened: LiveConnection[]): PostureDeps {
  return {
    store,
    clock: ctx.clock,
    logger: ctx.logger,
    async sourcesFor(tenant: TenantRow) {
      const connection = openConnection(ctx, tenant, opened);
      const management = new ManagementActivityClient(connection);
      return {
        exchange: new ExchangeAdminClient(connection, { clock: ctx.clock, logger: ctx.logger }),
        async listSubscriptions(signal?: AbortSignal) {
          const step = await management.listSubscriptions(signal);
          if (!step.ok) throw step.failure.error;
          return step.value;
        },
      };
    },
  };
}
