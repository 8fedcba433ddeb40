import { useMemo, useState } from 'react';
import { toQueryString, type AlertQuery, type RuleHistoryWait } from '../api.js';
import {
  SEVERITIES,
  STATUSES,
  statusLabel,
  type AlertSeverity,
  type AlertStatus,
  type AlertView,
} from '../alert-types.js';
import { AlertDetailPane } from '../components/AlertDetail.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useApi } from '../components/useApi.js';
import { timeZone } from '../timezone.js';
import { fmtCount, fmtTime, shortTimes, visible } from '../format.js';
import { navigate } from '../route.js';
import { api } from '../api.js';

const FILTERS = ['tenant', 'rule', 'severity', 'status', 'snoozed'] as const;

/**
 * Alerts raised by the detection rules across tenants, newest last hit first, filtered by tenant, rule,
 * severity and status (the filters live in the URL, so a view is a link); a row opens its detail.
 */
export function AlertsPage({ params }: { params: URLSearchParams }) {
  const [reload, setReload] = useState(0);
  const filter = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const selected = params.get('id');
  // The filters as the page's URL holds them; the server refuses a status or severity it does not know.
  const query: AlertQuery = {
    ...(filter.tenant ? { tenant: [filter.tenant] } : {}),
    ...(filter.rule ? { rule: [filter.rule] } : {}),
    ...(filter.severity ? { severity: [filter.severity as AlertSeverity] } : {}),
    ...(filter.status ? { status: [filter.status as AlertStatus] } : {}),
    ...(filter.snoozed === 'true' ? { snoozed: 'true' as const } : {}),
  };
  const { data, error, loading } = useApi(api.alerts(query), reload, { keepPrevious: true });
  const tenants = useApi(api.tenants());
  const all = useApi(api.alerts({ snoozed: 'true', limit: 5000 }), reload);
  const waiting = useApi(api.ruleHistory(filter.tenant ? [filter.tenant] : undefined));
  const rules = useMemo(
    () =>
      [...new Map((all.data?.alerts ?? []).map((a) => [a.ruleId, a.title])).entries()].sort((x, y) =>
        x[0].localeCompare(y[0]),
      ),
    [all.data],
  );
  // "12-28 09:05", with the year when the alerts listed are not all of one.
  const lastSeen = shortTimes((data?.alerts ?? []).map((a) => Date.parse(a.lastSeen)));
  const go = (over: Partial<Record<string, string>>): void =>
    navigate('alerts', toQueryString({ ...filter, id: selected ?? '', ...over }));

  return (
    <section className="page alerts-page">
      <h1>Alerts</h1>
      <form className="alert-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Tenant
          <select name="tenant" value={filter.tenant} onChange={(e) => go({ tenant: e.target.value, id: '' })}>
            <option value="">all</option>
            {(tenants.data?.tenants ?? []).map((t) => (
              <option key={t.tenantId} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rule
          <select name="rule" value={filter.rule} onChange={(e) => go({ rule: e.target.value })}>
            <option value="">all</option>
            {rules.map(([id, title]) => (
              <option key={id} value={id} title={title}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select name="severity" value={filter.severity} onChange={(e) => go({ severity: e.target.value })}>
            <option value="">all</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" value={filter.status} onChange={(e) => go({ status: e.target.value })}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="snoozed"
            checked={filter.snoozed === 'true'}
            onChange={(e) => go({ snoozed: e.target.checked ? 'true' : '' })}
          />
          show snoozed
        </label>
        <span className="spacer" />
        <span className="count">
          <strong>{data ? `${fmtCount(data.count)}${data.more ? '+' : ''}` : '…'}</strong> alert
          {data?.count === 1 ? '' : 's'}
          {data?.more ? ` (the ${fmtCount(data.count)} last seen; narrow the filters to see the rest)` : ''}
        </span>
      </form>
      <ErrorNote error={error} />
      <HistoryWaits rules={waiting.data?.rules ?? []} />
      <div className="split">
        <div className="alert-list">
          {loading && !data ? <p className="muted">Loading…</p> : null}
          {data && data.alerts.length === 0 ? (
            <p className="muted">
              No alerts match. Rules raise alerts as records arrive, or run <code>tenantwatch detect --start 30d</code>.
            </p>
          ) : null}
          {data && data.alerts.length > 0 ? (
            // While another list loads, the one on screen is the previous filter's: dimmed and not clickable,
            // so nobody opens an alert the new filter leaves out.
            <table className={`grid alerts${loading ? ' stale' : ''}`} aria-busy={loading}>
              <thead>
                <tr>
                  <th>Severity</th>
                  <th>Status</th>
                  <th>Alert</th>
                  <th>Tenant</th>
                  <th className="num">Hits</th>
                  <th>Last seen ({timeZone()})</th>
                </tr>
              </thead>
              <tbody>
                {data.alerts.map((a) => (
                  <tr
                    key={a.id}
                    data-alert={a.id}
                    data-rule={a.ruleId}
                    tabIndex={0}
                    className={`clickable${a.id === selected ? ' selected' : ''}`}
                    onClick={() => go({ id: a.id })}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') go({ id: a.id });
                    }}
                  >
                    <td>
                      <span className={`badge sev-${a.severity}`}>{a.severity}</span>
                    </td>
                    <td>
                      <span className={`status st-${a.status}`}>{statusLabel(a.status)}</span>
                    </td>
                    <td className="what" title={a.title}>
                      {a.title}
                      <div className="sub mono" title={subject(a)}>
                        {subject(a)}
                      </div>
                    </td>
                    <td>{visible(a.tenantName ?? a.tenant)}</td>
                    <td className="num">{fmtCount(a.hits)}</td>
                    <td className="mono when">{lastSeen(a.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
        {selected ? (
          <AlertDetailPane
            key={selected}
            id={selected}
            tenant={filter.tenant}
            onChanged={() => setReload((n) => n + 1)}
            onClose={() => go({ id: '' })}
          />
        ) : null}
      </div>
    </section>
  );
}

/**
 * Who and what an alert is about, under its title: the group (a user, an address) or the acting user, and the
 * object acted on; the rule's id where the alert has neither (it is in the detail pane either way).
 */
function subject(a: AlertView): string {
  const who = a.groupKey || a.facts.user || a.facts.UserId || '';
  const what = a.facts.object && a.facts.object !== who ? a.facts.object : '';
  return visible([who, what].filter(Boolean).join(' · ') || a.ruleId);
}

/**
 * The first-seen rules that call nothing new yet for some tenants, because their records do not reach the
 * rule's look-back (ADR 0037): without this line an empty list reads as "no new addresses".
 */
function HistoryWaits({ rules }: { rules: readonly RuleHistoryWait[] }) {
  if (rules.length === 0) return null;
  return (
    <ul className="result-notices history-waits" aria-label="Rules waiting for history">
      {rules.map((r) => (
        <li key={r.ruleId} className="notice-warn">
          “{r.title}” looks back {r.days} days and calls nothing new until a tenant's records reach that far:{' '}
          {waitingTenants(r)}.
        </li>
      ))}
    </ul>
  );
}

/** "adatum, contoso (until 2026-12-28); fabrikam (no records yet)": the tenants (by name) grouped by date. */
function waitingTenants(r: RuleHistoryWait): string {
  const groups = new Map<string, string[]>();
  for (const t of r.tenants) {
    const when = t.until ? `until ${fmtTime(t.until).slice(0, 10)}` : 'no records yet';
    groups.set(when, [...(groups.get(when) ?? []), t.tenantName]);
  }
  return [...groups].map(([when, names]) => `${names.join(', ')} (${when})`).join('; ');
}
