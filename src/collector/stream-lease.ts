import { DEFAULT_TIMEOUT_MS } from '../net/http.js';

/**
 * How a stream's lease (`collect/<tenant>/<content type>`, `collect --lease`) relates to the requests made under it.
 * A request renews nothing while it is in flight, and one Management Activity API request may take up to net/http's
 * whole-request timeout (the client asks no other): a lease shorter than that ran out mid-request, and another
 * collector could take the stream while this one was still fetching. The stream was renewed only before each window
 * and each blob, at most every third of the term, not before the listing's pages nor a retry's attempts: a request
 * that started just before a renewal was due ran on two thirds of the term.
 *
 * So the lease is renewed right before every request goes out (after its turn in the tenant's budget and its token)
 * whenever less than one request's timeout is left of it, or a third of the term has passed; and `collect --lease`
 * refuses a term shorter than one request's timeout. A request then always starts with at least its timeout left of
 * the lease. That includes the request the bearer client sends again after a 401 with a new token, within the same
 * attempt: the stream's client renews before each send (ManagementActivityClient.beforeEachSend), not only before
 * each attempt, which let the second request run on what the first and the sign-in had left (ADR 0006).
 */

/** The longest one Management Activity API request may take (net/http's whole-request timeout, 120 s). */
export const STREAM_REQUEST_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;

/** The shortest `collect --lease`: one request's timeout (2 minutes, the default term). */
export const MIN_STREAM_LEASE_MS = STREAM_REQUEST_TIMEOUT_MS;

/** True when the lease, last renewed `sinceRenewalMs` ago, is to be renewed before the next request. */
export function streamRenewalDue(sinceRenewalMs: number, leaseMs: number): boolean {
  return sinceRenewalMs >= Math.min(leaseMs / 3, leaseMs - STREAM_REQUEST_TIMEOUT_MS);
}
