import type { Command } from 'commander';
import type { Runner } from '../run.js';
import { notYet } from '../run.js';

export function register(program: Command, run: Runner): void {
  const audit = program.command('audit-config').description('check and enable audit logging');
  for (const sub of ['check', 'enable']) {
    audit.command(sub).allowUnknownOption().allowExcessArguments().action(run(async () => notYet(`audit-config ${sub}`)));
  }
}
