/**
 * `sink test`: one marked test event through the real driver, and, when it fails, exactly what failed
 * — DNS, connection, TLS, authentication, a rejected payload — in words a person can act on.
 */
import { toAppError } from '../core/errors.js';
import type { SinkDriver } from './driver.js';
import { classifyNetworkError, STAGE_LABEL } from './failure.js';

export type TestOutcome = { ok: true; detail: string } | { ok: false; stage: string; detail: string; hint: string };

const HINTS: Record<string, string> = {
  dns: 'Check the host name in --url',
  connect: 'Check the host and port in --url, and that the receiver runs and a firewall lets it through',
  tls: 'Give the CA that signed the receiver certificate with --ca-file, and use the host name on its certificate',
  timeout: 'The receiver is slow or unreachable; check it and try again',
  auth: 'Check the token or secret (--token-env / --secret-env) and its permissions on the receiver',
  throttled: 'The receiver is busy; forwarding retries later by itself',
  server: 'The receiver failed; check its logs',
  payload: 'The receiver refused the event; check the index, stream or sourcetype options',
  'too-large': 'Lower the batch size (--option batch=N)',
  protocol: 'Check that --url points at the receiver itself, not a proxy, sign-in page or another service',
  config: "Fix the sink's URL or options and add it again",
};

export async function testSink(driver: SinkDriver, signal: AbortSignal): Promise<TestOutcome> {
  try {
    return { ok: true, detail: await driver.test(signal) };
  } catch (e) {
    if (e instanceof Error && e.name === 'AppError') {
      const app = toAppError(e);
      return { ok: false, stage: 'configuration', detail: app.message, hint: app.hint ?? '' };
    }
    const failure = classifyNetworkError(e);
    return {
      ok: false,
      stage: STAGE_LABEL[failure.stage],
      detail: failure.message,
      hint: HINTS[failure.stage] ?? '',
    };
  }
}
