import type { Command } from 'commander';
import { findWebRoot, parsePort, startConsole, untilAborted } from '../../server/listen.js';
import type { ReportsApi } from '../../server/index.js';
import type { Store } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import type { Runner } from '../run.js';

interface ServeOptions {
  port?: string;
  host: string;
}

/** The reports engine, when this build has it (loaded lazily so serve starts without it). */
export async function loadReports(store: Store, ctx: CliContext): Promise<ReportsApi | undefined> {
  try {
    const registry = await import('../../reports/registry.js');
    return {
      list: () => registry.listReports(),
      run: (id, params) => registry.runReport(id, params, { store, clock: ctx.clock, logger: ctx.logger, signal: ctx.signal }),
    };
  } catch (e) {
    ctx.logger.warn({ event: 'server.reports_unavailable', err: e }, 'reports engine not available');
    return undefined;
  }
}

export function register(program: Command, run: Runner): void {
  program
    .command('serve')
    .description('HTTP API and web console (binds 127.0.0.1 unless --host says otherwise)')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .action(
      run(async (ctx, opts: ServeOptions) => {
        const store = await ctx.store();
        const reports = await loadReports(store, ctx);
        const webRoot = findWebRoot();
        const console_ = await startConsole(
          { store, clock: ctx.clock, logger: ctx.logger, ...(reports ? { reports } : {}), ...(webRoot ? { webRoot } : {}) },
          { port: parsePort(opts.port, 8080), host: opts.host },
        );
        ctx.out.write(`tenantwatch console: ${console_.url}\n`);
        if (!webRoot) ctx.err.write('tenantwatch: the web console is not built (npm run build:web); the API is served under /api\n');
        await untilAborted(ctx.signal);
        await console_.close();
      }),
    );
}
