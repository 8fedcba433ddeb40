import { useMemo, useState } from 'react';
import { api, searchFromUrl, toQueryString, type RecordSummary } from '../api.js';
import { ColumnChooser } from '../components/ColumnChooser.js';
import { COLUMNS, DEFAULT_COLUMNS } from '../components/columns.js';
import { DetailPane } from '../components/DetailPane.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { EmptyState } from '../components/EmptyState.js';
import { ExportButtons } from '../components/ExportButtons.js';
import { ResultNotices, auditingLines, coveredTenants } from '../components/ResultNotices.js';
import { ResultsTable } from '../components/ResultsTable.js';
import { SavedSearches } from '../components/SavedSearches.js';
import { SearchForm, filtersFrom, filtersToParams, type Filters } from '../components/SearchForm.js';
import { Timeline } from '../components/Timeline.js';
import { useApi } from '../components/useApi.js';
import { useFriendlyNames } from '../components/useFriendlyNames.js';
import { useSearch } from '../components/useSearch.js';
import { fmtCount } from '../format.js';
import { navigate } from '../route.js';

function loadColumns(): (keyof RecordSummary)[] {
  try {
    const saved = JSON.parse(localStorage.getItem('tw.columns') ?? 'null') as unknown;
    if (Array.isArray(saved) && saved.length) return COLUMNS.map((c) => c.key).filter((k) => saved.includes(k));
  } catch {
    /* a bad saved value falls back to the defaults */
  }
  return DEFAULT_COLUMNS;
}

/**
 * Purview's audit search without its caps. The URL hash holds the query: submitting the form
 * changes the URL, and the URL drives the search, so a link reproduces a search exactly.
 */
export function SearchPage({ params }: { params: URLSearchParams }) {
  const queryString = params.toString();
  const parsed = useMemo(() => searchFromUrl(new URLSearchParams(queryString)), [queryString]);
  const hasQuery = parsed.filters !== null;
  const search = useSearch(parsed.filters);
  const [selected, setSelected] = useState<{ index: number; row: RecordSummary } | null>(null);
  const [shown, setShown] = useState(loadColumns);
  const [exportError, setExportError] = useState<unknown>(null);
  const columns = useMemo(() => COLUMNS.filter((c) => shown.includes(c.key)), [shown]);
  // Asked for once the first page is in: on a large store the tenant overview must not delay it. The one
  // before stays meanwhile (the tenant picker keeps its choices while a search runs).
  const overview = useApi(search.loading ? null : api.tenants(), 0, { keepPrevious: true });
  const tenants = overview.data?.tenants;
  const tenantNames = useMemo(() => new Map((tenants ?? []).map((t) => [t.tenantId, t.name])), [tenants]);
  const friendly = useFriendlyNames();
  const covered = useMemo(() => coveredTenants(tenants ?? [], parsed.filters?.tenant), [tenants, parsed.filters]);
  const empty = hasQuery && search.done && search.rows.length === 0 && !search.loading;
  // A search the server refused (or that failed) has no result to show: its error says so, and placeholder
  // rows under it read as "still loading" for ever.
  const failed = search.error !== null && search.rows.length === 0 && !search.loading;
  // Everything this result will show has arrived (rows, count, notices, timeline, the tenants' auditing
  // facts), so nothing above the rows moves any more: said on the page for people's tools and the tests.
  const settled =
    hasQuery &&
    !search.loading &&
    (search.error !== null ||
      (search.count !== null &&
        (search.timeline !== null || empty) &&
        (tenants !== undefined || overview.error !== null)));
  const submit = (f: Filters): void => {
    setSelected(null);
    navigate('search', toQueryString(filtersToParams(f)));
  };
  const changeColumns = (keys: (keyof RecordSummary)[]): void => {
    setShown(keys);
    localStorage.setItem('tw.columns', JSON.stringify(keys));
  };
  return (
    <section className="page search-page" data-settled={settled ? queryString : undefined}>
      {/* Named for screen readers and the outline; the form says what the page is to the eye. */}
      <h1 className="visually-hidden">Search</h1>
      <SearchForm
        key={queryString}
        initial={filtersFrom(params)}
        onSearch={submit}
        busy={search.loading}
        tenants={tenants ?? []}
      />
      <SavedSearches current={hasQuery ? queryString : null} />
      <ErrorNote error={parsed.error ?? search.error} />
      <div className="result-bar">
        <span className="count" aria-live="polite">
          {failed ? (
            'No result: see the error above'
          ) : hasQuery ? (
            <>
              <strong>{fmtCount(search.count)}</strong> matches
              {search.count !== null ? ` · ${fmtCount(search.rows.length)} loaded` : ''}
            </>
          ) : (
            'Choose filters and press Search (Enter)'
          )}
        </span>
        <span className="spacer" />
        <ColumnChooser shown={shown} onChange={changeColumns} />
        {parsed.filters ? (
          <ExportButtons filters={parsed.filters} count={search.count} covered={covered} onError={setExportError} />
        ) : null}
      </div>
      <ErrorNote error={exportError} />
      {hasQuery ? <ResultNotices tenants={covered} notices={search.notices} /> : null}
      {/* Its height is kept while a search loads (no jump when the bars come); before any search, or with
          nothing found, there is no timeline to keep room for. */}
      {hasQuery && !empty && !failed ? (
        <div className="timeline-slot">
          {search.timeline ? (
            <Timeline
              rows={search.timeline.rows}
              bucket={search.timeline.bucket}
              start={search.timeline.start}
              end={search.timeline.end}
              onZoom={(from, to) => {
                const next = new URLSearchParams(queryString);
                next.set('start', new Date(from).toISOString().replace('.000Z', 'Z'));
                next.set('end', new Date(to).toISOString().replace('.000Z', 'Z'));
                setSelected(null);
                navigate('search', next.toString());
              }}
            />
          ) : null}
        </div>
      ) : null}
      <div className={selected ? 'split with-detail' : 'split'}>
        {!hasQuery ? (
          <EmptyState title="No search yet">
            Choose a period and any filters above, then press <strong>Search</strong>. Recent and saved searches are
            under the form.
          </EmptyState>
        ) : failed ? null : empty ? (
          <EmptyState title="No records match">
            Nothing stored matches these filters in this period.{' '}
            {auditingLines(covered).some((l) => l.nothing)
              ? 'Some tenants searched record nothing (see above): an empty result there does not mean nothing happened.'
              : 'Widen the period or remove a filter.'}
          </EmptyState>
        ) : (
          <ResultsTable
            rows={search.rows}
            total={search.count}
            complete={search.done}
            columns={columns}
            selected={selected?.index ?? null}
            onSelect={(index, row) => setSelected({ index, row })}
            onNeed={search.loadMore}
            tenantNames={tenantNames}
            friendly={friendly}
          />
        )}
        {selected ? (
          <DetailPane
            tenant={selected.row.tenant}
            id={selected.row.id}
            onClose={() => setSelected(null)}
            tenantName={tenantNames.get(selected.row.tenant)}
            {...(parsed.filters ? { period: { start: parsed.filters.start, end: parsed.filters.end ?? 'now' } } : {})}
          />
        ) : null}
      </div>
    </section>
  );
}
