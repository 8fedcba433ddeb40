import {
  DEFAULT_FAULTS,
  DEFAULT_TUNING,
  type EmulatorOptions,
  type Faults,
  type Tuning,
} from '../../../emulator/index.js';
import { AppError } from '../../core/errors.js';
import { parseDuration, parseIsoUtc } from '../../core/time.js';

/** A whole-number flag of the emulator or the demo, in range, or a usage error naming it. */
export function wholeNumber(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
  command: 'emulator' | 'demo',
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AppError('USAGE', `--${flag} must be a whole number from ${min} to ${max}, not "${value}"`, {
      hint: `Run tenantwatch ${command} --help`,
    });
  }
  return n;
}

/**
 * The emulator's settings as flags of `tenantwatch emulator` (issue 17 item 16): clock, time scale,
 * throttling, latencies and faults, so a demo or a manual test sets them at start instead of through
 * control calls. Defaults are the emulator's documented ones (emulator/README.md), shown in --help.
 */
export interface EmulatorSettingFlags {
  clock?: string;
  start?: string;
  timeScale?: string;
  throttle?: string;
  throttleStatus?: string;
  firstDataDelay?: string;
  deliveryDelay?: string;
  ualSwitchDelay?: string;
  windowTolerance?: string;
  serverErrorRate?: string;
  cutRate?: string;
  slow?: string;
  tokenLifetime?: string;
}

type Option = [flags: string, description: string, defaultValue?: string];

const minutes = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms / 60_000}m`);

/** The setting flags with their help text, in the order --help lists them. */
export const EMULATOR_SETTING_OPTIONS: Option[] = [
  [
    '--clock <kind>',
    'real (follows the system clock) or virtual (moves by --time-scale and POST /_emulator/clock)',
    'real',
  ],
  ['--start <time>', 'ISO time the virtual clock starts at and history ends at (default: now)'],
  ['--time-scale <n>', 'virtual clock: emulator seconds per real second (60 = an emulator hour per real minute)', '0'],
  [
    '--throttle <n>',
    'requests per minute per quota pool before AF429/429, or "off"',
    String(DEFAULT_FAULTS.throttleBudgetPerMinute),
  ],
  ['--throttle-status <code>', 'Management API throttling status: 403 (documented) or 429 (seen on the wire)', '403'],
  [
    '--first-data-delay <span>',
    'after a subscription starts, nothing is listed for this long (e.g. 0s, 30m, 12h)',
    minutes(DEFAULT_TUNING.firstDataDelayMs),
  ],
  [
    '--delivery-delay <span>',
    "from the end of a record's 5-minute slot to its blob (real service: 60-90m)",
    minutes(DEFAULT_TUNING.deliveryDelayMs),
  ],
  [
    '--ual-switch-delay <span>',
    'how long enabling or disabling the unified audit log takes',
    minutes(DEFAULT_TUNING.ualSwitchDelayMs),
  ],
  [
    '--window-tolerance <span>',
    'how far past 7 days a /content startTime is still accepted',
    minutes(DEFAULT_TUNING.windowStartToleranceMs),
  ],
  ['--server-error-rate <fraction>', 'share of API requests answered with a 5xx (0-1)', '0'],
  ['--cut-rate <fraction>', 'share of API responses cut half-way through the body (0-1)', '0'],
  ['--slow <span>', 'real time every API response waits before it starts', '0s'],
  ['--token-lifetime <seconds>', 'lifetime of issued access tokens', String(DEFAULT_FAULTS.tokenLifetimeSeconds)],
];

function usage(message: string): AppError {
  return new AppError('USAGE', message, { hint: 'Run tenantwatch emulator --help' });
}

function span(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value.trim() === '0' ? 0 : parseDuration(value, `--${flag}`);
  if (ms === null) throw usage(`--${flag} must be a span such as 0s, 90s, 30m or 12h, not "${value}"`);
  return ms;
}

function num(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw usage(`--${flag} must be a number from ${min} to ${max}, not "${value}"`);
  return n;
}

/** Everything the setting flags ask of startEmulator; only flags given override the emulator's defaults. */
export function emulatorSettings(f: EmulatorSettingFlags): Partial<EmulatorOptions> {
  const clock = f.clock ?? 'real';
  if (clock !== 'real' && clock !== 'virtual') throw usage(`--clock must be real or virtual, not "${clock}"`);
  const timeScale = num(f.timeScale, 'time-scale', 0, 100_000) ?? 0;
  if (timeScale > 0 && clock !== 'virtual') throw usage('--time-scale needs --clock virtual');
  if (f.start !== undefined && clock !== 'virtual') throw usage('--start needs --clock virtual');
  const start = f.start === undefined ? undefined : parseIsoUtc(f.start);
  if (start === null) throw usage(`--start must be an ISO time such as 2026-03-10T12:00:00Z, not "${f.start}"`);
  const faults: Partial<Faults> = {};
  if (f.throttle !== undefined)
    faults.throttleBudgetPerMinute = f.throttle === 'off' ? null : num(f.throttle, 'throttle', 0, 10_000_000)!;
  if (f.throttleStatus !== undefined) {
    if (f.throttleStatus !== '403' && f.throttleStatus !== '429') throw usage('--throttle-status must be 403 or 429');
    faults.throttleStatus = f.throttleStatus === '403' ? 403 : 429;
  }
  const rate = (v: string | undefined, flag: string) => num(v, flag, 0, 1);
  if (f.serverErrorRate !== undefined) faults.serverErrorRate = rate(f.serverErrorRate, 'server-error-rate')!;
  if (f.cutRate !== undefined) faults.cutRate = rate(f.cutRate, 'cut-rate')!;
  if (f.slow !== undefined) faults.slowMs = span(f.slow, 'slow')!;
  if (f.tokenLifetime !== undefined) faults.tokenLifetimeSeconds = num(f.tokenLifetime, 'token-lifetime', 1, 86_400)!;
  const tuning: Partial<Tuning> = {};
  const spans: [string | undefined, string, keyof Tuning][] = [
    [f.firstDataDelay, 'first-data-delay', 'firstDataDelayMs'],
    [f.deliveryDelay, 'delivery-delay', 'deliveryDelayMs'],
    [f.ualSwitchDelay, 'ual-switch-delay', 'ualSwitchDelayMs'],
    [f.windowTolerance, 'window-tolerance', 'windowStartToleranceMs'],
  ];
  for (const [value, flag, key] of spans) {
    const ms = span(value, flag);
    if (ms !== undefined) (tuning as Record<string, number>)[key] = ms;
  }
  return { clock, timeScale, ...(start !== undefined ? { start } : {}), faults, tuning };
}
