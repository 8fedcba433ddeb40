import type { ContentType } from '../core/record.js';
import type { BearerClient } from '../net/bearer.js';
import type { Outcome } from '../net/retry.js';
import type { HttpResponse } from '../net/types.js';
import { classifyFailure, type ApiFailure } from './management-errors.js';
import { bearerFor } from './session.js';
import type { TenantConnection } from './types.js';

/**
 * The Office 365 Management Activity API (spec §2) as small steps, each returning what to do next:
 * ensure a subscription, list one page of content for a window, fetch one blob. The collector's loop
 * owns waiting, budgets and retries; each step's answer is decided by a pure function
 * (`startOutcome`, `contentPage`) that a test feeds a canned response, no network.
 */
export interface ContentItem {
  contentType: string;
  contentId: string;
  contentUri: string;
  /** Epoch ms. */
  contentCreated: number;
  contentExpiration: number | null;
}

/** A subscription as /subscriptions/list shows it (§2.4); `webhook` is null until validated. */
export interface SubscriptionView {
  contentType: string;
  status: string;
  webhook?: { status: string; address: string; authId?: string | null } | null;
}

/** The webhook a subscription should notify (§2.2): a public HTTPS address and the authId echoed back. */
export interface WebhookRequest {
  address: string;
  authId: string;
}

/** One step's answer: a value, or a failure in the Management API's shape for the retry loop to classify. */
export type Step<T> = Outcome<T, ApiFailure>;

export interface ContentPage {
  items: ContentItem[];
  /** NextPageUri (or NextPageUrl, any casing, §2.5); null on the last page. */
  next: string | null;
}

/** `YYYY-MM-DDTHH:MM:SS`, the documented UTC format (§2.5); windows are planned on whole seconds. */
export function apiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** A start answer: 200 enabled, or AF20024 "already enabled" (§2.2, success), else a failure. */
export function startOutcome(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
): Step<'enabled'> {
  if (status === 200) return { ok: true, value: 'enabled' };
  const failure = classifyFailure(status, text, headers, 'Starting the subscription');
  return failure.disposition === 'success' ? { ok: true, value: 'enabled' } : { ok: false, failure };
}

/** One listing page: the items (bad ones dropped, counted by the caller) and the next page, if any. */
export function contentPage(
  status: number,
  text: string,
  headers: Record<string, string | undefined>,
): Step<ContentPage> {
  if (status !== 200) return { ok: false, failure: classifyFailure(status, text, headers, 'Listing content') };
  let body: unknown;
  try {
    body = text.trim() ? JSON.parse(text) : [];
  } catch {
    return { ok: false, failure: classifyFailure(502, text, headers, 'Listing content (the body was not JSON)') };
  }
  if (!Array.isArray(body))
    return { ok: false, failure: classifyFailure(502, text, headers, 'Listing content (the body was not an array)') };
  const items: ContentItem[] = [];
  for (const raw of body) {
    const item = toContentItem(raw);
    if (item) items.push(item);
  }
  const next = headers['nextpageuri'] ?? headers['nextpageurl'] ?? null;
  return { ok: true, value: { items, next: next && next.trim() ? next.trim() : null } };
}

function toContentItem(raw: unknown): ContentItem | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const created =
    typeof r.contentCreated === 'string'
      ? Date.parse(
          r.contentCreated.endsWith('Z') || /[+-]\d\d:\d\d$/.test(r.contentCreated)
            ? r.contentCreated
            : `${r.contentCreated}Z`,
        )
      : NaN;
  if (typeof r.contentId !== 'string' || typeof r.contentUri !== 'string' || !Number.isFinite(created)) return null;
  const expiration = typeof r.contentExpiration === 'string' ? Date.parse(r.contentExpiration) : NaN;
  return {
    contentType: typeof r.contentType === 'string' ? r.contentType : '',
    contentId: r.contentId,
    contentUri: r.contentUri,
    contentCreated: created,
    contentExpiration: Number.isFinite(expiration) ? expiration : null,
  };
}

export class ManagementActivityClient {
  private readonly bearer: BearerClient;

  constructor(private readonly conn: TenantConnection) {
    this.bearer = bearerFor(conn, 'management');
  }

  get base(): string {
    return this.conn.endpoints.management;
  }

  /**
   * This client with `beforeSend` awaited right before each request goes out, after its token is in hand: the first
   * try, and the one the bearer client sends again after a 401 with a new token (two requests within one attempt).
   * A stream renews its lease there (collector/stream-lease.ts); what `beforeSend` throws ends the call unsent.
   */
  beforeEachSend(beforeSend: () => Promise<void>): ManagementActivityClient {
    const { http } = this.conn;
    return new ManagementActivityClient({
      ...this.conn,
      http: {
        request: async (request) => {
          await beforeSend();
          return http.request(request);
        },
      },
    });
  }

  /** Whether the tenant's token may be sent to `uri` (the Management API's scheme, host and port). */
  accepts(uri: string): boolean {
    return this.bearer.accepts(uri);
  }

  /** `…/activity/feed/{path}` with PublisherIdentifier added (every call, §2.1). */
  url(path: string, params: Record<string, string> = {}): string {
    const u = new URL(`${this.base}/api/v1.0/${this.conn.tenantId}/activity/feed/${path}`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return this.withPublisher(u.toString());
  }

  withPublisher(url: string): string {
    if (!this.conn.publisherId || !URL.canParse(url)) return url;
    const u = new URL(url);
    if (!u.searchParams.has('PublisherIdentifier')) u.searchParams.set('PublisherIdentifier', this.conn.publisherId);
    return u.toString();
  }

  /**
   * Starts (or, with a webhook, updates and re-enables, §2.2) a subscription. With a webhook the service
   * first POSTs a validation request to its address, which must answer 200 (AF20021 otherwise).
   */
  async startSubscription(
    contentType: ContentType,
    signal?: AbortSignal,
    webhook?: WebhookRequest,
  ): Promise<Step<'enabled'>> {
    const body = webhook
      ? JSON.stringify({ webhook: { address: webhook.address, authId: webhook.authId, expiration: '' } })
      : '';
    const res = await this.call('POST', this.url('subscriptions/start', { contentType }), signal, body);
    return startOutcome(res.status, await res.text(), res.headers);
  }

  async listSubscriptions(signal?: AbortSignal): Promise<Step<SubscriptionView[]>> {
    const res = await this.call('GET', this.url('subscriptions/list'), signal);
    const text = await res.text();
    if (res.status !== 200)
      return { ok: false, failure: classifyFailure(res.status, text, res.headers, 'Listing subscriptions') };
    const body = JSON.parse(text) as unknown;
    return { ok: true, value: Array.isArray(body) ? (body as SubscriptionView[]) : [] };
  }

  /** The first page of a window, or the page a NextPageUri names (same host only). */
  async listContent(
    target: { contentType: ContentType; start: number; end: number } | { next: string },
    signal?: AbortSignal,
  ): Promise<Step<ContentPage>> {
    let url: string;
    // A foreign NextPageUri is refused by the bearer client (REFUSED_URL): the token never goes there.
    if ('next' in target) url = this.withPublisher(target.next);
    else {
      url = this.url('subscriptions/content', {
        contentType: target.contentType,
        startTime: apiTime(target.start),
        endTime: apiTime(target.end),
      });
    }
    const res = await this.call('GET', url, signal);
    return contentPage(res.status, await res.text(), res.headers);
  }

  /** GET a blob; 200 gives the streamed response (read it once), anything else a failure; a foreign contentUri is refused. */
  async fetchBlob(contentUri: string, signal?: AbortSignal): Promise<Step<HttpResponse>> {
    const res = await this.call('GET', this.withPublisher(contentUri), signal);
    if (res.status === 200) return { ok: true, value: res };
    return {
      ok: false,
      failure: classifyFailure(res.status, await res.text(), res.headers, 'Fetching a content blob'),
    };
  }

  /** One authorized request: the bearer client checks the URL, attaches the token, renews it once on 401. */
  private call(method: 'GET' | 'POST', url: string, signal?: AbortSignal, body = ''): Promise<HttpResponse> {
    return this.bearer.request({
      method,
      url,
      ...(method === 'POST' ? { body } : {}),
      ...(body ? { headers: { 'content-type': 'application/json; charset=utf-8' } } : {}),
      ...(signal ? { signal } : {}),
    });
  }
}
