import { join } from 'node:path';
import type { Command } from 'commander';
import { startEmulator } from '../../../emulator/index.js';
import type { Runner } from '../run.js';
import {
  EMULATOR_SETTING_OPTIONS,
  emulatorSettings,
  wholeNumber,
  type EmulatorSettingFlags,
} from './emulator-flags.js';

interface EmulatorFlags extends EmulatorSettingFlags {
  port?: string;
  state?: string;
  seed?: string;
  tenants?: string;
  users?: string;
  days?: string;
}

const int = (value: string | undefined, flag: string, min: number, max: number): number | undefined =>
  wholeNumber(value, flag, min, max, 'emulator');

/**
 * `tenantwatch emulator`: runs the Microsoft 365 emulator (real clock, or a virtual one that --time-scale
 * moves and POST /_emulator/clock can set) until Ctrl-C; its settings are flags (emulator-flags.ts). One JSON line on
 * stdout when ready ({url, controlUrl, caFile}) so scripts can read it; tenants and credentials on stderr.
 */
export function register(program: Command, run: Runner): void {
  const command = program
    .command('emulator')
    .description('run the Microsoft 365 emulator alone (prints its URLs, CA file, tenants and credentials)')
    .option('--port <n>', 'HTTPS port on 127.0.0.1 (0 = any free port)', '0')
    .option('--state <dir>', 'state folder for the CA, certificates and settings (default: <data>/emulator)')
    .option('--seed <n>', 'simulation seed', '1')
    .option('--tenants <n>', 'number of simulated tenants', '5')
    .option('--users <n>', 'users per tenant', '50')
    .option('--days <n>', 'days of history', '8');
  for (const [flags, description, defaultValue] of EMULATOR_SETTING_OPTIONS)
    command.option(flags, description, defaultValue);
  command.action(
    run(async (ctx, flags: EmulatorFlags) => {
      const emu = await startEmulator({
        port: int(flags.port, 'port', 0, 65535),
        stateDir: flags.state ?? join(ctx.locations.dataDir, 'emulator'),
        seed: int(flags.seed, 'seed', 0, 2 ** 31),
        tenants: int(flags.tenants, 'tenants', 1, 100),
        users: int(flags.users, 'users', 1, 100_000),
        days: int(flags.days, 'days', 1, 30),
        ...emulatorSettings(flags),
        logger: ctx.logger,
      });
      ctx.out.write(`${JSON.stringify({ url: emu.url, controlUrl: emu.controlUrl, caFile: emu.caFile })}\n`);
      ctx.err.write(`tenantwatch emulator: ${emu.url} (trust ${emu.caFile}, e.g. NODE_EXTRA_CA_CERTS)\n`);
      for (const t of emu.tenants) {
        ctx.err.write(
          `  ${t.name}  tenant ${t.tenantId}  ${t.domain}  client ${t.clientId}  secret ${t.clientSecret}  UAL ${t.ualEnabled ? 'on' : 'off'}${t.dehydrated ? '  dehydrated' : ''}\n`,
        );
      }
      ctx.err.write(`  certificates and keys: GET ${emu.controlUrl}/tenants\n  Ctrl-C stops it.\n`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await emu.close();
    }),
  );
}
