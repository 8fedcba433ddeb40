import { ErrorNote } from '../components/ErrorNote.js';
import { useApi } from '../components/useApi.js';
import { timeZone } from '../timezone.js';
import { countOf, fmtCount, localTimes, shortTimes } from '../format.js';
import { api, type StreamCoverage } from '../api.js';

/** A strip from the stream's first window to its last, gaps drawn in red where they fall. */
function Strip({ s }: { s: StreamCoverage }) {
  if (s.from === null || s.to === null || s.to <= s.from) return null;
  const span = s.to - s.from;
  return (
    <svg className="strip" viewBox="0 0 200 10" preserveAspectRatio="none" aria-hidden="true">
      <rect x="0" y="0" width="200" height="10" className="strip-ok" />
      {s.gaps.map((g, i) => (
        <rect
          key={i}
          x={((g.start - s.from!) / span) * 200}
          y="0"
          width={Math.max(1, ((g.end - g.start) / span) * 200)}
          height="10"
          className={g.state === 'not collectable' ? 'strip-uncollectable' : 'strip-gap'}
        />
      ))}
    </svg>
  );
}

/** The coverage ledger per tenant and content type: what was collected, and every gap. */
export function CoveragePage({ params }: { params: URLSearchParams }) {
  const tenant = params.get('tenant') ?? '';
  const { data, error, loading } = useApi(api.coverage(tenant || undefined));
  // "11-18 00:00", with the year when the ledger's times are not all in one.
  const short = shortTimes(
    (data?.streams ?? []).flatMap((s) => [
      s.from,
      s.to,
      s.checkpoint,
      ...s.gaps.flatMap((g) => [g.start, g.end]),
      ...s.filled.flatMap((g) => [g.start, g.end]),
    ]),
  );
  return (
    <section className="page">
      <h1>Coverage {tenant ? <span className="muted">— {tenant}</span> : null}</h1>
      <p className="muted">
        Each content type of each tenant: the windows the collector planned, what it fetched, and the stretches not
        proven collected (gaps, in red; in grey the time no one could collect, which passed the 7-day horizon while a
        new subscription awaited its first content).
      </p>
      <ErrorNote error={error} />
      {/* Before the ledger came, the page showed its heading and nothing else, as a ledger of no stream would. */}
      {loading && !data ? <p className="muted">Loading…</p> : null}
      {data && data.streams.length === 0 && !data.tenants.some((t) => t.auditing.note) ? (
        <p className="muted">
          Nothing collected yet: run <code>tenantwatch collect</code>.
        </p>
      ) : null}
      {data
        ? data.tenants
            .filter((t) => t.auditing.note || t.streams === 0)
            .map((t) => (
              <div key={t.tenant} className="error" data-tenant={t.name}>
                <strong>{t.name}:</strong>{' '}
                {t.auditing.note
                  ? localTimes(t.auditing.note)
                  : 'no content type collected: collection has not run for this tenant.'}
              </div>
            ))
        : null}
      {data && data.streams.length > 0 ? (
        <table className="grid coverage">
          <thead>
            <tr>
              <th>Tenant</th>
              <th>Stream</th>
              <th>Covered (from → to, {timeZone()})</th>
              <th>Checkpoint</th>
              <th className="num">Windows</th>
              <th className="num">Fetched</th>
              <th className="num">Failed</th>
              <th className="num">Expired</th>
              <th className="num">Blobs</th>
              <th
                className="num stored"
                title="Records this stream stored. Microsoft delivers some records more than once (in several blobs, or again in a later one); a copy of a record already stored is counted under it as a duplicate, never stored twice."
              >
                Records stored
              </th>
              <th>Gaps</th>
            </tr>
          </thead>
          <tbody>
            {data.streams.map((s) => (
              <tr key={s.tenant + s.stream} className={s.gaps.length ? 'has-gaps' : undefined}>
                <td>{s.name}</td>
                <td className="mono">{s.stream}</td>
                <td>
                  <Strip s={s} />
                  <div className="sub mono">
                    {short(s.from)} → {short(s.to)}
                  </div>
                </td>
                <td className="mono">{short(s.checkpoint)}</td>
                <td className="num">{fmtCount(s.windows)}</td>
                <td className="num">{fmtCount(s.fetched)}</td>
                <td className="num">{s.failed ? fmtCount(s.failed) : ''}</td>
                <td className="num">{s.expired ? fmtCount(s.expired) : ''}</td>
                <td className="num">{fmtCount(s.blobs)}</td>
                <td className="num stored">
                  {fmtCount(s.newRecords)}
                  {s.records > s.newRecords ? (
                    <div
                      className="sub"
                      title={`${fmtCount(s.records)} records delivered; ${fmtCount(s.records - s.newRecords)} were copies of records already stored, so they were not stored again`}
                    >
                      + {countOf(s.records - s.newRecords, 'duplicate')}
                    </div>
                  ) : null}
                  {/* A bare 0 read as a failure: say that the windows were listed and held nothing. */}
                  {s.records === 0 && s.windows > 0 && s.fetched === s.windows ? (
                    <div className="sub" title="Every window of this stream was listed and held no content">
                      none listed
                    </div>
                  ) : null}
                </td>
                <td className="gaps">
                  {s.gaps.length === 0 ? <span className="ok-text">none</span> : null}
                  {s.gaps.map((g, i) => (
                    <div key={i} className="gap" title={g.reason}>
                      {short(g.start)} → {short(g.end)}{' '}
                      <span className={g.state === 'not collectable' ? 'badge unknown' : 'badge failing'}>
                        {g.state}
                      </span>
                      <span className="sub"> {g.reason}</span>
                    </div>
                  ))}
                  {s.filled.length ? (
                    <div className="sub" title={s.filled.map((g) => `${short(g.start)} → ${short(g.end)}`).join(', ')}>
                      {s.filled.length} filled by a later history fill (
                      {[...new Set(s.filled.map((g) => g.filledBy))].join(', ')})
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
