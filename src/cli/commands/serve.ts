import type { Command } from 'commander';
import { findWebRoot, parsePort, startConsole, untilAborted } from '../../server/listen.js';
import type { ReportsApi, ServerDeps } from '../../server/index.js';
import { listReports, runReport } from '../../reports/registry.js';
import type { Store } from '../../store/contract.js';
import type { LiveConnection } from '../../config/tenants.js';
import type { CliContext } from '../context.js';
import { graphRoleSource } from '../tenants.js';
import type { Runner } from '../run.js';

export interface ServeOptions {
  port?: string;
  host: string;
  webhookUrl?: string;
  interval?: string;
}

/**
 * The reports engine as the server wants it, bound to this store; admin-activity asks Graph for the
 * role holders of registered tenants, as `tenantwatch report` does (connections closed after each run).
 */
function reportsApi(store: Store, ctx: CliContext): ReportsApi {
  return {
    list: () => listReports(),
    run: async (id, params) => {
      const opened: LiveConnection[] = [];
      try {
        return await runReport(id, params, {
          store,
          clock: ctx.clock,
          logger: ctx.logger,
          signal: ctx.signal,
          roleSource: graphRoleSource(ctx, store, opened),
        });
      } finally {
        for (const c of opened) c.close();
      }
    },
  };
}

/** Serves the console over `store` until Ctrl-C (shared by `serve` and `demo`). */
export async function serveConsole(
  ctx: CliContext,
  store: Store,
  opts: ServeOptions,
  collector?: ServerDeps['collector'],
  webhooks?: ServerDeps['webhooks'],
  onListening?: () => void,
): Promise<void> {
  const webRoot = findWebRoot();
  const running = await startConsole(
    {
      store,
      clock: ctx.clock,
      logger: ctx.logger,
      reports: reportsApi(store, ctx),
      ...(collector ? { collector } : {}),
      ...(webhooks ? { webhooks } : {}),
      ...(webRoot ? { webRoot } : {}),
    },
    { port: parsePort(opts.port, 8080), host: opts.host },
  );
  ctx.out.write(`tenantwatch console: ${running.url}\n`);
  onListening?.();
  if (!webRoot)
    ctx.err.write('tenantwatch: the web console is not built (npm run build:web); the API is served under /api\n');
  await untilAborted(ctx.signal);
  await running.close();
}

export function register(program: Command, run: Runner): void {
  program
    .command('serve')
    .description('HTTP API and web console (binds 127.0.0.1 unless --host says otherwise)')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option(
      '--webhook-url <url>',
      "public HTTPS URL that reaches this server's /api/webhooks/management: collect every tenant with Management API webhooks (authId from TENANTWATCH_WEBHOOK_AUTH_ID)",
    )
    .option('--interval <span>', 'with --webhook-url: the safety-net poll between webhook notifications', '30m')
    .action(
      run(async (ctx, opts: ServeOptions) => {
        if (!opts.webhookUrl) return serveConsole(ctx, await ctx.store(), opts);
        const { serveWithWebhooks } = await import('./serve-webhooks.js');
        return serveWithWebhooks(ctx, opts, opts.webhookUrl, serveConsole);
      }),
    );
}
