import type { Command } from 'commander';
import type { Runner } from '../run.js';
import { notYet } from '../run.js';

export function register(program: Command, run: Runner): void {
  program
    .command('emulator')
    .description('run the Microsoft 365 emulator alone (prints its URLs, CA file, tenants and credentials)')
    .action(run(async () => notYet('tenantwatch emulator')));
}
