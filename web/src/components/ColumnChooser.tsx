import { COLUMNS, columnLabel } from './columns.js';
import type { RecordSummary } from '../api.js';

export function ColumnChooser({
  shown,
  onChange,
}: {
  shown: (keyof RecordSummary)[];
  onChange: (keys: (keyof RecordSummary)[]) => void;
}) {
  return (
    <details className="dropdown">
      <summary className="small">Columns</summary>
      <div className="dropdown-panel">
        {COLUMNS.map((c) => (
          <label key={c.key}>
            <input
              type="checkbox"
              checked={shown.includes(c.key)}
              onChange={(e) =>
                onChange(
                  e.target.checked
                    ? COLUMNS.map((x) => x.key).filter((k) => k === c.key || shown.includes(k))
                    : shown.filter((k) => k !== c.key),
                )
              }
            />{' '}
            {columnLabel(c)}
          </label>
        ))}
      </div>
    </details>
  );
}
