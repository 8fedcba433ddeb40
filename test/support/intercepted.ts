import { Readable } from 'node:stream';
import type { CollectTenant } from '../../src/collector/collect.js';
import type { HttpRequest, HttpResponse } from '../../src/net/types.js';

/*
 * Tenants wired to the emulator whose requests a test answers itself, each fault a line: a listing that fails, blob
 * fetches that fail or are watched, a listing that shows its blobs late (test/collector-horizon-shift.test.ts).
 */

/** `base`, whose requests go through `answer`, given a way to pass them on to the emulator. */
export function intercepted(
  base: CollectTenant,
  answer: (req: HttpRequest, pass: () => Promise<HttpResponse>) => Promise<HttpResponse>,
): CollectTenant {
  return {
    ...base,
    connect() {
      const c = base.connect();
      return { ...c, http: { request: (req) => answer(req, () => c.http.request(req)) } };
    },
  };
}

const AF50000 = '{"error":{"code":"AF50000","message":"An internal error occurred. Retry the request."}}';

/** An emulated answer: `status`, with a JSON `body`. */
export function response(status: number, body: string, headers: HttpResponse['headers'] = {}): HttpResponse {
  return {
    status,
    headers: { ...headers, 'content-type': 'application/json' },
    body: Readable.from([body]),
    text: async () => body,
    json: async () => JSON.parse(body) as unknown,
  };
}

const isListing = (req: HttpRequest): boolean => new URL(req.url).pathname.endsWith('/subscriptions/content');

/** `base`, whose content listings answer 503 (every other request goes through to the emulator). */
export function listingFails(base: CollectTenant): CollectTenant {
  return intercepted(base, async (req, pass) => (isListing(req) ? response(503, AF50000) : pass()));
}

/** The contentId of the blob a request fetches, or null when it fetches none. */
function blobOf(req: HttpRequest): string | null {
  const path = new URL(req.url).pathname;
  return path.includes('/activity/feed/audit/') ? path.split('/').pop()! : null;
}

/** `base`, whose fetches of the blobs `fails` picks (by contentId) answer 503. */
export function blobsFail(base: CollectTenant, fails: (contentId: string) => boolean): CollectTenant {
  return intercepted(base, async (req, pass) => {
    const id = blobOf(req);
    return id !== null && fails(id) ? response(503, AF50000) : pass();
  });
}

/** `base`, whose blob fetches go in `fetched` (by contentId) once answered, each then told to `then`. */
export function blobsSeen(
  base: CollectTenant,
  fetched: string[],
  then: (contentId: string) => void = () => {},
): CollectTenant {
  return intercepted(base, async (req, pass) => {
    const res = await pass();
    const id = blobOf(req);
    if (id !== null) {
      fetched.push(id);
      then(id);
    }
    return res;
  });
}

/** `base`, whose listings show only their first blob (a service listing the rest late): the ids left out go in `hidden`. */
export function listsLate(base: CollectTenant, hidden: Set<string>): CollectTenant {
  return intercepted(base, async (req, pass) => {
    const res = await pass();
    if (!isListing(req) || res.status !== 200) return res;
    const items = (await res.json()) as { contentId: string; contentCreated: string }[];
    const [shown, ...late] = items.sort((a, b) => Date.parse(a.contentCreated) - Date.parse(b.contentCreated));
    for (const i of late) hidden.add(i.contentId);
    return response(200, JSON.stringify(shown ? [shown] : []), res.headers);
  });
}
