import type { Command } from 'commander';
import type { Runner } from '../run.js';
import { notYet } from '../run.js';

export function register(program: Command, run: Runner): void {
  program
    .command('serve')
    .description('HTTP API and web console')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(run(async () => notYet('tenantwatch serve')));
}
