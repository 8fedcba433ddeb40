import { randomUUID } from 'node:crypto';
import { recordTypeName, resolveRecordType } from '../../src/core/catalog/index.js';
import { parseIsoUtc } from '../../src/core/time.js';
import type { BlobCatalog } from '../management/blobs.js';
import { matches, recordsBetween, type RecordFilter } from '../records.js';
import type { SimRecord } from '../sim/types.js';
import { unit } from '../util/rand.js';
import { str } from '../util/text.js';
import type { World } from '../world.js';
import type { CmdletResult } from './cmdlets.js';
import { EXO } from './envelope.js';

/**
 * Search-UnifiedAuditLog through InvokeCommand (spec §4, behaviour 43): ResultSize default 100, at most
 * 5,000 per call; a SessionId continues across calls (ReturnLargeSet unsorted up to 50,000;
 * ReturnNextPreviewPage newest first up to 5,000; both in one session cap at 10,000) and ends with an
 * empty result; ResultIndex is 1-based and cumulative; the bogus -1/0 answer on demand.
 */
interface Session {
  key: string;
  served: number;
  commands: Set<string>;
  hits: SimRecord[];
}

const list = (v: unknown): string[] | undefined =>
  v === undefined || v === null
    ? undefined
    : Array.isArray(v)
      ? v.map(str)
      : str(v)
          .split(',')
          .map((s) => s.trim());

export class UnifiedAuditLogSearch {
  private sessions = new Map<string, Session>();

  constructor(
    private readonly world: World,
    private readonly blobs: BlobCatalog,
  ) {}

  run(tenantId: string, p: Record<string, unknown>): CmdletResult {
    const start = typeof p.StartDate === 'string' ? parseIsoUtc(p.StartDate) : null;
    const end = typeof p.EndDate === 'string' ? parseIsoUtc(p.EndDate) : null;
    if (start === null || end === null)
      return {
        error: EXO.badParameter(
          start === null ? 'StartDate' : 'EndDate',
          'Expected a date and time such as 2026-03-01T00:00:00Z.',
        ),
      };
    const size = Math.min(5000, Math.max(1, Number(p.ResultSize ?? 100) || 100));
    const command = typeof p.SessionCommand === 'string' ? p.SessionCommand : null;
    if (command !== null && command !== 'ReturnLargeSet' && command !== 'ReturnNextPreviewPage')
      return { error: EXO.badParameter('SessionCommand', 'Expected ReturnLargeSet or ReturnNextPreviewPage.') };
    const filter = this.filterOf(p);
    if (typeof filter === 'string') return { error: EXO.badParameter('RecordType', filter) };
    const sessionId = typeof p.SessionId === 'string' ? p.SessionId : null;
    if (sessionId === null)
      return this.page(this.hits(tenantId, start, end, filter, 'ReturnNextPreviewPage'), 0, size, size);
    const key = `${tenantId}|${sessionId}`;
    let s = this.sessions.get(key);
    const signature = JSON.stringify([start, end, filter]);
    if (!s || s.key !== signature) {
      s = {
        key: signature,
        served: 0,
        commands: new Set(),
        hits: this.hits(tenantId, start, end, filter, command ?? 'ReturnNextPreviewPage'),
      };
      this.sessions.set(key, s);
    }
    s.commands.add(command ?? 'ReturnNextPreviewPage');
    const real = s.commands.size > 1 ? 10_000 : s.commands.has('ReturnLargeSet') ? 50_000 : 5_000;
    const cap = Math.min(real, this.world.faults.searchResultCap ?? real);
    const result = this.page(s.hits, s.served, size, cap);
    s.served += 'value' in result ? result.value.length : 0;
    return result;
  }

  private filterOf(p: Record<string, unknown>): RecordFilter | string {
    let recordTypes: number[] | undefined;
    if (p.RecordType !== undefined && p.RecordType !== null) {
      const n = resolveRecordType(p.RecordType as string | number);
      if (n === null) return `Unknown record type "${str(p.RecordType)}".`;
      recordTypes = [n];
    }
    return {
      operations: list(p.Operations),
      userIds: list(p.UserIds),
      recordTypes,
      ipAddresses: list(p.IPAddresses),
      objectIds: list(p.ObjectIds),
      freeText: typeof p.FreeText === 'string' ? p.FreeText : undefined,
    };
  }

  private hits(tenantId: string, start: number, end: number, f: RecordFilter, command: string): SimRecord[] {
    if (!this.world.ualEnabledNow(tenantId)) return [];
    const found = recordsBetween(this.world, this.blobs, tenantId, start, end).filter((r) => matches(r, f));
    if (command === 'ReturnLargeSet')
      return found.sort(
        (a, b) => unit(this.world.seed, String(a.record.Id)) - unit(this.world.seed, String(b.record.Id)),
      );
    return found.sort((a, b) => b.creationTime - a.creationTime);
  }

  private page(hits: SimRecord[], from: number, size: number, cap: number): CmdletResult {
    const upTo = Math.min(hits.length, cap, from + size);
    const bogus = this.world.faults.searchBogusResult;
    // The forced cap (a test fault) answers exactly the cap as the count, as the service does at 50,000.
    const forced = this.world.faults.searchResultCap;
    const count = forced !== null && hits.length > forced ? Math.min(forced, cap) : hits.length;
    const runspace = randomUUID();
    const value = hits.slice(from, Math.max(from, upTo)).map((r, i) => ({
      RunspaceId: runspace,
      RecordType: recordTypeName(Number(r.record.RecordType)),
      CreationDate: new Date(r.creationTime).toISOString().slice(0, 19),
      UserIds: str(r.record.UserId),
      Operations: str(r.record.Operation),
      AuditData: JSON.stringify(r.record),
      ResultIndex: bogus ? -1 : from + i + 1,
      ResultCount: bogus ? 0 : count,
      Identity: str(r.record.Id),
      IsValid: true,
      ObjectState: 'Unchanged',
    }));
    return { value };
  }
}
