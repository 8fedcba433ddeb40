import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** What the numbers were measured on; these machines are shared and noisy, so the load is part of it. */
export function machineDescription(): string {
  const cpu = cpus();
  const gib = (b: number): string => (b / 2 ** 30).toFixed(1);
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
  return [
    `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} logical cores`,
    `- Memory: ${gib(totalmem())} GiB (${gib(freemem())} GiB free at start)`,
    `- Node ${process.version} on ${process.platform}/${process.arch}`,
    `- Load average at start (1/5/15 min): ${load}${loadavg()[0]! > cpu.length ? ` — busier than its ${cpu.length} cores: absolute figures are inflated, compare the side-by-side ratios` : ''}`,
    `- Date: ${new Date().toISOString().slice(0, 19)}Z`,
  ].join('\n');
}
