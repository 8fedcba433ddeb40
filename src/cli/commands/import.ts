import type { Command } from 'commander';
import type { Runner } from '../run.js';
import { notYet } from '../run.js';

export function register(program: Command, run: Runner): void {
  program
    .command('import')
    .description('import audit records from files (Purview CSV, JSON, NDJSON, API blobs)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(run(async () => notYet('tenantwatch import')));
}
