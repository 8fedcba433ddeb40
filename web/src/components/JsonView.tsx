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
  if (typeof v === 'string') return <span className="str">{v}</span>;
  return <span className="lit">{typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)}</span>;
}

export function JsonView({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (value === null || typeof value !== 'object') return <Scalar v={value} />;
  if (isNameValueArray(value)) {
    const changes = value.some((x) => 'NewValue' in x || 'OldValue' in x);
    return (
      <table className="nv">
        <thead>
          <tr>
            <th>Name</th>
            {changes ? (
              <>
                <th>Old value</th>
                <th>New value</th>
              </>
            ) : (
              <th>Value</th>
            )}
          </tr>
        </thead>
        <tbody>
          {value.map((x, i) => (
            <tr key={i}>
              <td className="key">{String(x.Name)}</td>
              {changes ? (
                <>
                  <td>
                    <JsonView value={x.OldValue ?? null} depth={depth + 1} />
                  </td>
                  <td>
                    <JsonView value={x.NewValue ?? null} depth={depth + 1} />
                  </td>
                </>
              ) : (
                <td>
                  <JsonView value={x.Value ?? null} depth={depth + 1} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="null">[]</span>;
    if (value.every((x) => x === null || typeof x !== 'object'))
      return <span className="str">{value.map(String).join(', ')}</span>;
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
        {entries.map(([k, v]) => (
          <tr key={k}>
            <td className="key">{k}</td>
            <td>
              <JsonView value={v} depth={depth + 1} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
