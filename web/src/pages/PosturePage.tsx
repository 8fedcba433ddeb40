import { api, type Me, type PostureCheck } from '../api.js';
import { may } from '../auth/roles.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useApi } from '../components/useApi.js';
import { fmtTime, localTimes } from '../format.js';
import { timeZone, useTimeZone } from '../timezone.js';

const SEVERITY_ORDER: Record<string, number> = { failing: 0, warning: 1, info: 2 };

/** "3 findings (1 failing)" for a check in the history. */
function tally(c: PostureCheck): string {
  const failing = c.findings.filter((f) => f.severity === 'failing').length;
  const n = c.findings.length;
  return n === 0 ? 'no findings' : `${n} finding${n === 1 ? '' : 's'}${failing ? ` (${failing} failing)` : ''}`;
}

function when(iso: string | undefined): string {
  return iso ? fmtTime(iso) : '';
}

/**
 * One tenant's audit posture (#/posture?tenant=NAME): the latest check's findings with the fix for each,
 * the changes requested through enable and whether they applied, and every stored check, newest first.
 */
export function PosturePage({ params, me }: { params: URLSearchParams; me: Me }) {
  const tenant = params.get('tenant') ?? '';
  const zone = useTimeZone();
  const { data, error, loading } = useApi(tenant ? api.tenantPosture(tenant) : null);
  const latest = data?.checks[0];
  const findings = [...(latest?.findings ?? [])].sort(
    (a, b) => (SEVERITY_ORDER[a.severity ?? ''] ?? 3) - (SEVERITY_ORDER[b.severity ?? ''] ?? 3),
  );
  const requests = data?.checks.find((c) => c.requests.length > 0)?.requests ?? [];
  return (
    <section className="page posture-page">
      <p className="crumbs">
        <a href="#/tenants">← Tenants</a>
      </p>
      <h1>Audit posture{data ? ` — ${data.name}` : tenant ? ` — ${tenant}` : ''}</h1>
      {!tenant ? <EmptyState title="No tenant chosen">Open a tenant from the Tenants page.</EmptyState> : null}
      <ErrorNote error={error} />
      {loading && !data ? <p className="muted">Loading…</p> : null}
      {data && !latest ? (
        <EmptyState title="Never checked">
          Nobody has checked this tenant's audit settings yet, so whether it records anything is unknown. Run{' '}
          <code>tenantwatch audit-config check {data.name}</code>
          {may(me, 'POST /api/audit-config/:tenant/check')
            ? ' (or Check on the Audit settings page).'
            : ', or ask an investigator or administrator to check it.'}
        </EmptyState>
      ) : null}
      {data && latest ? (
        <>
          <p className="posture-head">
            <span className={`badge ${data.auditing.recordsNothing ? 'failing' : latest.verdict}`}>
              {data.auditing.recordsNothing ? 'AUDITING OFF' : latest.verdict}
            </span>{' '}
            checked at <span className="mono">{fmtTime(latest.takenAt)}</span> {zone}
            <span className="sub"> · {data.domain ?? data.tenantId}</span>
          </p>
          {data.auditing.note ? <p className="posture-note notice-bad">{localTimes(data.auditing.note)}</p> : null}
          <h2>Findings of the latest check</h2>
          {findings.length === 0 ? (
            <p>No findings: every audit setting this check reads is as it should be.</p>
          ) : (
            <table className="grid posture-findings">
              <thead>
                <tr>
                  <th>Severity</th>
                  <th>Finding</th>
                  <th>Fix</th>
                </tr>
              </thead>
              <tbody>
                {findings.map((f, i) => (
                  <tr key={`${f.code ?? ''}-${i}`} data-code={f.code}>
                    <td>
                      <span className={`badge ${f.severity ?? 'unknown'}`}>{f.severity ?? '?'}</span>
                    </td>
                    <td title={f.code}>{localTimes(f.message ?? '')}</td>
                    <td className="fix">
                      {f.fix ? <code>{f.fix}</code> : <span className="muted">nothing to do</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Requested changes</h2>
          {requests.length === 0 ? (
            <p className="muted">None: no change was requested through enable.</p>
          ) : (
            <table className="grid posture-requests">
              <thead>
                <tr>
                  <th>Change</th>
                  <th>Requested ({timeZone()})</th>
                  <th>By</th>
                  <th>Applies by ({timeZone()})</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {requests.map((r, i) => (
                  <tr key={i}>
                    <td title={r.cmdlet}>{r.description ?? r.cmdlet}</td>
                    <td className="mono">{when(r.requestedAt)}</td>
                    <td>{r.requestedBy}</td>
                    <td className="mono">{when(r.appliesBy)}</td>
                    <td>
                      {r.status}
                      {r.appliedSeenAt ? ` (seen ${when(r.appliedSeenAt)})` : ''}
                      {r.unconfirmed ? ' — sent without an answer: it may not have been made' : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>History</h2>
          <table className="grid posture-history">
            <thead>
              <tr>
                <th>Checked at ({timeZone()})</th>
                <th>Verdict</th>
                <th>Findings</th>
                <th>Requested changes</th>
              </tr>
            </thead>
            <tbody>
              {data.checks.map((c) => (
                <tr key={c.takenAt}>
                  <td className="mono">{fmtTime(c.takenAt)}</td>
                  <td>
                    <span className={`badge ${c.verdict}`}>{c.verdict}</span>
                  </td>
                  <td title={c.findings.map((f) => f.code).join(', ')}>{tally(c)}</td>
                  <td>
                    {c.requests.length
                      ? c.requests.map((r) => `${r.description ?? r.cmdlet}: ${r.status}`).join('; ')
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
