import { Command, CommanderError, Option } from 'commander';
import { makeRunner, type RunState } from './run.js';
import { packageVersion } from './version.js';
import * as alerts from './commands/alerts.js';
import * as audit from './commands/audit-config.js';
import * as collect from './commands/collect.js';
import * as coverage from './commands/coverage.js';
import * as demo from './commands/demo.js';
import * as detect from './commands/detect.js';
import * as emulator from './commands/emulator.js';
import * as forward from './commands/forward.js';
import * as importCmd from './commands/import.js';
import * as optimize from './commands/optimize.js';
import * as report from './commands/report.js';
import * as retention from './commands/retention.js';
import * as rules from './commands/rules.js';
import * as search from './commands/search.js';
import * as serve from './commands/serve.js';
import * as sink from './commands/sink.js';
import * as tenant from './commands/tenant.js';
import * as user from './commands/user.js';

/** The composition root: parses flags, wires objects, returns the exit status. */
export function buildProgram(state: RunState): Command {
  const program = new Command('tenantwatch')
    .description('Microsoft 365 audit logs for many tenants: check auditing, collect, search, investigate.')
    .version(packageVersion())
    .addOption(new Option('--data <dir>', 'state folder').env('TENANTWATCH_HOME'))
    .addOption(
      new Option(
        '--db <url>',
        'database: sqlite:PATH (relative to this directory; default tenantwatch.sqlite under --data) or postgres://…',
      ).env('TENANTWATCH_DB'),
    )
    .option('-v, --verbose', 'debug logs on stderr, as JSON lines')
    .addOption(
      new Option('--log-file <file>', 'also write JSON log lines to this file (info and up; with -v, debug)').env(
        'TENANTWATCH_LOG_FILE',
      ),
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const run = makeRunner(state);
  for (const module of [
    demo,
    emulator,
    tenant,
    audit,
    collect,
    importCmd,
    search,
    report,
    rules,
    detect,
    alerts,
    coverage,
    optimize,
    retention,
    serve,
    user,
    sink,
    forward,
  ]) {
    module.register(program, run);
  }
  program.commands.forEach((c) => c.exitOverride());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const state: RunState = { exitCode: 0, controller: new AbortController() };
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ntenantwatch: stopping after the current step (Ctrl-C again to stop at once)\n');
    state.controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `tenantwatch coverage | head`: the reader left, so there is nobody to print for. Stop quietly (exit 0, as
  // other Unix tools do), never with an unhandled 'error' stack trace; any other output error is said once.
  const onOutputError = (e: NodeJS.ErrnoException): void => {
    if (e.code !== 'EPIPE') process.stderr.write(`tenantwatch: cannot write the output: ${e.message}\n`);
    state.controller.abort();
    process.exit(e.code === 'EPIPE' ? 0 : 1);
  };
  // Kept for the life of the process: the error arrives after the command has returned.
  if (!process.stdout.listeners('error').some((l) => l.name === 'onOutputError'))
    process.stdout.on('error', onOutputError);
  try {
    await buildProgram(state).parseAsync(argv);
    return state.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; a usage error exits 2 (commander already printed it).
      return e.exitCode === 0 ? 0 : 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// Run directly (tsx src/cli/main.ts …) as well as through bin/tenantwatch.js.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv);
}
