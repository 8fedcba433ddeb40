import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { AppError, toAppError } from '../core/errors.js';
import type { Store, TenantRow } from '../store/contract.js';
import { settle, applyPlan } from './apply.js';
import { changesSince } from './changes.js';
import { planEnable, unknownMailboxes } from './plan.js';
import { readAuditState, type PostureSources } from './read.js';
import { followRequests, requestsOf } from './requests.js';
import { buildResult } from './rules.js';
import type { AuditState, EnableOptions, PlanStep, PostureResult, RequestedChange, StepResult } from './types.js';

export interface PostureDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The Exchange client (and subscription lister) for one tenant; the CLI wires the real ones. */
  sourcesFor(tenant: TenantRow): Promise<PostureSources>;
}

/**
 * Checks one tenant, compares with its previous snapshot, carries its open requests forward (applied,
 * pending or overdue as the settings now show), stores the new snapshot.
 */
export async function checkTenant(deps: PostureDeps, tenant: TenantRow, signal?: AbortSignal): Promise<PostureResult> {
  return (await inspect(deps, tenant, await deps.sourcesFor(tenant), signal)).result;
}

async function inspect(
  deps: PostureDeps,
  tenant: TenantRow,
  sources: PostureSources,
  signal?: AbortSignal,
  requested: RequestedChange[] = [],
): Promise<{ state: AuditState; result: PostureResult }> {
  const newest = async (): Promise<number | null> =>
    (await deps.store.records.newest([tenant.tenantId])).get(tenant.tenantId) ?? null;
  const state = await readAuditState({ newestRecord: newest, ...sources }, signal);
  const now = deps.clock.now();
  const previous = (await deps.store.posture.list(tenant.tenantId, 1))[0]?.body as PostureResult | undefined;
  const requests = followRequests(previous?.requests ?? [], requested, state, now);
  const draft = buildResult(tenant, state, now);
  const result = buildResult(tenant, state, now, changesSince(previous ?? null, draft), requests);
  await deps.store.posture.save({ tenant: tenant.tenantId, takenAt: now, verdict: result.verdict, body: result });
  deps.logger.info(
    {
      event: 'posture.checked',
      tenant: tenant.name,
      verdict: result.verdict,
      findings: result.findings.map((f) => f.code),
    },
    'audit posture checked',
  );
  return { state, result };
}

export interface EnableOutcome {
  tenant: string;
  dryRun: boolean;
  plan: PlanStep[];
  results: StepResult[];
  /** The re-check after the changes (absent on a dry run). */
  after: PostureResult | null;
}

/** Plans, applies, and re-checks. Idempotent: a second run finds nothing to do. */
export async function enableTenant(
  deps: PostureDeps,
  tenant: TenantRow,
  options: EnableOptions,
  run: {
    dryRun: boolean;
    signal?: AbortSignal;
    onPlan?: (plan: PlanStep[]) => void;
    onStep?: (r: StepResult) => void;
    /** Who asks (kept in the posture history): the person and the app; the CLI says which. */
    requestedBy?: string;
  },
): Promise<EnableOutcome> {
  const sources = await deps.sourcesFor(tenant);
  const before = await readAuditState({ exchange: sources.exchange }, run.signal);
  if (before.readErrors.length && before.ualEnabled === null && before.mailboxes === null) {
    const first = before.readErrors[0]!;
    throw new AppError('UPSTREAM', `Could not read the audit settings of ${tenant.name}: ${first.message}`, {
      ...(first.hint ? { hint: first.hint } : {}),
    });
  }
  const unknown = unknownMailboxes(before, options.mailboxes);
  if (unknown.length) {
    // The tenant's mailboxes are its state, not a list tenantwatch knows: "not found" (exit 1), as a tenant is.
    throw new AppError('NOT_FOUND', `No such mailbox in ${tenant.name}: ${unknown.join(', ')}`, {
      hint: 'Give user principal names of existing mailboxes (Get-Mailbox lists them), or --mailboxes all',
    });
  }
  const plan = planEnable(before, options);
  run.onPlan?.(plan);
  if (run.dryRun || plan.length === 0)
    return { tenant: tenant.name, dryRun: run.dryRun, plan, results: [], after: null };
  const askedAt = deps.clock.now();
  const applied = await applyPlan(sources.exchange, plan, {
    logger: deps.logger,
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.onStep ? { onStep: run.onStep } : {}),
  });
  const requested = requestsOf(applied, askedAt, run.requestedBy ?? `tenantwatch (app ${tenant.clientId})`);
  let recheck: { state: AuditState; result: PostureResult };
  try {
    recheck = await inspect(deps, tenant, sources, run.signal, requested);
  } catch (e) {
    await rememberRequests(deps, tenant, before, requested, e);
    throw e;
  }
  const { state: afterState, result: after } = recheck;
  const remaining = planEnable(afterState, options);
  const stillNeeded = (step: PlanStep): boolean =>
    remaining.some((r) => r.kind === step.kind && r.target === step.target);
  return { tenant: tenant.name, dryRun: false, plan, results: settle(applied, stillNeeded), after };
}

/**
 * The changes Exchange accepted must outlive a re-check that does not finish (Ctrl-C during it, the store
 * or the service failing): only the snapshot carries them to later checks, so without this one a later
 * check says "off, turn it on" to the person who just did, and nothing says what was changed. The
 * snapshot holds the settings as read before the changes (the latest reading there is), says the re-check
 * did not run, and carries the requests like any check.
 */
async function rememberRequests(
  deps: PostureDeps,
  tenant: TenantRow,
  before: AuditState,
  requested: RequestedChange[],
  error: unknown,
): Promise<void> {
  if (!requested.length) return;
  const now = deps.clock.now();
  const why = toAppError(error).message;
  const state: AuditState = {
    ...before,
    readErrors: [
      ...before.readErrors,
      {
        what: 'the audit settings after enable',
        message: `the re-check did not finish (${why}); these settings are as read before the changes`,
        hint: `Run tenantwatch audit-config check ${tenant.name} to see the changes in effect`,
      },
    ],
  };
  const previous = (await deps.store.posture.list(tenant.tenantId, 1))[0]?.body as PostureResult | undefined;
  const requests = followRequests(previous?.requests ?? [], requested, state, now);
  const result = buildResult(tenant, state, now, [], requests);
  await deps.store.posture.save({ tenant: tenant.tenantId, takenAt: now, verdict: result.verdict, body: result });
  deps.logger.warn(
    { event: 'posture.recheck_failed', tenant: tenant.name, requests: requested.length, error: why },
    'audit-config enable: re-check did not finish; the requested changes are kept',
  );
}
