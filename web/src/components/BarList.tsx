import { fmtCount, visible } from '../format.js';

/** Horizontal bars (SVG-free, plain boxes): a chart that reads well for top-N counts. */
export function BarList({ title, rows }: { title: string; rows: { key: string; count: number }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <div className="barlist">
      <h4>{title}</h4>
      {rows.slice(0, 12).map((r) => (
        <div key={r.key} className="barrow" title={`${visible(r.key)}: ${fmtCount(r.count)}`}>
          <span className="barlabel">{visible(r.key)}</span>
          <span className="barbox">
            <span className="barfill" style={{ width: `${(r.count / max) * 100}%` }} />
          </span>
          <span className="num">{fmtCount(r.count)}</span>
        </div>
      ))}
    </div>
  );
}

/** Reads a summary entry as count rows: [{key,count}], [{name,count}] or {key: count}. */
export function asCountRows(v: unknown): { key: string; count: number }[] | null {
  if (Array.isArray(v)) {
    const rows = v
      .filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object')
      .map((x) => {
        const count = Number(x.count ?? x.value ?? x.n);
        const key = x.key ?? x.name ?? x.label ?? x.user ?? x.operation ?? x.workload ?? x.day;
        return {
          key: typeof key === 'number' && key > 1e11 ? new Date(key).toISOString().slice(0, 10) : String(key),
          count,
        };
      })
      .filter((r) => Number.isFinite(r.count));
    return rows.length ? rows : null;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, c]) => typeof c === 'number');
    if (entries.length && entries.length === Object.keys(v).length)
      return entries.map(([key, count]) => ({ key, count: count as number })).sort((a, b) => b.count - a.count);
  }
  return null;
}
