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
  pointAtOtherNames(program);
  return program;
}

/**
 * Flags people reach for from other tools (`--since 7d`, `--last 7d`, `--until`) that tenantwatch calls by another
 * name. commander suggests only near spellings, so `search --last 7d` said "unknown option" and no more.
 */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  '--last': '--start',
  '--since': '--start',
  '--from': '--start',
  '--after': '--start',
  '--until': '--end',
  '--to': '--end',
  '--before': '--end',
};

/** On each command that has the option another name stands for, its "unknown option" error names that option. */
function pointAtOtherNames(command: Command): void {
  const output = command.configureOutput();
  const write = (text: string, to: (text: string) => void): void =>
    output.outputError ? output.outputError(text, to) : to(text);
  command.configureOutput({
    ...output,
    outputError: (text, to) => {
      const given = /^error: unknown option '([^'=]+)/.exec(text)?.[1];
      const meant = given === undefined ? undefined : OTHER_NAMES[given];
      const option = meant === undefined ? undefined : command.options.find((o) => o.long === meant);
      // Its own description says what it takes here (--start is a span back in search, a clock start in emulator).
      const hint =
        option && !text.includes('Did you mean') ? `(Did you mean ${meant}? ${meant}: ${option.description})\n` : '';
      write(text + hint, to);
    },
  });
  command.commands.forEach(pointAtOtherNames);
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
