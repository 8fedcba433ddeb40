import { useEffect, useState } from 'react';
import { api, send, type EnableOutcome } from '../api.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { JsonView } from '../components/JsonView.js';

type PlanStep = EnableOutcome['plan'][number];

/**
 * `audit-config check` and `enable` for one tenant: enable first shows the plan, and applies it only
 * after the person confirms (the server applies only a request that says confirm: true).
 */
export function AuditConfigPage({ params }: { params: URLSearchParams }) {
  const [tenants, setTenants] = useState<string[]>([]);
  const [tenant, setTenant] = useState(params.get('tenant') ?? '');
  const [plan, setPlan] = useState<PlanStep[] | null>(null);
  const [result, setResult] = useState<unknown>(null);
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
  const run = (work: Promise<void>): void => {
    setBusy(true);
    setError(null);
    work.catch(setError).finally(() => setBusy(false));
  };
  const check = (): void => run(send(api.auditConfigCheck(tenant)).then((r) => setResult(r.result)));
  const planEnable = (): void =>
    run(
      send(api.auditConfigEnable(tenant, false)).then((r) => {
        setPlan(r.outcome.plan);
        setResult(null);
      }),
    );
  const apply = (): void => {
    if (!window.confirm(`Apply ${plan?.length ?? 0} change(s) to the audit settings of ${tenant}?`)) return;
    run(
      send(api.auditConfigEnable(tenant, true)).then((r) => {
        setPlan(null);
        setResult(r.outcome);
      }),
    );
  };
  return (
    <section className="audit-config-page">
      <h2>Audit settings</h2>
      <div className="audit-filters">
        <label>
          Tenant{' '}
          <select name="tenant" value={tenant} onChange={(e) => (setTenant(e.target.value), setPlan(null))}>
            {tenants.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <button type="button" disabled={busy || !tenant} onClick={check}>
          Check
        </button>
        <button type="button" disabled={busy || !tenant} onClick={planEnable}>
          Plan enable
        </button>
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
      {result ? <JsonView value={result} /> : null}
    </section>
  );
}
