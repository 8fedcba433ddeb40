import { useEffect, useState } from 'react';
import { api, files, send, type ConsoleAuditEntry } from '../api.js';
import { EmptyState } from '../components/EmptyState.js';
import { downloadChecked } from '../components/download.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { detailLines, fmtCount, fmtTime, visible } from '../format.js';
import { timeZone } from '../timezone.js';

/** Entries a page of the trail holds (the API's default); a full page may have older ones behind it. */
const PAGE = 200;
/** How long typing in a filter must pause before the trail is asked again. */
const TYPING_PAUSE_MS = 350;

/**
 * The console's own audit trail (admins): who did what, when, from where; exportable, never editable. Newest
 * first, a page at a time: the page showed the newest 200 and no way past them (a few hours of a busy team).
 */
export function AuditPage({ params }: { params: URLSearchParams }) {
  const [actor, setActor] = useState(params.get('actor') ?? '');
  const [action, setAction] = useState(params.get('action') ?? '');
  const [entries, setEntries] = useState<ConsoleAuditEntry[] | null>(null);
  /** Whether the last page was full: older entries may follow. */
  const [more, setMore] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  // The filters as typed, applied once typing pauses: every key asked the server for a page (and was recorded).
  const [applied, setApplied] = useState({ actor, action });
  useEffect(() => {
    if (applied.actor === actor && applied.action === action) return;
    const timer = setTimeout(() => setApplied({ actor, action }), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [actor, action]);
  const query = {
    ...(applied.actor.trim() ? { actor: applied.actor.trim() } : {}),
    ...(applied.action.trim() ? { action: applied.action.trim() } : {}),
  };
  const key = files.auditExport(query, 'json').url;
  useEffect(() => {
    const controller = new AbortController();
    send(api.auditTrail({ ...query, limit: PAGE }), controller.signal)
      .then((r) => {
        setEntries(r.entries);
        setMore(r.entries.length === PAGE);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
    // query is a new object on every render; the export URL names the same filters.
  }, [key]);
  const older = (): void => {
    const oldest = entries?.[entries.length - 1];
    if (!oldest) return;
    setLoadingOlder(true);
    send(api.auditTrail({ ...query, limit: PAGE, before: oldest.seq }))
      .then((r) => {
        // Only if the filters are still the ones this page was asked with.
        if (files.auditExport(query, 'json').url !== key) return;
        setEntries((shown) => [...(shown ?? []), ...r.entries]);
        setMore(r.entries.length === PAGE);
        setError(null);
      })
      .catch(setError)
      .finally(() => setLoadingOlder(false));
  };
  return (
    <section className="audit-page">
      <h1>Console audit trail</h1>
      <div className="audit-filters">
        <label>
          User <input name="actor" value={actor} onChange={(e) => setActor(e.target.value)} />
        </label>
        <label>
          Action <input name="action" value={action} onChange={(e) => setAction(e.target.value)} />
        </label>
        <a href={files.auditExport(query, 'csv').url} download onClick={(e) => downloadChecked(e, setExportError)}>
          Export CSV
        </a>{' '}
        <a href={files.auditExport(query, 'json').url} download onClick={(e) => downloadChecked(e, setExportError)}>
          Export JSON
        </a>
      </div>
      <ErrorNote error={error ?? exportError} />
      {entries && entries.length === 0 ? (
        <EmptyState title="No entries">
          {query.actor || query.action
            ? 'No entry of the trail matches. The user is matched by the whole name (in any case), the action exactly (such as signin or user.add).'
            : 'Nothing has been recorded yet: sign-ins, searches, exports and changes appear here as people make them.'}
        </EmptyState>
      ) : null}
      {entries && entries.length > 0 ? (
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
      {entries && entries.length > 0 ? (
        <p className="muted audit-more">
          {fmtCount(entries.length)} {entries.length === 1 ? 'entry' : 'entries'}, newest first
          {more ? (
            <>
              {' · '}
              <button type="button" className="small" onClick={older} disabled={loadingOlder}>
                {loadingOlder ? 'Loading…' : `Show ${PAGE} older`}
              </button>
            </>
          ) : (
            ': the whole trail for these filters'
          )}
        </p>
      ) : null}
    </section>
  );
}
