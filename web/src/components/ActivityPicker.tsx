import { useMemo, useState } from 'react';
import { api } from '../api.js';
import { useApi } from './useApi.js';

interface Props {
  selected: string[];
  onChange: (operations: string[]) => void;
}

/**
 * Activities by friendly name, grouped by category as in Purview's picker; the search gets the exact
 * operation names. Operations typed by hand (any cmdlet can be an operation) stay selectable too.
 */
export function ActivityPicker({ selected, onChange }: Props) {
  const { data } = useApi(api.activities());
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const [openGroups, setOpenGroups] = useState<Set<string>>(new Set());
  const toggleGroup = (category: string): void =>
    setOpenGroups((prev) => {
      const next = new Set(prev);
      if (next.has(category)) next.delete(category);
      else next.add(category);
      return next;
    });
  const friendly = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of data?.categories ?? [])
      for (const a of c.activities)
        if (a.friendly && !m.has(a.operation.toLowerCase())) m.set(a.operation.toLowerCase(), a.friendly);
    return m;
  }, [data]);
  const groups = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return (data?.categories ?? [])
      .map((c) => ({
        category: c.category,
        activities: c.activities.filter(
          (a) =>
            !f ||
            a.friendly.toLowerCase().includes(f) ||
            a.operation.toLowerCase().includes(f) ||
            c.category.toLowerCase().includes(f),
        ),
      }))
      .filter((c) => c.activities.length > 0);
  }, [data, filter]);
  const has = (op: string): boolean => selected.some((s) => s.toLowerCase() === op.toLowerCase());
  const toggle = (op: string): void =>
    onChange(has(op) ? selected.filter((s) => s.toLowerCase() !== op.toLowerCase()) : [...selected, op]);
  const addTyped = (): void => {
    const v = filter.trim();
    if (v && !has(v)) onChange([...selected, v]);
    setFilter('');
  };
  return (
    <div className="picker">
      <div className="chips">
        {selected.map((op) => (
          <span key={op} className="chip" title={op}>
            {friendly.get(op.toLowerCase()) ?? op}
            <button type="button" aria-label={`Remove ${op}`} onClick={() => toggle(op)}>
              ×
            </button>
          </span>
        ))}
        <button type="button" className="small" aria-expanded={open} onClick={() => setOpen(!open)}>
          {selected.length ? 'Change…' : 'Choose activities…'}
        </button>
      </div>
      {open ? (
        <div className="picker-panel" role="dialog" aria-label="Activities">
          <input
            autoFocus
            placeholder="Filter activities, or type an operation and press Enter"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addTyped();
              }
              if (e.key === 'Escape') {
                e.preventDefault();
                setOpen(false);
              }
            }}
          />
          <div className="picker-groups" role="list">
            {groups.map((g) => {
              const expanded = filter.trim() !== '' || openGroups.has(g.category);
              const chosen = g.activities.filter((a) => has(a.operation)).length;
              return (
                <section key={g.category} className="picker-group" role="listitem">
                  <button
                    type="button"
                    className="picker-group-head"
                    aria-expanded={expanded}
                    onClick={() => toggleGroup(g.category)}
                  >
                    <span className="caret">{expanded ? '▾' : '▸'}</span> {g.category}
                    <span className="muted">
                      {' '}
                      {chosen ? `${chosen} of ` : ''}
                      {g.activities.length}
                    </span>
                  </button>
                  {expanded ? (
                    <div className="picker-items">
                      {g.activities.map((a) => (
                        <label key={a.operation + (a.workload ?? '')} title={`Operation: ${a.operation}`}>
                          <input type="checkbox" checked={has(a.operation)} onChange={() => toggle(a.operation)} />{' '}
                          {a.friendly || a.operation}
                        </label>
                      ))}
                    </div>
                  ) : null}
                </section>
              );
            })}
            {groups.length === 0 ? (
              <p className="muted">No activity matches; press Enter to search for the operation “{filter}” as typed.</p>
            ) : null}
          </div>
          <div className="picker-foot">
            <button type="button" onClick={() => onChange([])}>
              Clear
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
