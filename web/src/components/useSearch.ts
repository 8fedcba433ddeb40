import { useCallback, useEffect, useRef, useState } from 'react';
import {
  api,
  isAbort,
  send,
  toQueryString,
  type FilterNotice,
  type RecordSummary,
  type SearchFilters,
  type Timeline,
} from '../api.js';

const PAGE = 500;

export interface SearchState {
  rows: RecordSummary[];
  count: number | null;
  next: string | null;
  done: boolean;
  loading: boolean;
  error: unknown;
  timeline: Timeline | null;
  /** Filter values no record ever had, with suggestions: said next to the count (never a silent zero). */
  notices: FilterNotice[];
}

/** The state with the query it belongs to: an older query's rows are never shown under new filters. */
type Keyed = SearchState & { key: string | null };

const EMPTY: SearchState = {
  rows: [],
  count: null,
  next: null,
  done: false,
  loading: false,
  error: null,
  timeline: null,
  notices: [],
};

/**
 * One search's results: the first page first, then the exact count and the timeline (the first rows
 * never wait for the count); later pages load with the keyset cursor as the table
 * scrolls towards them. A new query aborts everything of the old one.
 */
export function useSearch(filters: SearchFilters | null): SearchState & { loadMore: (upTo: number) => void } {
  const key = filters === null ? null : toQueryString(filters);
  const [keyed, setKeyed] = useState<Keyed>({ ...EMPTY, loading: filters !== null, key });
  // Until the effect below has reset it, the state is the previous query's: answer "loading" instead of
  // showing its rows for a frame, where a click would select a record of the old result.
  const state: SearchState = keyed.key === key ? keyed : { ...EMPTY, loading: filters !== null };
  const setState = useCallback(
    (next: SearchState | ((old: SearchState) => SearchState)) =>
      setKeyed((old) => ({ ...(typeof next === 'function' ? next(old) : next), key: old.key })),
    [],
  );
  const control = useRef<AbortController | null>(null);
  const busy = useRef(false);
  const latest = useRef(state);
  latest.current = state;
  const current = useRef(filters);
  current.current = filters;

  useEffect(() => {
    control.current?.abort();
    busy.current = false;
    const query = current.current;
    if (query === null) {
      setKeyed({ ...EMPTY, key });
      return;
    }
    const c = new AbortController();
    control.current = c;
    setKeyed({ ...EMPTY, loading: true, key });
    const fail = (error: unknown): void => {
      if (!isAbort(error)) setState((s) => ({ ...s, loading: false, error }));
    };
    busy.current = true;
    // The first page goes alone: the store answers one query at a time, so the count and the
    // timeline (which read every match) are asked for only once the first rows are on screen.
    send(api.search(query, { limit: PAGE }), c.signal).then((p) => {
      busy.current = false;
      setState((s) => ({
        ...s,
        rows: p.records,
        next: p.next,
        done: p.next === null,
        loading: false,
        ...(p.next === null ? { count: p.returned } : {}),
      }));
      // Asked for even when the first page is all there is: its notices explain a small or empty result.
      send(api.searchCount(query), c.signal).then(
        (r) => setState((s) => ({ ...s, count: r.count, notices: r.notices })),
        fail,
      );
      send(api.timeline(query), c.signal).then((t) => setState((s) => ({ ...s, timeline: t })), fail);
    }, fail);
    return () => c.abort();
  }, [key]);

  const loadMore = useCallback(
    (upTo: number) => {
      const s = latest.current;
      const query = current.current;
      if (busy.current || !s.next || s.rows.length > upTo || query === null) return;
      const c = control.current;
      if (!c) return;
      busy.current = true;
      send(api.search(query, { limit: PAGE * 2, cursor: s.next }), c.signal).then(
        (p) => {
          busy.current = false;
          setState((old) => ({ ...old, rows: old.rows.concat(p.records), next: p.next, done: p.next === null }));
        },
        (error: unknown) => {
          busy.current = false;
          if (!isAbort(error)) setState((old) => ({ ...old, error }));
        },
      );
    },
    [key],
  );
  return { ...state, loadMore };
}
