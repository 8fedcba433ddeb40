import { useEffect, useRef, useState } from 'react';
import { api, ApiError, describeError, send, type EnableOutcome, type Me, type PostureResult } from '../api.js';
import { may } from '../auth/roles.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { countOf, fmtTime, localTimes } from '../format.js';
import { useTimeZone } from '../timezone.js';

type PlanStep = EnableOutcome['plan'][number];

/** A check as a person reads it (it was shown as a JSON tree): the verdict, each finding and its fix. */
function CheckResult({ result }: { result: PostureResult }) {
  const zone = useTimeZone();
  return (
    <div className="check-result">
      <h3>
        {result.tenant}: <span className={`badge ${result.verdict}`}>{result.verdict}</span>{' '}
        <small>
          checked at {fmtTime(result.checkedAt, zone)} {zone}
        </small>
      </h3>
      {result.findings.length === 0 ? (
        <p>No findings: every audit setting this check reads is as it should be.</p>
      ) : (
        <ul className="check-findings">
          {result.findings.map((f, i) => (
            <li key={`${f.code}-${i}`} title={f.code}>
              <span className={`badge ${f.severity}`}>{f.severity}</span> {localTimes(f.message)}
              {f.fix ? (
                <div className="sub">
                  Fix: <code>{f.fix}</code>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <a href={`#/posture?tenant=${encodeURIComponent(result.tenant)}`}>Every check and requested change →</a>
    </div>
  );
}

/** What enable did, step by step, then the check that followed. */
function EnableResult({ outcome }: { outcome: EnableOutcome }) {
  return (
    <div className="enable-result">
      <h3>Changes applied to {outcome.tenant}</h3>
      <ol>
        {outcome.results.map((r, i) => (
          <li key={i}>
            {r.step.description ?? r.step.kind} — <strong>{r.status}</strong>
            {r.message ? `: ${localTimes(r.message)}` : ''}
          </li>
        ))}
      </ol>
      {outcome.after ? <CheckResult result={outcome.after} /> : null}
    </div>
  );
}

/**
 * `audit-config check` and `enable` for one tenant: enable first shows the plan, and applies it only
 * after the person confirms (the server applies only a request that says confirm: true).
 */
export function AuditConfigPage({ params, me }: { params: URLSearchParams; me: Me }) {
  // Check is an investigator's; enable changes the tenant, an administrator's (the server decides either way).
  const canEnable = may(me, 'POST /api/audit-config/:tenant/enable');
  const [tenants, setTenants] = useState<string[]>([]);
  const [tenant, setTenant] = useState(params.get('tenant') ?? '');
  const [plan, setPlan] = useState<PlanStep[] | null>(null);
  const [result, setResult] = useState<{ check: PostureResult } | { enable: EnableOutcome } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    send(api.tenants())
      .then((r) => {
        setTenants(r.tenants.map((t) => t.name));
        setTenant((current) => current || r.tenants[0]?.name || '');
      })
      .catch(setError);
  }, []);
  /**
   * Runs a request about the tenant `asked`. Its failure is shown while that tenant is still the one chosen, as its
   * answer is; `always` shows it anyway (an apply's, which names its tenant: the change may have been made).
   */
  const run = (asked: string, work: Promise<void>, always = false): void => {
    setBusy(true);
    setError(null);
    work
      .catch((e: unknown) => {
        if (always || chosen.current === asked) setError(e);
      })
      .finally(() => setBusy(false));
  };
  /**
   * The tenant chosen now: an answer for another (asked before the choice changed) is dropped. A plan asked for
   * one tenant arrived under "Plan for" the next, and "Apply these changes" sent it to that one.
   */
  const chosen = useRef(tenant);
  chosen.current = tenant;
  const choose = (next: string): void => {
    setTenant(next);
    setPlan(null);
    setResult(null);
  };
  const check = (): void => {
    const asked = tenant;
    run(
      asked,
      send(api.auditConfigCheck(asked)).then((r) => {
        if (chosen.current === asked) setResult({ check: r.result });
      }),
    );
  };
  const planEnable = (): void => {
    const asked = tenant;
    run(
      asked,
      send(api.auditConfigEnable(asked, false)).then((r) => {
        if (chosen.current !== asked) return;
        setPlan(r.outcome.plan);
        setResult(null);
      }),
    );
  };
  /**
   * Its result is shown even when another tenant was chosen meanwhile (it names the tenant it changed), and so is
   * its failure, which said only the server's words ("Exchange Online did not answer") under the other tenant.
   */
  const apply = (): void => {
    const asked = tenant;
    if (!window.confirm(`Apply ${countOf(plan?.length ?? 0, 'change')} to the audit settings of ${asked}?`)) return;
    run(
      asked,
      send(api.auditConfigEnable(asked, true)).then(
        (r) => {
          setPlan(null);
          setResult({ enable: r.outcome });
        },
        (e: unknown) => {
          const { message, hint } = describeError(e);
          const code = e instanceof ApiError ? e.code : 'APPLY_FAILED';
          throw new ApiError(
            code,
            `Applying the changes to ${asked} failed: ${message}`,
            hint,
            e instanceof ApiError ? e.status : 0,
          );
        },
      ),
      true,
    );
  };
  return (
    <section className="audit-config-page">
      <h1>Audit settings</h1>
      <p className="muted">
        Check reads a tenant&apos;s audit configuration from Exchange Online now.
        {canEnable
          ? ' Plan enable lists what would be turned on, and applies it only after you confirm.'
          : ' Turning auditing on is for an administrator.'}
      </p>
      <div className="audit-filters">
        <label>
          Tenant{' '}
          <select name="tenant" value={tenant} onChange={(e) => choose(e.target.value)}>
            {tenants.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <button type="button" disabled={busy || !tenant} onClick={check}>
          Check
        </button>
        {canEnable ? (
          <button type="button" disabled={busy || !tenant} onClick={planEnable}>
            Plan enable
          </button>
        ) : null}
      </div>
      <ErrorNote error={error} />
      {plan ? (
        <div className="enable-plan">
          <h3>Plan for {tenant}</h3>
          {plan.length === 0 ? (
            <p>Nothing to change: auditing is already on.</p>
          ) : (
            <>
              <ol>
                {plan.map((s, i) => (
                  <li key={i}>
                    {s.description ?? s.kind} {s.target ? <code>{s.target}</code> : null}{' '}
                    {s.cmdlet ? <small>({s.cmdlet})</small> : null}
                  </li>
                ))}
              </ol>
              <button type="button" className="apply" disabled={busy} onClick={apply}>
                Apply these changes
              </button>
            </>
          )}
        </div>
      ) : null}
      {result && 'check' in result ? <CheckResult result={result.check} /> : null}
      {result && 'enable' in result ? <EnableResult outcome={result.enable} /> : null}
    </section>
  );
}
