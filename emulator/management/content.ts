import { header, type EmuRequest, type Reply } from '../http.js';
import type { FaultGate } from '../faults.js';
import { stableGuid } from '../util/rand.js';
import type { World } from '../world.js';
import { parseContentId, type BlobCatalog } from './blobs.js';
import { AF, mapiJson } from './errors.js';
import { contentTypeOf, gate, isReply, type MapiCall } from './gate.js';
import { contentObject } from './webhooks.js';
import { BLOB_LIFETIME_MS, ready, visible } from './visibility.js';
import { resolveWindow, type Window } from './window.js';

/**
 * Content listing, notifications, blob retrieval and dlpSensitiveTypes (spec §2.5–2.7, 2.9; behaviours
 * 13, 17, 19–25). Listing is by contentCreated in [start, end), pages of `contentPageSize` with an
 * absolute NextPageUri (literally /api/v1/ as in the reference doc's example).
 */
const NEXT_RE = /^(\d{14})R(\d{12})$/;

function pageToken(w: Window, offset: number): string {
  return `${new Date(w.start).toISOString().replace(/[-:T]/g, '').slice(0, 14)}R${String(offset).padStart(12, '0')}`;
}

function nextPageUri(req: EmuRequest, call: MapiCall, given: string, w: Window, offset: number, what: string): string {
  const q = new URLSearchParams({
    contentType: given,
    startTime: w.startText ?? new Date(w.start).toISOString(),
    endTime: w.endText ?? new Date(w.end).toISOString(),
  });
  q.set('nextPage', pageToken(w, offset));
  if (req.url.searchParams.has('PublisherIdentifier')) q.set('PublisherIdentifier', call.publisherId);
  return `${req.base}/api/v1/${call.tenantId}/activity/feed/subscriptions/${what}?${q.toString()}`;
}

function page<T>(
  req: EmuRequest,
  w: Window,
  items: T[],
  size: number,
  repeat = false,
): { items: T[]; next: number | null } | Reply {
  const token = req.url.searchParams.get('nextPage');
  let offset = 0;
  if (token !== null) {
    const m = NEXT_RE.exec(token);
    if (!m || m[1] !== pageToken(w, 0).slice(0, 14)) return AF.nextPage(token);
    offset = Number(m[2]);
  }
  const slice = items.slice(offset, offset + size);
  const more = offset + size < items.length;
  return { items: slice, next: more ? (repeat ? offset : offset + size) : null };
}

export function contentHandlers(world: World, faults: FaultGate, blobs: BlobCatalog) {
  /** Shared by /content and /notifications: gate, content type, subscription state, window. */
  const prepare = (req: EmuRequest, method: string) => {
    const call = gate(world, faults, req, method);
    if (isReply(call)) return call;
    const ct = contentTypeOf(world, req, call);
    if (isReply(ct)) return ct;
    const sub = world.state.tenant(call.tenantId).subscriptions[ct.ct];
    if (!sub) return AF.noSubscription();
    if (sub.status !== 'enabled') return AF.disabled();
    const w = resolveWindow(req.url.searchParams, world.now(), world.tuning);
    if (isReply(w)) return w;
    return { call, ct, sub, w };
  };

  const content = (req: EmuRequest): Reply => {
    const p = prepare(req, 'ListContent');
    if (isReply(p)) return p;
    const now = world.now();
    const all = ready(world, p.sub, now)
      ? blobs.blobsCreatedIn(p.call.tenantId, p.ct.ct, p.w.start, p.w.end).filter((b) => visible(p.sub, b, now))
      : [];
    const paged = page(req, p.w, all, world.tuning.contentPageSize, world.faults.nextPageRepeat);
    if (isReply(paged)) return paged;
    const headers =
      paged.next === null
        ? undefined
        : { NextPageUri: nextPageUri(req, p.call, p.ct.given, p.w, paged.next, 'content') };
    return mapiJson(
      200,
      paged.items.map((b) => contentObject(req.base, b)),
      headers,
    );
  };

  const notifications = (req: EmuRequest): Reply => {
    const p = prepare(req, 'ListNotifications');
    if (isReply(p)) return p;
    const all = world.state
      .tenant(p.call.tenantId)
      .notifications.filter(
        (n) =>
          n.contentType === p.ct.ct &&
          Date.parse(n.contentCreated) >= p.w.start &&
          Date.parse(n.contentCreated) < p.w.end,
      );
    const paged = page(req, p.w, all, world.tuning.contentPageSize, world.faults.nextPageRepeat);
    if (isReply(paged)) return paged;
    const headers =
      paged.next === null
        ? undefined
        : { NextPageUri: nextPageUri(req, p.call, p.ct.given, p.w, paged.next, 'notifications') };
    return mapiJson(200, paged.items, headers);
  };

  const blob = (req: EmuRequest): Reply => {
    const call = gate(world, faults, req, 'GetBlob');
    if (isReply(call)) return call;
    const id = req.params.contentId!;
    const parsed = parseContentId(id);
    if (!parsed) return AF.badContentId(id);
    const ref = blobs.slotBlobs(call.tenantId, parsed.contentType, parsed.slot).find((b) => b.index === parsed.index);
    const now = world.now();
    if (
      !ref ||
      new Date(ref.contentCreated).toISOString().replace(/[-:TZ.]/g, '') !== parsed.created ||
      ref.contentCreated > now
    )
      return AF.noContent(id);
    if (now >= ref.contentCreated + BLOB_LIFETIME_MS) return AF.expired(id);
    const sub = world.state.tenant(call.tenantId).subscriptions[parsed.contentType];
    if (sub && !visible(sub, ref, now)) return AF.noContent(id);
    return mapiJson(200, blobs.blobRecords(ref));
  };

  const dlpSensitiveTypes = (req: EmuRequest): Reply => {
    const call = gate(world, faults, req, 'GetDlpSensitiveTypes');
    if (isReply(call)) return call;
    const lang = header(req, 'accept-language');
    if (lang !== undefined) {
      const parts = lang
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (parts.length > 1) return AF.oneLanguage();
      if (parts.length === 1 && !/^[a-z]{1,8}(-[a-z0-9]{1,8})*(;q=[01](\.\d{1,3})?)?$/i.test(parts[0]!))
        return AF.languageSyntax();
    }
    const names = [
      'CreditCardNumber',
      'U.S. Social Security Number (SSN)',
      'International Banking Account Number (IBAN)',
      'U.S. Bank Account Number',
      'EU Debit Card Number',
      'Azure Storage Account Key',
      'U.K. National Insurance Number (NINO)',
      'ABA Routing Number',
    ];
    return mapiJson(
      200,
      names.map((name) => ({ id: stableGuid('dlp', name), name })),
    );
  };

  return { content, notifications, blob, dlpSensitiveTypes };
}
