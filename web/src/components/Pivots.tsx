import type { RecordView } from '../api.js';
import { navigate } from '../route.js';

/** The session a record belongs to: AppAccessContext.UniqueTokenId (Entra, Graph-era records) or SessionId. */
export function sessionOf(auditData: unknown): { key: string; value: string } | null {
  if (auditData === null || typeof auditData !== 'object') return null;
  const a = auditData as Record<string, unknown>;
  const ctx = a.AppAccessContext as Record<string, unknown> | undefined;
  const token = ctx && typeof ctx.UniqueTokenId === 'string' ? ctx.UniqueTokenId : null;
  if (token) return { key: 'UniqueTokenId', value: token };
  if (typeof a.SessionId === 'string' && a.SessionId) return { key: 'SessionId', value: a.SessionId };
  return null;
}

/**
 * One-click pivots from a record to a new search over the same period and tenant: the same user, the same
 * client address, the same session (token or session id, matched as free text in the raw record), the same
 * object. Each is a plain search URL, so the pivot is a link that can be shared.
 */
export function Pivots({
  record,
  period,
  tenantName,
}: {
  record: RecordView;
  period: { start: string; end: string };
  tenantName?: string | undefined;
}) {
  const session = sessionOf(record.auditData);
  const go = (extra: Record<string, string>): void => {
    const q = new URLSearchParams({
      start: period.start,
      end: period.end,
      tenant: tenantName ?? record.tenant,
      ...extra,
    });
    navigate('search', q.toString());
  };
  const items: [string, Record<string, string>, string | null][] = [
    ['Same user', { user: record.userId ?? '' }, record.userId],
    ['Same address', { ip: record.clientIp ?? '' }, record.clientIp],
    ['Same session', { freeText: session?.value ?? '' }, session ? `${session.key} ${session.value}` : null],
    ['Same object', { object: record.objectId ?? '' }, record.objectId],
  ];
  return (
    <div className="pivots" aria-label="Pivot from this record">
      {items.map(([label, extra, value]) => (
        <button
          key={label}
          type="button"
          className="small"
          disabled={!value}
          title={value ? `Search ${label.toLowerCase()}: ${value}` : 'This record has none'}
          onClick={() => go(extra)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
