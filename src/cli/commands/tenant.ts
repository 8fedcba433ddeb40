import type { Command } from 'commander';
import type { Runner } from '../run.js';
import { notYet } from '../run.js';

export function register(program: Command, run: Runner): void {
  const tenant = program.command('tenant').description('register and check tenants');
  for (const sub of ['add', 'list', 'show', 'remove', 'test', 'add-emulated']) {
    tenant.command(sub).allowUnknownOption().allowExcessArguments().action(run(async () => notYet(`tenant ${sub}`)));
  }
}
