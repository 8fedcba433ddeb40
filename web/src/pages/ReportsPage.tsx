import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  api,
  files,
  isAbort,
  saveFile,
  send,
  type FilterNotice,
  type JsonSchema,
  type ReportResult,
  type ReportRow,
  type ReportSummary,
} from '../api.js';
import { BarList, asCountRows } from '../components/BarList.js';
import { EmptyState } from '../components/EmptyState.js';
import { ResultNotices, auditingLines, coveredTenants } from '../components/ResultNotices.js';
import { DetailPane } from '../components/DetailPane.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { ReportForm, fieldLabel } from '../components/ReportForm.js';
import { useApi } from '../components/useApi.js';
import { fmtCell, fmtCount, fmtTime } from '../format.js';
import { UTC, timeZone } from '../timezone.js';
import { forConsole, splitDescription } from '../report-text.js';

/** An instant as the API writes it (ISO 8601 with Z or an offset): shown in the chosen zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const isInstant = (v: unknown): v is string => typeof v === 'string' && INSTANT.test(v);

function cellText(column: string, value: unknown, names: ReadonlyMap<string, string>): string {
  if (column === 'tenant') return names.get(String(value)) ?? fmtCell(value);
  return isInstant(value) ? fmtTime(value) : fmtCell(value);
}

function columnsOf(rows: readonly ReportRow[]): string[] {
  const keys = new Set<string>();
  for (const r of rows.slice(0, 200)) for (const k of Object.keys(r)) keys.add(k);
  return [...keys];
}

/** Totals as people name them: the report's keys ("roleSource", "workload:SharePoint") were shown as they are. */
const TOTAL_LABELS: Record<string, string> = {
  roleSource: 'role holders from',
  holders: 'role holders',
};

export function totalLabel(key: string): string {
  if (TOTAL_LABELS[key]) return TOTAL_LABELS[key];
  if (key.startsWith('workload:')) return key.slice('workload:'.length);
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** A report's notes: its totals named …Notes, each a ' | '-separated list of sentences. */
export function reportNotes(summary: ReportSummary): string[] {
  return Object.entries(summary.totals ?? {}).flatMap(([key, value]) =>
    key.endsWith('Notes') && typeof value === 'string' ? value.split(' | ') : [],
  );
}

function Summary({ summary, names }: { summary: ReportSummary; names: ReadonlyMap<string, string> }) {
  const charts: [string, { key: string; count: number }[]][] = [];
  const totals: [string, unknown][] = [];
  for (const [k, v] of Object.entries(summary)) {
    if (k === 'totals' && v && typeof v === 'object' && !Array.isArray(v)) {
      // Notes are sentences, shown with the result's notices (reportNotes), not as figures.
      totals.push(...Object.entries(v as Record<string, unknown>).filter(([key]) => !key.endsWith('Notes')));
      continue;
    }
    const rows = asCountRows(v);
    if (rows)
      charts.push([
        // The server counts days in UTC, whatever zone the console shows.
        k === 'byDay' && timeZone() !== UTC ? 'by UTC day' : k.replace(/^by/, 'by '),
        k === 'byTenant' ? rows.map((r) => ({ ...r, key: names.get(r.key) ?? r.key })) : rows,
      ]);
    else if (v === null || typeof v !== 'object') totals.push([k, v]);
  }
  return (
    <div className="summary">
      {totals.length ? (
        <div className="totals">
          {totals.map(([k, v]) => (
            <div key={k} className="total">
              <div className="num big">{typeof v === 'number' ? fmtCount(v) : fmtCell(v)}</div>
              <div className="sub">{totalLabel(k)}</div>
            </div>
          ))}
        </div>
      ) : null}
      <div className="charts">
        {charts.map(([k, rows]) => (
          <BarList key={k} title={k} rows={rows} />
        ))}
      </div>
    </div>
  );
}

interface Run {
  id: string;
  params: Record<string, unknown>;
  result: (ReportResult & { notices?: FilterNotice[] }) | null;
  error: unknown;
  busy: boolean;
  /** Which run of this page it is: an answer is shown only while its run is still the latest asked for. */
  seq: number;
}

/** The investigations: pick one, fill its parameters, read the result as a table and charts. */
export function ReportsPage({ params }: { params: URLSearchParams }) {
  const list = useApi(api.reports());
  const tenants = useApi(api.tenants()).data?.tenants;
  const names = useMemo(() => new Map((tenants ?? []).map((t) => [t.tenantId, t.name])), [tenants]);
  const id = params.get('id') ?? list.data?.reports[0]?.id ?? null;
  const info = list.data?.reports.find((r) => r.id === id);
  const [run, setRun] = useState<Run | null>(null);
  const runs = useRef(0);
  const [exporting, setExporting] = useState<{ error: unknown; busy: boolean }>({ error: null, busy: false });
  const [detail, setDetail] = useState<{ tenant: string; id: string } | null>(null);
  const result = run?.id === id ? run.result : null;
  // Rows in time order (oldest first), as an investigator reads a story; rows without a time keep their place.
  // In time order already: the engine gives rows that are moments oldest first (reports/engine.ts inTimeOrder).
  const rows = useMemo(() => result?.rows ?? [], [result]);
  const columns = useMemo(() => columnsOf(rows), [rows]);
  const timeColumns = useMemo(() => new Set(columns.filter((c) => rows.some((r) => isInstant(r[c])))), [columns, rows]);
  const covered = useMemo(() => {
    const asked = result?.parameters.tenant;
    return coveredTenants(tenants ?? [], Array.isArray(asked) ? asked.map(String) : undefined);
  }, [tenants, result]);
  const nothing = auditingLines(covered).some((l) => l.nothing);
  const execute = (p: Record<string, unknown>): void => {
    if (!id) return;
    const seq = ++runs.current;
    setRun({ id, params: p, result: null, error: null, busy: true, seq });
    setExporting({ error: null, busy: false });
    // An earlier run that answers after a later one was asked for must not replace it (runs are not cancelled).
    const settle = (next: Run): void => setRun((current) => (current?.seq === seq ? next : current));
    send(api.runReport(id, p)).then(
      (r) => settle({ id, params: p, result: r, error: null, busy: false, seq }),
      (error: unknown) => !isAbort(error) && settle({ id, params: p, result: null, error, busy: false, seq }),
    );
  };
  // The server writes the file (the CLI's writer, reports/export.ts): it runs the report again with the same parameters.
  const exportAs = (format: 'csv' | 'json'): void => {
    if (!run || !result) return;
    setExporting({ error: null, busy: true });
    saveFile(files.reportExport(run.id, run.params, format)).then(
      () => setExporting({ error: null, busy: false }),
      (error: unknown) => setExporting({ error, busy: false }),
    );
  };
  return (
    <section className="page reports-page">
      <nav className="report-list" aria-label="Reports">
        <h1>Reports</h1>
        <ErrorNote error={list.error} />
        {list.data?.reports.map((r) => (
          <a
            key={r.id}
            href={`#/reports?id=${encodeURIComponent(r.id)}`}
            className={r.id === id ? 'report-item active' : 'report-item'}
            data-report={r.id}
          >
            {r.title}
          </a>
        ))}
      </nav>
      <div className="report-main">
        {list.data && id !== null && !info ? (
          // A link to a report this server does not have (an old or mistyped link) said nothing at all.
          <EmptyState title={`No report is named "${id.slice(0, 100)}"`}>
            Choose one of the reports on the left.
          </EmptyState>
        ) : null}
        {info ? (
          <>
            <h2>{info.title}</h2>
            <Description text={info.description} schema={info.parameters} />
            <ReportForm
              key={info.id}
              schema={info.parameters}
              onRun={execute}
              busy={run?.busy === true && run.id === id}
            />
          </>
        ) : null}
        {run?.id === id ? <ErrorNote error={run.error} /> : null}
        {result ? (
          <>
            <div className="result-bar">
              <strong>{fmtCount(result.rows.length)}</strong>&nbsp;rows
              <span className="spacer" />
              <button
                type="button"
                className="small"
                disabled={exporting.busy || rows.length === 0}
                onClick={() => exportAs('csv')}
              >
                Export CSV
              </button>
              <button
                type="button"
                className="small"
                disabled={exporting.busy || rows.length === 0}
                onClick={() => exportAs('json')}
              >
                Export JSON
              </button>
            </div>
            <ErrorNote error={exporting.error} />
            <ResultNotices tenants={covered} notices={result.notices ?? []} notes={reportNotes(result.summary)} />
            {rows.length === 0 ? (
              <EmptyState title={nothing ? 'No rows — not proof that nothing happened' : 'No findings'}>
                {nothing
                  ? 'A tenant this report covers records nothing (see above): its activity cannot appear here.'
                  : 'Nothing in the records stored for this period matches what this report looks for.'}
              </EmptyState>
            ) : null}
            <Summary summary={result.summary} names={names} />
            <div className="report-rows">
              <table className="grid">
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th key={c}>{timeColumns.has(c) ? `${c} (${timeZone()})` : c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.slice(0, 2000).map((r, i) => {
                    // Only a row of one record opens it. A row of many (sign-ins per user and address) took the
                    // focus and showed a pointer, and a click or Enter did nothing.
                    const record =
                      typeof r.id === 'string' && typeof r.tenant === 'string' ? { tenant: r.tenant, id: r.id } : null;
                    const opens = record
                      ? {
                          tabIndex: 0,
                          className: 'clickable',
                          onClick: () => setDetail(record),
                          onKeyDown: (e: KeyboardEvent) => e.key === 'Enter' && setDetail(record),
                        }
                      : {};
                    return (
                      <tr key={i} {...opens}>
                        {columns.map((c) => (
                          <td key={c} title={fmtCell(r[c])}>
                            {cellText(c, r[c], names)}
                          </td>
                        ))}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {result.rows.length > 2000 ? (
                <p className="muted">Showing the first 2,000 rows; export has all {fmtCount(result.rows.length)}.</p>
              ) : null}
            </div>
          </>
        ) : null}
        {detail ? <DetailPane tenant={detail.tenant} id={detail.id} onClose={() => setDetail(null)} /> : null}
        {!info && list.data && list.data.reports.length === 0 ? <p className="muted">No reports available.</p> : null}
      </div>
    </section>
  );
}

/** A report's description: its first sentence, the rest on opening, fields named as the form names them. */
function Description({ text, schema }: { text: string; schema: JsonSchema | undefined }) {
  const { summary, rest } = splitDescription(forConsole(text, (name) => fieldLabel(schema, name)));
  if (!rest) return <p className="description">{summary}</p>;
  return (
    <details className="description">
      <summary>{summary}</summary>
      {rest}
    </details>
  );
}
