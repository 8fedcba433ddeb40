import { api, toQueryString, type SearchFilters, type TenantOverview } from '../api.js';
import { useMay } from '../auth/SignInGate.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useApi } from '../components/useApi.js';
import { timeZone } from '../timezone.js';
import { fmtLag, fmtTime, localTimes } from '../format.js';
import { navigate } from '../route.js';

function Verdict({ t }: { t: TenantOverview }) {
  if (!t.posture) return <span className="badge unknown">not checked</span>;
  const asked = t.posture.requested;
  if (t.posture.auditingOff && asked)
    return (
      <span
        className={`badge ${asked.overdue ? 'failing' : 'warning'}`}
        title={`Turning the unified audit log on was requested at ${fmtTime(asked.at)} ${timeZone()} by ${asked.by}${asked.unconfirmed ? ', but no answer came, so it may not have been made' : '; Microsoft applies it within 60 minutes'}`}
      >
        {asked.overdue ? 'AUDITING STILL OFF' : `TURNING ON BY ${fmtTime(asked.appliesBy).slice(11, 16)} ${timeZone()}`}
      </span>
    );
  if (t.posture.auditingOff)
    return (
      <span
        className="badge failing"
        title="Unified audit log ingestion is off: Microsoft records nothing for this tenant"
      >
        AUDITING OFF
      </span>
    );
  return <span className={`badge ${t.posture.verdict}`}>{t.posture.verdict}</span>;
}

function firstFinding(t: TenantOverview): string {
  if (t.auditing.note) return localTimes(t.auditing.note);
  const f = t.posture?.findings.find((x) => x.severity === 'failing') ?? t.posture?.findings[0];
  return f?.message ?? '';
}

/** All tenants at a glance: is auditing on, is collection keeping up, is anything missing. */
export function TenantsPage() {
  const { data, error, loading } = useApi(api.tenants());
  // A tenant's name opens its last week in Search, which only a role that may search is offered.
  const searchable = useMay()('GET /api/search');
  const open = (t: TenantOverview): void => {
    const last7: SearchFilters = { start: '7d', end: 'now', tenant: [t.name] };
    navigate('search', toQueryString(last7));
  };
  return (
    <section className="page">
      <h1>Tenants</h1>
      <ErrorNote error={error} />
      {loading && !data ? <p className="muted">Loading…</p> : null}
      {data && data.tenants.length === 0 ? (
        <p className="muted">
          No tenants registered yet. Add one with <code>tenantwatch tenant add</code>, or run{' '}
          <code>tenantwatch demo</code>.
        </p>
      ) : null}
      {data && data.tenants.length > 0 ? (
        <table className="grid tenants">
          <thead>
            <tr>
              <th>Tenant</th>
              <th>Audit posture</th>
              <th>Finding</th>
              <th>Collection</th>
              <th className="num">Lag</th>
              <th>Newest record ({timeZone()})</th>
              <th className="num">Errors</th>
              <th className="num">Gaps</th>
              <th>Webhook</th>
            </tr>
          </thead>
          <tbody>
            {data.tenants.map((t) => (
              <tr key={t.tenantId} className={t.posture?.auditingOff ? 'flagged' : undefined} data-tenant={t.name}>
                <td>
                  {searchable ? (
                    <button
                      type="button"
                      className="link"
                      onClick={() => open(t)}
                      title={`Search ${t.name}'s last 7 days`}
                    >
                      {t.name}
                    </button>
                  ) : (
                    <span className="tenant-name">{t.name}</span>
                  )}
                  <div className="sub">{t.domain ?? t.tenantId}</div>
                </td>
                <td data-label="Audit posture">
                  <a
                    href={`#/posture?tenant=${encodeURIComponent(t.name)}`}
                    className="posture-link"
                    title={`${t.name}'s audit posture: every finding, its fix, requested changes and history`}
                  >
                    <Verdict t={t} />
                  </a>
                </td>
                <td className="finding" data-label="Finding" title={firstFinding(t)}>
                  {firstFinding(t)}
                </td>
                <td data-label="Collection" title={t.errors.last ?? ''}>
                  <span className={`state ${t.state.replace(/\s/g, '-')}`}>{t.state}</span>
                  {/* "errors" alone, beside an empty Errors column, said nothing: the collector's own reason. */}
                  {t.state === 'errors' && !t.errors.windows && t.errors.last ? (
                    <div className="sub">{t.errors.last.split(/[:.;]/)[0]}</div>
                  ) : null}
                </td>
                <td className="num" data-label="Lag">
                  {fmtLag(t.lagMs)}
                </td>
                <td className="mono" data-label={`Newest record (${timeZone()})`}>
                  {t.newestRecord ? fmtTime(t.newestRecord) : '—'}
                </td>
                <td className="num" data-label="Errors" title={t.errors.last ?? ''}>
                  {t.errors.windows || ''}
                </td>
                <td className="num" data-label="Gaps">
                  {t.gaps ? (
                    <a href={`#/coverage?tenant=${encodeURIComponent(t.name)}`} className="gap-link">
                      {t.gaps}
                    </a>
                  ) : (
                    ''
                  )}
                </td>
                <td data-label="Webhook" title={t.webhook?.detail ?? ''}>
                  {t.webhook
                    ? `${t.webhook.status}${t.webhook.lastDelayMs !== null ? ` · ${fmtLag(t.webhook.lastDelayMs)}` : ''}`
                    : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
