import { useMemo } from 'react';
import { api } from '../api.js';
import { useApi } from './useApi.js';

/** Operation (lower case) → Purview's friendly activity name ("FileAccessed" → "Accessed file"). */
export type FriendlyNames = ReadonlyMap<string, string>;

/** The catalogue's friendly names, so tables read like Purview while the raw operation stays on hover. */
export function useFriendlyNames(): FriendlyNames {
  const { data } = useApi(api.activities());
  return useMemo(() => {
    const m = new Map<string, string>();
    for (const c of data?.categories ?? [])
      for (const a of c.activities)
        if (a.friendly && !m.has(a.operation.toLowerCase())) m.set(a.operation.toLowerCase(), a.friendly);
    return m;
  }, [data]);
}
