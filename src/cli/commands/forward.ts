import type { Command } from 'commander';
import { terminalText } from '../../core/terminal.js';
import { redact } from '../../config/secrets.js';
import { AppError } from '../../core/errors.js';
import { parseLimit } from '../../core/limits.js';
import { forwardAll } from '../../sinks/forward-all.js';
import { leaseOwner } from '../../sinks/lease.js';
import { backoffPolicy, ONCE_RETRY } from '../../sinks/retry.js';
import type { CliContext } from '../context.js';
import type { Runner } from '../run.js';
import { forwardStore, openSinkDriver, redactingLogger, sinkSecrets, startForwarding } from '../sinks.js';
import { unknownSink } from './sink.js';

/**
 * `tenantwatch forward [--once]`: delivers to every enabled sink until stopped (Ctrl-C finishes the
 * batch in flight), picking up sinks added, changed or removed meanwhile; with --once, exits 0 once every
 * sink has caught up with the store, and 1 naming each sink that could not, and why.
 */
export function register(program: Command, run: Runner): void {
  program
    .command('forward')
    .description('deliver stored records to every sink until stopped (--once: until caught up)')
    .option('--once', 'stop when every sink has caught up with the store')
    .option('--sink <name...>', 'only these sinks')
    .option('--batch <n>', 'records read from the store per step', '2000')
    .action(run(async (ctx: CliContext, f: { once?: boolean; sink?: string[]; batch: string }) => forward(ctx, f)));
}

/**
 * The most records one step reads from the store: each is held in memory (a record runs to a few KB) until the
 * sink has them, so a larger batch only costs memory.
 */
const MAX_BATCH = 100_000;

async function forward(ctx: CliContext, f: { once?: boolean; sink?: string[]; batch: string }): Promise<number> {
  // Checked first: "--batch abc", 0 or -5 ran with 2,000 and 1.5 or 99999999999 went to the store as they were,
  // all without a word.
  const readLimit = parseLimit(f.batch, {
    what: '--batch',
    hint: 'Give --batch 2000 to read 2,000 records from the store per step, or leave it out',
    max: MAX_BATCH,
  });
  const store = await ctx.store('read');
  const fs = forwardStore(store);
  let rows = await store.sinks.list();
  if (f.sink?.length) {
    const wanted = wantedNames(f.sink);
    for (const w of wanted) if (!rows.some((r) => r.name === w)) throw unknownSink(w);
    rows = rows.filter((r) => wanted.includes(r.name));
  }
  rows = rows.filter((r) => r.enabled);
  if (!rows.length)
    throw new AppError('NOT_FOUND', 'No enabled sink to forward to', {
      hint: 'Add one with tenantwatch sink add NAME --type … --url …',
    });
  if (!f.once) {
    // Until stopped, as serve and collect --follow forward: a sink added, changed or removed meanwhile is picked up
    // at the next look. It forwarded to the sinks as they were at its start until then, sending on to a removed one.
    await startForwarding(ctx, store, { ...(f.sink?.length ? { only: wantedNames(f.sink) } : {}), readLimit }).done;
    return 0;
  }
  const secrets = sinkSecrets(ctx, rows);
  const logger = redactingLogger(ctx.logger, secrets);
  const results = await forwardAll(
    {
      store: fs,
      clock: ctx.clock,
      logger,
      policy: backoffPolicy(ONCE_RETRY),
      owner: leaseOwner(),
      signal: ctx.signal,
      readLimit,
      once: true,
      scrub: (t) => redact(t, secrets),
      open: (row) => openSinkDriver(ctx, row, logger),
    },
    rows,
  );
  let failed = 0;
  for (const r of results) {
    if (r.state === 'caught-up')
      ctx.out.write(`${r.sink}: caught up (${r.delivered} delivered, ${r.dead} dead letters)\n`);
    else if (r.state === 'stopped') ctx.out.write(`${r.sink}: stopped\n`);
    else {
      failed++;
      const why = r.state === 'busy' ? `another process sends to it (${r.holder ?? 'unknown'})` : r.reason;
      ctx.err.write(`tenantwatch: sink ${r.sink} did not catch up: ${terminalText(redact(why, secrets))}\n`);
    }
  }
  return failed ? 1 : 0;
}

const wantedNames = (names: readonly string[]): string[] => names.map((s) => s.toLowerCase());
