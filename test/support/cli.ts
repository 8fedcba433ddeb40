import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI from source (tsx), exactly as a person would run `tenantwatch ARGS`, with its own
 * data folder. Never inherits the developer's ~/.tenantwatch.
 */
export function runCli(
  args: string[],
  options: { dataDir: string; env?: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, TENANTWATCH_HOME: options.dataDir, TENANTWATCH_DB: '', NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Starts `tenantwatch serve ARGS` (or `demo`, which ends in the same console) from source with its own
 * data folder and resolves with the child and the console URL it printed; rejects with its stderr when
 * it exits first. The caller stops it.
 */
export function startServe(
  args: string[],
  dataDir: string,
  command: 'serve' | 'demo' = 'serve',
): { child: ChildProcessWithoutNullStreams; url: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), command, ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, TENANTWATCH_HOME: dataDir, TENANTWATCH_DB: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /tenantwatch console: (https?:\/\/\S+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return { child, url };
}
