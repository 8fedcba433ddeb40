import { useState } from 'react';
import { api, send, type ApiCall } from '../api.js';
import { useMay } from '../auth/SignInGate.js';
import { statusLabel, type AlertDetail, type AlertStatus } from '../alert-types.js';
import type { AlertExclusion, AlertExclusionView } from '../api.js';
import { countOf, fmtCount, fmtTime, localTimes, runbookParagraphs, visible } from '../format.js';
import { timeZone } from '../timezone.js';
import { ErrorNote } from './ErrorNote.js';
import { JsonView } from './JsonView.js';
import { useApi } from './useApi.js';
import { useEscape } from './useEscape.js';

/**
 * One alert: what it is, the actions (acknowledge, resolve, false positive, snooze, exclude) for a role that
 * may take them, the rule's runbook, the records behind it (each opens to its AuditData) and the history.
 */
export function AlertDetailPane({
  id,
  tenant,
  onChanged,
  onClose,
}: {
  id: string;
  tenant: string;
  onChanged: () => void;
  onClose: () => void;
}) {
  const [reload, setReload] = useState(0);
  const scope = tenant ? [tenant] : [];
  const { data, error } = useApi<AlertDetail>(api.alert(id, scope), reload);
  // The exclusions of this alert's rule in its tenant: what Exclude made is shown here (it is in no history).
  const exclusions = useApi(data ? api.alertExclusions([data.alert.tenant]) : null, reload);
  /** What the last exclusion made, said under the form (the form is emptied, so a second click makes no copy). */
  const [excluded, setExcluded] = useState<AlertExclusion | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [snooze, setSnooze] = useState('24h');
  const [kind, setKind] = useState('user');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  // Triage is an investigator's: a viewer was shown buttons that could only answer "needs investigator".
  const may = useMay();
  const canSetStatus = may('POST /api/alerts/:id/status');
  const canSnooze = may('POST /api/alerts/:id/snooze');
  const canExclude = may('POST /api/alerts/:id/exclude');
  useEscape(onClose);

  const act = async <T,>(c: ApiCall<T>, done?: (answer: T) => void): Promise<void> => {
    setBusy(true);
    setActionError(null);
    setExcluded(null);
    try {
      const answer = await send(c);
      done?.(answer);
      setReload((n) => n + 1);
      onChanged();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };
  const setStatus = (status: AlertStatus) => void act(api.setAlertStatus(id, { status }, scope));

  if (!data)
    return (
      <aside className="detail alert-detail">
        <ErrorNote error={error} />
      </aside>
    );
  const a = data.alert;
  return (
    <aside className="detail alert-detail" aria-label="Alert">
      <div className="detail-head">
        <span className={`badge sev-${a.severity}`}>{a.severity}</span>
        <span className={`status st-${a.status}`}>{statusLabel(a.status)}</span>
        <span className="spacer" />
        <button type="button" className="small" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
      <h2>{a.title}</h2>
      <table className="kv">
        <tbody>
          <tr>
            <td className="key">Alert</td>
            <td className="mono">{a.id}</td>
          </tr>
          <tr>
            <td className="key">Rule</td>
            <td>
              {data.rule ? `${data.rule.title} ` : null}
              <span className="mono">{a.ruleId}</span>
            </td>
          </tr>
          <tr>
            <td className="key">Tenant</td>
            <td>{visible(a.tenantName ?? a.tenant)}</td>
          </tr>
          {a.groupKey ? (
            <tr>
              <td className="key">Group</td>
              <td>{visible(a.groupKey)}</td>
            </tr>
          ) : null}
          <tr>
            <td className="key">Seen</td>
            <td>
              {fmtTime(a.firstSeen)} – {fmtTime(a.lastSeen)} {timeZone()}
            </td>
          </tr>
          <tr>
            <td className="key">Hits</td>
            <td>
              {countOf(a.hits, 'hit')}, {countOf(a.recordTotal, 'record')}
            </td>
          </tr>
          {a.statusBy ? (
            <tr>
              <td className="key">Status by</td>
              <td>
                {a.statusBy} at {fmtTime(a.statusAt)} {timeZone()}
              </td>
            </tr>
          ) : null}
          {a.snoozedUntil ? (
            <tr>
              <td className="key">Snoozed</td>
              <td>
                until {fmtTime(a.snoozedUntil)} {timeZone()}
              </td>
            </tr>
          ) : null}
          {Object.entries(a.facts).map(([k, v]) => (
            <tr key={k}>
              <td className="key">{visible(k)}</td>
              <td>{visible(String(v))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canSetStatus ? (
        <div className="alert-actions">
          <button
            type="button"
            className="primary"
            disabled={busy || a.status !== 'new'}
            onClick={() => setStatus('acknowledged')}
          >
            Acknowledge
          </button>
          <button type="button" disabled={busy || a.status === 'resolved'} onClick={() => setStatus('resolved')}>
            Resolve
          </button>
          <button
            type="button"
            disabled={busy || a.status === 'false_positive'}
            onClick={() => setStatus('false_positive')}
          >
            False positive
          </button>
        </div>
      ) : null}
      {canSnooze ? (
        <form
          className="alert-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(api.snoozeAlert(id, { until: snooze }, scope));
          }}
        >
          <label>
            Snooze for <input name="snooze" value={snooze} onChange={(e) => setSnooze(e.target.value)} size={8} />
          </label>
          <button type="submit" disabled={busy}>
            Snooze
          </button>
        </form>
      ) : null}
      {canExclude ? (
        <form
          className="alert-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(api.excludeFromAlert(id, { kind, value, reason }, scope), (r) => {
              setExcluded(r.exclusion);
              setValue('');
              setReason('');
            });
          }}
        >
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)} aria-label="Exclude what">
            <option value="user">user</option>
            <option value="address">address / CIDR</option>
            <option value="application">application</option>
          </select>
          <input
            name="value"
            aria-label="Value to exclude"
            placeholder={exampleValue(kind, data.exclusionValues)}
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
          <input
            name="reason"
            aria-label="Reason"
            placeholder="reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Exclude
          </button>
        </form>
      ) : null}
      {!canSetStatus && !canSnooze && !canExclude ? (
        <p className="muted" role="note">
          Acknowledging, resolving, snoozing and excluding need the investigator role.
        </p>
      ) : null}
      <ErrorNote error={actionError} />
      {excluded ? (
        <p className="notice-ok" role="status">
          Excluded {excluded.kind} {visible(excluded.value)} from this rule
          {excluded.tenant === '*' ? ' in every tenant' : ` in ${visible(a.tenantName ?? a.tenant)}`}.
        </p>
      ) : null}
      <Exclusions rows={(exclusions.data?.exclusions ?? []).filter((x) => x.ruleId === a.ruleId || x.ruleId === '*')} />
      {data.rule?.runbook ? (
        <>
          <h3>Runbook</h3>
          <div className="runbook">
            {runbookParagraphs(data.rule.runbook).map((p, i) => (
              <p key={i}>{p}</p>
            ))}
          </div>
        </>
      ) : null}
      {data.recordsWithheld ? (
        <>
          <h3>Records ({fmtCount(a.recordTotal)})</h3>
          <p className="muted records-withheld">
            The records behind an alert are shown to investigators: your role reads the alert, not the records.
          </p>
        </>
      ) : (
        <>
          <h3>
            Records ({fmtCount(data.records.length)} of {fmtCount(a.recordTotal)}){' '}
            <span className="zone">times in {timeZone()}</span>
          </h3>
          <table className="nv alert-records">
            <tbody>
              {data.records.map((r) => (
                <tr
                  key={r.id}
                  className="clickable"
                  tabIndex={0}
                  aria-expanded={open === r.id}
                  onClick={() => setOpen(open === r.id ? null : r.id)}
                  onKeyDown={(e) => {
                    // Keyboard users open a record as the mouse does (the row was reachable by mouse only).
                    if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
                    e.preventDefault();
                    setOpen(open === r.id ? null : r.id);
                  }}
                >
                  <td className="mono when">{fmtTime(r.creationTime).slice(5)}</td>
                  <td>
                    {visible(r.operation)}
                    <div className="sub">{visible(`${r.userId ?? ''} ${r.clientIp ?? ''}`)}</div>
                    {open === r.id ? <JsonView value={r.auditData} /> : null}
                  </td>
                </tr>
              ))}
              {data.missing.map((m) => (
                <tr key={m}>
                  <td colSpan={2} className="muted">
                    {m} (no longer stored)
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>
        History <span className="zone">times in {timeZone()}</span>
      </h3>
      <ul className="history">
        {data.history.map((h, i) => (
          <li key={i}>
            <span className="mono">{fmtTime(h.at)}</span> {h.actor}:{' '}
            {h.action === 'status' ? `${statusLabel(h.from!)} → ${statusLabel(h.to!)}` : h.action}
            {h.note ? <span className="muted"> — {localTimes(visible(h.note))}</span> : null}
          </li>
        ))}
      </ul>
    </aside>
  );
}

/** The exclusions that apply to this alert's rule in its tenant: what they keep quiet, who made them and why. */
function Exclusions({ rows }: { rows: readonly AlertExclusionView[] }) {
  if (rows.length === 0) return null;
  return (
    <>
      <h3>Excluded from this rule</h3>
      <ul className="history exclusions">
        {rows.map((x) => (
          <li key={x.id}>
            {x.kind}{' '}
            {x.withheld || x.value === null ? (
              // Made by an administrator of every tenant, from any tenant's alert: its value may name another
              // tenant's user or address, so the server withholds it from an account that sees only some tenants.
              <span className="muted">(value not shown: it may name another tenant's data)</span>
            ) : (
              <span className="mono">{visible(x.value)}</span>
            )}
            {x.tenant === '*' ? ' (every tenant)' : ''}
            {x.reason === null ? '' : ` — ${visible(x.reason)}`}{' '}
            <span className="muted">
              ({visible(x.author)}, {fmtTime(x.createdAt)} {timeZone()}
              {/* An exclusion of every tenant counts the hits of every tenant: not this tenant's to show. */}
              {x.tenant === '*' || x.hits === null ? '' : `; ${countOf(x.hits, 'hit')} kept quiet`})
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** What a value of each kind looks like, for an alert whose facts name none; short, so the narrow field shows it whole. */
const KIND_EXAMPLES: Record<string, string> = {
  user: 'name@contoso.com',
  address: 'IP or CIDR',
  application: 'application id',
};

/**
 * The Exclude field's example: the alert's own value of the kind chosen, as the API gives it (the fallbacks between
 * fact names are the detections' rules, not the console's), else what such a value looks like.
 */
export function exampleValue(kind: string, values: AlertDetail['exclusionValues']): string {
  return values[kind as keyof typeof values] ?? KIND_EXAMPLES[kind] ?? 'value';
}
