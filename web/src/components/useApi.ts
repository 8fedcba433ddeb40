import { useEffect, useState } from 'react';
import { getJson, isAbort } from '../api.js';

/** GETs a JSON resource when the path changes; the older request is aborted. */
export function useApi<T>(path: string | null, reloadKey = 0): { data: T | null; error: unknown; loading: boolean } {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    getJson<T>(path, controller.signal).then(
      (data) => setState({ data, error: null, loading: false }),
      (error: unknown) => {
        if (!isAbort(error)) setState({ data: null, error, loading: false });
      },
    );
    return () => controller.abort();
  }, [path, reloadKey]);
  return state;
}
