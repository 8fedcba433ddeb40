import { useEffect, useState } from 'react';

/**
 * The console routes on the URL hash (`#/search?user=…`), so a search is a link that can be shared
 * and the server needs no knowledge of client routes.
 */
export interface Route {
  page: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [page = '', query = ''] = text.split('?', 2);
  return { page: page || 'tenants', params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(page: string, query = ''): void {
  window.location.hash = `#/${page}${query ? '?' + query : ''}`;
}
