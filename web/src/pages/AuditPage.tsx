import { useEffect, useState } from 'react';
import { getJson, toQueryString } from '../api.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { fmtTime } from '../format.js';
import { timeZone } from '../timezone.js';

interface Entry {
  seq: number;
  at: number;
  actor: string;
  via: string;
  address: string | null;
  action: string;
  outcome: string;
  target: string | null;
  details: Record<string, unknown>;
}

/** The console's own audit trail (admins): who did what, when, from where; exportable, never editable. */
export function AuditPage({ params }: { params: URLSearchParams }) {
  const [actor, setActor] = useState(params.get('actor') ?? '');
  const [action, setAction] = useState(params.get('action') ?? '');
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const query = toQueryString({ actor, action });
  useEffect(() => {
    const controller = new AbortController();
    getJson<{ entries: Entry[] }>(`/api/audit?${query}`, controller.signal)
      .then((r) => {
        setEntries(r.entries);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [query]);
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
        <a href={`/api/audit/export?format=csv&${query}`} download>
          Export CSV
        </a>{' '}
        <a href={`/api/audit/export?format=json&${query}`} download>
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
                <td>{e.target ?? ''}</td>
                <td>
                  <code>{JSON.stringify(e.details)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
