import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FriendlyNames } from './useFriendlyNames.js';
import { cellText, columnLabel, columnWidth, sortRows, type Column, type TenantNames } from './columns.js';
import { useTimeZone } from '../timezone.js';
import { visible } from '../format.js';
import type { RecordSummary } from '../api.js';

const ROW = 24;

interface Props {
  rows: RecordSummary[];
  /** Exact number of matches (null while counting): the scroll height is reserved for all of them. */
  total: number | null;
  complete: boolean;
  columns: Column[];
  selected: number | null;
  onSelect: (index: number, row: RecordSummary) => void;
  onNeed: (upTo: number) => void;
  tenantNames?: TenantNames;
  /** Friendly activity names shown instead of operations (the raw operation on hover). */
  friendly?: FriendlyNames;
}

type Sort = { key: keyof RecordSummary; dir: 1 | -1 } | null;

/**
 * A virtualized table: only the visible rows exist in the DOM, every row is 24 px, and the full
 * height of the exact count is reserved at once, so a million matches scroll smoothly and nothing
 * jumps while pages stream in. Rows not loaded yet show as placeholders and are fetched on approach.
 * Sorting by a column needs every row, so it is offered once all matches are loaded.
 */
export function ResultsTable({
  rows,
  total,
  complete,
  columns: given,
  selected,
  onSelect,
  onNeed,
  tenantNames,
  friendly,
}: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  // Widths follow the headings, which name the chosen time zone.
  const zone = useTimeZone();
  const columns = useMemo(() => given.map((c) => ({ ...c, width: columnWidth(c) })), [given, zone]);
  const [sort, setSort] = useState<Sort>(null);
  const view = useMemo(() => {
    if (!sort || !complete) return rows;
    return sortRows(rows, sort.key, sort.dir, tenantNames ?? new Map(), friendly ?? new Map());
  }, [rows, sort, complete, tenantNames, friendly]);
  const count = Math.max(total ?? 0, rows.length + (complete ? 0 : 1));
  const virtual = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 15,
  });
  const items = virtual.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1]!.index : 0;
  useEffect(() => {
    if (!complete && lastIndex >= rows.length - 200) onNeed(lastIndex);
  }, [lastIndex, rows.length, complete, onNeed]);
  useEffect(() => {
    if (selected !== null) virtual.scrollToIndex(selected, { align: 'auto' });
  }, [selected, virtual]);
  const width = columns.reduce((n, c) => n + c.width, 0);

  const onKey = (e: React.KeyboardEvent): void => {
    const at = selected ?? -1;
    const move = (to: number): void => {
      e.preventDefault();
      const i = Math.max(0, Math.min(view.length - 1, to));
      if (view[i]) onSelect(i, view[i]);
    };
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'PageDown') move(at + 20);
    else if (e.key === 'PageUp') move(at - 20);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(view.length - 1);
  };
  const toggleSort = (key: keyof RecordSummary): void => {
    if (!complete) return;
    setSort((s) => (s?.key === key ? (s.dir === 1 ? { key, dir: -1 } : null) : { key, dir: 1 }));
  };

  return (
    <div
      className="results"
      ref={scroller}
      tabIndex={0}
      onKeyDown={onKey}
      role="grid"
      aria-rowcount={count}
      aria-label="Search results (arrow keys move, detail opens on the right)"
    >
      <div className="thead" style={{ width }} role="row">
        {columns.map((c) => (
          <div
            key={c.key}
            className="th"
            style={{ width: c.width }}
            role="columnheader"
            // A heading sorts from the keyboard too (Enter or Space): only a mouse could sort.
            tabIndex={0}
            aria-sort={sort?.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}
            onClick={() => toggleSort(c.key)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter' && e.key !== ' ') return;
              e.preventDefault();
              e.stopPropagation();
              toggleSort(c.key);
            }}
            title={`${columnLabel(c)}: ${
              complete
                ? 'sort by this column'
                : 'sorting is available once every match is loaded; results are newest first'
            }`}
          >
            {columnLabel(c)}
            {sort?.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
          </div>
        ))}
      </div>
      <div style={{ height: virtual.getTotalSize(), width, position: 'relative' }}>
        {items.map((item) => {
          const r = view[item.index];
          return (
            <div
              key={item.key}
              role="row"
              aria-rowindex={item.index + 1}
              aria-selected={item.index === selected}
              className={`tr${item.index === selected ? ' selected' : ''}${item.index % 2 ? ' odd' : ''}`}
              style={{ transform: `translateY(${item.start}px)`, height: ROW }}
              onClick={() => r && onSelect(item.index, r)}
            >
              {columns.map((c) => (
                <div
                  key={c.key}
                  className="td"
                  style={{ width: c.width }}
                  role="gridcell"
                  title={
                    r
                      ? c.key === 'operation'
                        ? `Operation: ${visible(r.operation)}`
                        : cellText(c, r, tenantNames)
                      : ''
                  }
                >
                  {r ? (
                    c.key === 'operation' ? (
                      (friendly?.get(r.operation.toLowerCase()) ?? visible(r.operation))
                    ) : (
                      cellText(c, r, tenantNames)
                    )
                  ) : (
                    <span className="placeholder" />
                  )}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
