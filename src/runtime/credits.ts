import type { MessagePort } from 'node:worker_threads';

/**
 * The flow control of a worker that produces ahead of its parent (an import's parse worker, the substring
 * index's word thread): it may send `ahead` messages before the first is acknowledged, then one more per
 * acknowledgement (any message from the parent), so memory stays bounded however fast it produces.
 */
export function sendCredits(port: MessagePort, ahead: number): { take(): Promise<void> } {
  let credits = ahead;
  let wake: (() => void) | null = null;
  port.on('message', () => {
    credits++;
    const w = wake;
    wake = null;
    w?.();
  });
  return {
    async take() {
      while (credits <= 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
    },
  };
}
