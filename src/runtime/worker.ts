/**
 * Where tenantwatch starts its worker threads (the import's parse worker, a report's split read): outside core,
 * which stays free of I/O and threads.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker thread whose module is `compiled` beside the caller (`import.meta.url` as `from`):
 * the `.js` file once built, the `.ts` file when running from source. From source the worker registers
 * tsx itself, since Node 20 does not carry a parent's `--import tsx` loader into worker threads.
 */
export function startModuleWorker(from: string, compiled: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const fromSource = from.endsWith('.ts');
  const url = new URL(fromSource ? compiled.replace(/\.js$/, '.ts') : compiled, from);
  if (!fromSource) return new Worker(url, options);
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
