import { visible } from '../format.js';

/**
 * A record's AuditData made readable: objects as key/value tables, and the Name/Value arrays
 * Microsoft nests everywhere (Parameters, ExtendedProperties, ModifiedProperties …) as two-column
 * tables instead of JSON soup.
 */
function isNameValueArray(
  v: unknown,
): v is { Name: unknown; Value?: unknown; NewValue?: unknown; OldValue?: unknown }[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && 'Name' in x)
  );
}

function Scalar({ v }: { v: unknown }) {
  if (v === null) return <span className="null">null</span>;
  // An empty value read as a blank, as if it had not loaded: it says so.
  if (v === '') return <span className="null">(empty)</span>;
  if (typeof v === 'string') return <span className="str">{visible(v)}</span>;
  return <span className="lit">{typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)}</span>;
}

export function JsonView({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (value === null || typeof value !== 'object') return <Scalar v={value} />;
  if (isNameValueArray(value)) {
    // One block per property, its old and new values on their own full-width rows: a three-column
    // table inside a 460 px pane left one character per line for long values.
    return (
      <div className="nv">
        {value.map((x, i) => {
          const changes = 'NewValue' in x || 'OldValue' in x;
          return (
            <div className="nv-item" key={i}>
              <div className="nv-name">{visible(String(x.Name))}</div>
              {changes ? (
                <>
                  <div className="nv-row">
                    <span className="nv-label">old</span>
                    <JsonView value={x.OldValue ?? null} depth={depth + 1} />
                  </div>
                  <div className="nv-row">
                    <span className="nv-label">new</span>
                    <JsonView value={x.NewValue ?? null} depth={depth + 1} />
                  </div>
                </>
              ) : (
                <div className="nv-row">
                  <JsonView value={x.Value ?? null} depth={depth + 1} />
                </div>
              )}
            </div>
          );
        })}
      </div>
    );
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="null">[]</span>;
    if (value.every((x) => x === null || typeof x !== 'object'))
      return <span className="str">{visible(value.map(String).join(', '))}</span>;
    return (
      <ol className="arr">
        {value.map((x, i) => (
          <li key={i}>
            <JsonView value={x} depth={depth + 1} />
          </li>
        ))}
      </ol>
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return (
    <table className="kv">
      <tbody>
        {entries.map(([k, v]) =>
          v !== null &&
          typeof v === 'object' &&
          !(Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) ? (
            // Nested structures get the full width of the pane under their key.
            <tr key={k}>
              <td colSpan={2}>
                <div className="key">{visible(k)}</div>
                <div className="nested">
                  <JsonView value={v} depth={depth + 1} />
                </div>
              </td>
            </tr>
          ) : (
            <tr key={k}>
              <td className="key">{visible(k)}</td>
              <td>
                <JsonView value={v} depth={depth + 1} />
              </td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}
