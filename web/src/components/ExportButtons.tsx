import { useEffect, useRef, useState } from 'react';
import { files, type SearchFilters, type TenantOverview } from '../api.js';
import { downloadChecked } from './download.js';
import { auditingLines } from './ResultNotices.js';
import { useEscape } from './useEscape.js';

/**
 * The search's exports. Disabled while there is nothing to export (a 0-row file helps nobody). When a tenant
 * the search covers records nothing or misses mailbox actions, a dialog says so before the download: a CSV
 * file cannot carry that note itself (the server sends it in the X-Tenantwatch-Notice header and the JSON
 * export's envelope). The dialog takes the focus on its Download (Enter downloads) and Escape cancels it.
 */
export function ExportButtons({
  filters,
  count,
  covered,
  onError,
}: {
  filters: SearchFilters;
  count: number | null;
  covered: readonly TenantOverview[];
  /** Why an export could not start (null once one does): shown by the page, under its result bar. */
  onError: (error: unknown) => void;
}) {
  const [pending, setPending] = useState<'csv' | 'json' | null>(null);
  const lines = auditingLines(covered);
  const nothing = count === 0;
  useEscape(pending ? () => setPending(null) : null);
  const download = useRef<HTMLAnchorElement>(null);
  // (React's autoFocus focuses form controls only, not a link.)
  useEffect(() => {
    if (pending) download.current?.focus();
  }, [pending]);
  const button = (format: 'csv' | 'json') =>
    nothing ? (
      <button type="button" className="small" disabled title="Nothing to export: no record matches">
        Export {format.toUpperCase()}
      </button>
    ) : (
      <a
        className="button small"
        href={files.searchExport(filters, format).url}
        download
        onClick={(e) => {
          if (lines.length && pending !== format) {
            e.preventDefault();
            setPending(format);
          } else downloadChecked(e, onError);
        }}
      >
        Export {format.toUpperCase()}
      </a>
    );
  return (
    <>
      <span className="muted small export-zone" title="Exported files keep every time in UTC, ISO 8601 (ending in Z)">
        files in UTC
      </span>
      {button('csv')}
      {button('json')}
      {pending ? (
        <div className="export-dialog" role="dialog" aria-label="Before you export">
          <p>
            <strong>This export covers tenants whose audit trail is incomplete.</strong> The file itself cannot say so
            {pending === 'json' ? ' except in its envelope' : ''}: keep this note with it.
          </p>
          <ul>
            {lines.map((l) => (
              <li key={l.tenant}>
                <strong>{l.tenant}</strong>: {l.text}
              </li>
            ))}
          </ul>
          <div className="picker-foot">
            <button type="button" onClick={() => setPending(null)}>
              Cancel
            </button>
            <a
              className="button primary"
              href={files.searchExport(filters, pending).url}
              download
              ref={download}
              onClick={(e) => {
                setPending(null);
                downloadChecked(e, onError);
              }}
            >
              Download {pending.toUpperCase()}
            </a>
          </div>
        </div>
      ) : null}
    </>
  );
}
