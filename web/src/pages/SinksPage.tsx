import { ErrorNote } from '../components/ErrorNote.js';
import { useApi } from '../components/useApi.js';
import { api, type SinkView } from '../api.js';
import { fmtCount, fmtLag, fmtTime } from '../format.js';
import { timeZone } from '../timezone.js';

/** A sink's health in one word: stopped, failing (an error after the last delivery), behind or caught up. */
function health(s: SinkView): { label: string; className: string } {
  if (!s.enabled) return { label: 'disabled', className: 'muted' };
  const failing = s.lastErrorAt !== null && (s.lastDeliveryAt === null || s.lastErrorAt > s.lastDeliveryAt);
  if (failing) return { label: 'failing', className: 'bad' };
  if (s.lagRecords > 0) return { label: 'behind', className: 'warn' };
  return { label: 'caught up', className: 'good' };
}

/**
 * The sinks (admins): where records go next and whether they get there — kind, lag (records behind and how
 * long the oldest has waited), last delivery, dead letters, last error. Never a secret or a URL.
 */
export function SinksPage() {
  const { data, error } = useApi(api.sinks());
  return (
    <section className="page sinks-page">
      <h1>Sinks</h1>
      <p className="muted">
        Each sink reads the store in arrival order and moves its cursor only when the receiver confirmed a batch; a
        record the receiver refuses for good is a dead letter (<code>tenantwatch sink dead-letters NAME</code>).
      </p>
      <ErrorNote error={error} />
      {data && data.sinks.length === 0 ? (
        <p>
          No sink yet. Add one with <code>tenantwatch sink add NAME --type splunk|elastic|… --url URL</code>.
        </p>
      ) : null}
      {data && data.sinks.length > 0 ? (
        <table className="grid sinks-table">
          <thead>
            <tr>
              <th>Sink</th>
              <th>Kind</th>
              <th>Health</th>
              <th className="num">Lag (records)</th>
              <th>Oldest waiting</th>
              <th>Last delivery ({timeZone()})</th>
              <th className="num">Delivered</th>
              <th className="num">Dead letters</th>
              <th>Last error ({timeZone()})</th>
            </tr>
          </thead>
          <tbody>
            {data.sinks.map((s) => {
              const h = health(s);
              return (
                <tr key={s.name} data-sink={s.name}>
                  <td>
                    <strong>{s.name}</strong>
                    <br />
                    <small className="muted">
                      {s.takes}; {s.filter}
                    </small>
                  </td>
                  <td>{s.kind}</td>
                  <td className={h.className}>{h.label}</td>
                  <td className="num">{fmtCount(s.lagRecords)}</td>
                  <td>{s.lagRecords > 0 ? fmtLag(s.lagMs) : '—'}</td>
                  <td>{s.lastDeliveryAt ? fmtTime(s.lastDeliveryAt) : 'never'}</td>
                  <td className="num">{fmtCount(s.delivered)}</td>
                  <td className="num">{fmtCount(s.deadLetters)}</td>
                  <td>
                    {s.lastError ? (
                      <>
                        <span className="error-text">{s.lastError}</span>
                        <br />
                        <small className="muted">{fmtTime(s.lastErrorAt)}</small>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
