import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import { toAppError, type AppError } from '../core/errors.js';
import type { CmdletRunner } from './read.js';
import type { PlanStep, StepResult } from './types.js';

/**
 * Carries out a plan step by step. A failing mailbox does not stop the others; every step ends with a
 * status, so nothing is half-applied without being listed. If hydration fails, the Set-* steps that
 * need it are skipped (they would fail the same way) and say why.
 */
export async function applyPlan(
  exchange: CmdletRunner,
  steps: PlanStep[],
  options: { logger?: Logger; signal?: AbortSignal; onStep?: (r: StepResult) => void } = {},
): Promise<StepResult[]> {
  const logger = options.logger ?? silentLogger;
  const results: StepResult[] = [];
  let hydrationFailed: string | null = null;
  for (const step of steps) {
    let result: StepResult;
    if (options.signal?.aborted) {
      result = { step, status: 'skipped', message: 'stopped on request before this step' };
    } else if (hydrationFailed && step.kind !== 'hydrate') {
      result = {
        step,
        status: 'skipped',
        message: `not attempted: Enable-OrganizationCustomization failed (${hydrationFailed})`,
      };
    } else {
      result = await runStep(exchange, step, options.signal);
      if (step.kind === 'hydrate' && result.status === 'failed') hydrationFailed = result.message ?? 'unknown reason';
    }
    logger.info(
      { event: 'posture.step', kind: step.kind, target: step.target, status: result.status, reason: result.message },
      'audit-config step',
    );
    options.onStep?.(result);
    results.push(result);
  }
  return results;
}

async function runStep(exchange: CmdletRunner, step: PlanStep, signal?: AbortSignal): Promise<StepResult> {
  try {
    const { warnings } = await exchange.invoke(step.cmdlet, step.parameters, signal);
    return { step, status: 'done', ...(warnings.length ? { message: warnings.join(' ') } : {}) };
  } catch (e) {
    if (signal?.aborted)
      return { step, status: 'unconfirmed', message: `stopped on request during this step; ${MAY_HAVE_APPLIED}` };
    const error = toAppError(e);
    if (unanswered(error))
      return { step, status: 'unconfirmed', message: `no answer came (${error.message}); ${MAY_HAVE_APPLIED}` };
    if (typeof error.details?.gatewayStatus === 'number')
      return {
        step,
        status: 'unconfirmed',
        message: `no answer came from Exchange, only a gateway's HTTP ${error.details.gatewayStatus} (${error.message}); ${MAY_HAVE_APPLIED}`,
      };
    return { step, status: 'failed', message: error.toLine() };
  }
}

const MAY_HAVE_APPLIED = 'Exchange may have made the change: the re-check and later checks say whether it did';
const NOT_SEEN_YET =
  'not in effect at the re-check: later checks follow it (the unified audit log takes up to 60 minutes); if it is still off then, run enable again';

/**
 * A failure after the cmdlet may have reached Exchange, with no answer to say what it did: the connection reset
 * or cut mid-answer (net/failures.ts cause 'other'), or the request timed out. The change may have been made, so
 * "failed" (or "skipped") would be untrue: such a step is 'unconfirmed'. So is one a gateway in front of Exchange
 * answered 502/504 (`details.gatewayStatus`, exchange-errors.ts): the gateway's answer, not Exchange's. A refused
 * connection, an unknown host or a certificate failure never sent it, and any other HTTP error is Exchange's own
 * answer: those failed.
 */
function unanswered(error: AppError): boolean {
  return error.code === 'TIMEOUT' || (error.code === 'NETWORK' && error.details?.cause === 'other');
}

/**
 * After a re-check: a UAL step that was accepted but is not visible yet is "pending" (Microsoft takes up
 * to 60 minutes), not a failure; likewise a mailbox whose change is not visible yet. An unconfirmed step the
 * re-check shows in effect was made; one it does not show stays unconfirmed (a UAL switch shows 60 minutes late).
 */
export function settle(results: StepResult[], stillNeeded: (step: PlanStep) => boolean): StepResult[] {
  return results.map((r) =>
    r.status === 'unconfirmed'
      ? stillNeeded(r.step)
        ? { ...r, message: `${r.message ?? 'no answer came'}; ${NOT_SEEN_YET}` }
        : { ...r, status: 'done', message: 'no answer came, but the re-check shows the change in effect' }
      : r.status === 'done' && stillNeeded(r.step)
        ? {
            ...r,
            status: 'pending',
            message:
              r.step.kind === 'ual'
                ? 'accepted; Microsoft applies it within about 60 minutes — run check again later'
                : 'accepted; not visible yet — run check again later',
          }
        : r,
  );
}
