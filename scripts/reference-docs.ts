import type { Command } from 'commander';
import { buildProgram } from '../src/cli/main.js';
import { enableScript } from '../src/posture/powershell.js';

/** Every generated reference file: path (from the repo root) → content. */
export async function referenceDocs(): Promise<Record<string, string>> {
  const example = {
    name: 'contoso',
    domain: 'contoso.onmicrosoft.com',
    tenantId: '00000000-0000-0000-0000-000000000000',
  };
  return {
    'docs/reference/audit-config-enable.ps1': enableScript(example, { mailboxes: 'all', ageLimitDays: 180 }),
    'docs/reference/cli.md': cliReference(),
  };
}

/** `--help` of every command and sub-command, at a fixed width so the file does not depend on the terminal. */
function cliReference(): string {
  const program = buildProgram({ exitCode: 0, controller: new AbortController() });
  const sections: string[] = [
    '# tenantwatch command reference',
    '',
    'Generated from the CLI definitions (`npm run docs:reference`); a test keeps it current.',
    '',
  ];
  const visit = (command: Command, path: string[]): void => {
    command.configureHelp({ helpWidth: 100 });
    sections.push(
      `## ${['tenantwatch', ...path].join(' ')}`,
      '',
      '```',
      command.helpInformation().trimEnd(),
      '```',
      '',
    );
    for (const sub of command.commands) if (sub.name() !== 'help') visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return sections.join('\n');
}
