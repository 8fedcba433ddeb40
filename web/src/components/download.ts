import type { MouseEvent } from 'react';
import { api, send } from '../api.js';

/**
 * An export link's click: the session is tried first (GET /api, the cheapest route that needs one; /api/auth/me
 * answers signed out without the reason), then the file is fetched by the browser as a
 * plain link would, streamed to disk (an export can be far larger than a page should hold in memory). A plain link
 * whose session had ended was only a failed download in the browser's list ("Failed – No file"), with nothing on
 * the page: refused, the caller shows why (and a 401 brings back the sign-in form, with its reason).
 */
export function downloadChecked(e: MouseEvent<HTMLAnchorElement>, onError: (error: unknown) => void): void {
  e.preventDefault();
  const href = e.currentTarget.href;
  send(api.index()).then(
    () => {
      onError(null);
      // A new link, outside the page: its click reaches none of the page's handlers, only the browser's download.
      const a = document.createElement('a');
      a.href = href;
      a.download = '';
      a.click();
    },
    (error: unknown) => onError(error),
  );
}
