import type { Command } from 'commander';
import type { Runner } from '../run.js';
import { notYet } from '../run.js';

export function register(program: Command, run: Runner): void {
  program
    .command('demo')
    .description('emulator + simulated tenants + collection + web console, in one command')
    .action(run(async () => notYet('tenantwatch demo')));
}
