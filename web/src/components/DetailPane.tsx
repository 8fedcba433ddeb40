import { useState } from 'react';
import { ErrorNote } from './ErrorNote.js';
import { JsonView } from './JsonView.js';
import { Pivots } from './Pivots.js';
import { useApi } from './useApi.js';
import { useEscape } from './useEscape.js';
import { fmtTime, visible } from '../format.js';
import { useTimeZone } from '../timezone.js';
import { api } from '../api.js';

/** The full record: derived columns on top, the original AuditData below (readable or raw). */
export function DetailPane({
  tenant,
  id,
  onClose,
  period,
  tenantName,
}: {
  tenant: string;
  id: string;
  onClose: () => void;
  /** The period pivots search over (the current search's); none = no pivots (e.g. a report row). */
  period?: { start: string; end: string };
  tenantName?: string;
}) {
  const { data, error, loading } = useApi(api.record(tenant, id));
  const [raw, setRaw] = useState(false);
  const zone = useTimeZone();
  useEscape(onClose);
  return (
    <aside className="detail" aria-label="Record detail">
      <div className="detail-head">
        <strong>{data ? visible(data.operation) : 'Record'}</strong>
        <span className="muted" data-testid="detail-time">
          {data ? `${fmtTime(data.creationTime)} ${zone}` : ''}
        </span>
        <span className="spacer" />
        <label className="small">
          <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} /> raw JSON
        </label>
        <button type="button" className="small" onClick={onClose} aria-label="Close detail">
          ✕
        </button>
      </div>
      <ErrorNote error={error} />
      {loading && !data ? <p className="muted">Loading…</p> : null}
      {data ? (
        <div className="detail-body">
          {period ? <Pivots record={data} period={period} tenantName={tenantName} /> : null}
          <table className="kv summary">
            <tbody>
              {(
                [
                  'id',
                  'tenant',
                  'recordTypeName',
                  'workload',
                  'userId',
                  'clientIp',
                  'objectId',
                  'resultStatus',
                  'outcome',
                  'source',
                ] as const
              ).map((k) => (
                <tr key={k}>
                  <td className="key">{k}</td>
                  <td className="mono" title={k === 'tenant' ? data.tenant : undefined}>
                    {k === 'tenant' && tenantName ? (
                      visible(tenantName)
                    ) : data[k] === null ? (
                      <span className="muted">—</span>
                    ) : data[k] === '' ? (
                      <span className="muted">(empty)</span>
                    ) : (
                      visible(String(data[k]))
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>AuditData</h3>
          {raw ? (
            <pre className="raw">{visible(JSON.stringify(data.auditData, null, 2))}</pre>
          ) : (
            <JsonView value={data.auditData} />
          )}
        </div>
      ) : null}
    </aside>
  );
}
