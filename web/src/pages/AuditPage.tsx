import { useEffect, useState } from 'react';
import { api, files, send, type ConsoleAuditEntry } from '../api.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { detailLines, fmtTime, visible } from '../format.js';
import { timeZone } from '../timezone.js';

/** The console's own audit trail (admins): who did what, when, from where; exportable, never editable. */
export function AuditPage({ params }: { params: URLSearchParams }) {
  const [actor, setActor] = useState(params.get('actor') ?? '');
  const [action, setAction] = useState(params.get('action') ?? '');
  const [entries, setEntries] = useState<ConsoleAuditEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const query = {
    ...(actor.trim() ? { actor: actor.trim() } : {}),
    ...(action.trim() ? { action: action.trim() } : {}),
  };
  const key = files.auditExport(query, 'json').url;
  useEffect(() => {
    const controller = new AbortController();
    send(api.auditTrail(query), controller.signal)
      .then((r) => {
        setEntries(r.entries);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
    // query is a new object on every render; the export URL names the same filters.
  }, [key]);
  return (
    <section className="audit-page">
      <h2>Console audit trail</h2>
      <div className="audit-filters">
        <label>
          User <input name="actor" value={actor} onChange={(e) => setActor(e.target.value)} />
        </label>
        <label>
          Action <input name="action" value={action} onChange={(e) => setAction(e.target.value)} />
        </label>
        <a href={files.auditExport(query, 'csv').url} download>
          Export CSV
        </a>{' '}
        <a href={files.auditExport(query, 'json').url} download>
          Export JSON
        </a>
      </div>
      <ErrorNote error={error} />
      {entries ? (
        <table className="audit-table">
          <thead>
            <tr>
              <th>When ({timeZone()})</th>
              <th>User</th>
              <th>From</th>
              <th>Action</th>
              <th>Outcome</th>
              <th>Target</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} className={`outcome-${e.outcome}`}>
                <td>{fmtTime(e.at)}</td>
                <td>
                  {e.actor} <small>({e.via})</small>
                </td>
                <td>{e.address ?? ''}</td>
                <td>{e.action}</td>
                <td>{e.outcome}</td>
                <td>{visible(e.target ?? '')}</td>
                <td className="audit-details" title={JSON.stringify(e.details)}>
                  {detailLines(e.details).map((l) => (
                    <div key={l}>{l}</div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
