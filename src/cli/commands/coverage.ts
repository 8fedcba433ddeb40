import type { Command } from 'commander';
import type { Runner } from '../run.js';
import { notYet } from '../run.js';

export function register(program: Command, run: Runner): void {
  program
    .command('coverage')
    .description('the collection ledger and its gaps')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(run(async () => notYet('tenantwatch coverage')));
}
