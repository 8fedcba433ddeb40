import { useEffect, useState } from 'react';
import { isAbort, send, type ApiCall } from '../api.js';

/** Sends an API call when it changes (method, URL, body); the older request is aborted. */
export function useApi<T>(
  call: ApiCall<T> | null,
  reloadKey = 0,
): { data: T | null; error: unknown; loading: boolean } {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: call !== null,
  });
  const key = call === null ? null : `${call.method} ${call.url} ${JSON.stringify(call.body ?? null)}`;
  useEffect(() => {
    if (call === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    send(call, controller.signal).then(
      (data) => setState({ data, error: null, loading: false }),
      (error: unknown) => {
        if (!isAbort(error)) setState({ data: null, error, loading: false });
      },
    );
    return () => controller.abort();
    // The call is a new object on every render; its key says whether it is a new request.
  }, [key, reloadKey]);
  return state;
}
