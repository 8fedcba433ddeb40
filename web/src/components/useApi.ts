import { useEffect, useState } from 'react';
import { isAbort, send, type ApiCall } from '../api.js';

export interface ApiState<T> {
  /**
   * The answer to this call; or, with keepPrevious while it loads, to the call before it: data shown while
   * `loading` is the previous answer (a list dims it and takes no clicks).
   */
  data: T | null;
  error: unknown;
  loading: boolean;
}

/**
 * Sends an API call when it changes (method, URL, body); the older request is aborted. Until the new
 * call answers, `data` is null: the answer to another call (another tenant's posture, the record clicked
 * before) is not shown under this one. `keepPrevious` keeps it meanwhile (while `loading`), for a list whose
 * filter changed (no flicker); a reload (`reloadKey`) of the same call keeps its data either way.
 */
export function useApi<T>(
  call: ApiCall<T> | null,
  reloadKey = 0,
  options: { keepPrevious?: boolean } = {},
): ApiState<T> {
  const key = call === null ? null : `${call.method} ${call.url} ${JSON.stringify(call.body ?? null)}`;
  const [state, setState] = useState<{ key: string | null; data: T | null; error: unknown; loading: boolean }>({
    key,
    data: null,
    error: null,
    loading: call !== null,
  });
  useEffect(() => {
    if (call === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    send(call, controller.signal).then(
      (data) => setState({ key, data, error: null, loading: false }),
      (error: unknown) => {
        if (!isAbort(error)) setState({ key, data: null, error, loading: false });
      },
    );
    return () => controller.abort();
    // The call is a new object on every render; its key says whether it is a new request.
  }, [key, reloadKey]);
  // Until the effect above has run for a new call, the state is the previous call's.
  if (state.key === key) return { data: state.data, error: state.error, loading: state.loading };
  return { data: options.keepPrevious === true ? state.data : null, error: null, loading: call !== null };
}
