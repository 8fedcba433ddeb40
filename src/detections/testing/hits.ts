import type { StoredRecord } from '../../core/record.js';
import type { Evaluator, Hit } from '../contract.js';

/** A hit made by hand (alerts never evaluate rules): one record of rule r1 on a tenant. */
export function hit(over: Partial<Hit> = {}): Hit {
  return {
    ruleId: 'r1',
    tenant: 't1',
    groupKey: '',
    severity: 'medium',
    title: 'Mail forwarded outside the organisation',
    recordIds: ['rec-1'],
    firstSeen: Date.UTC(2026, 9, 1, 10),
    lastSeen: Date.UTC(2026, 9, 1, 10),
    facts: { user: 'adele@contoso.com' },
    ...over,
  };
}

/**
 * A tiny evaluator for tests of what consumes hits: every record whose operation is in `operations`
 * is a hit of rule `r1` grouped by nothing; `flush` returns what `onFlush` gives.
 */
export function fakeEvaluator(
  operations: readonly string[],
  onFlush: () => Hit[] = () => [],
): Evaluator & { seen: string[] } {
  const wanted = new Set(operations.map((o) => o.toLowerCase()));
  const seen: string[] = [];
  return {
    seen,
    push(records: readonly StoredRecord[]): Hit[] {
      const out: Hit[] = [];
      for (const r of records) {
        seen.push(r.id);
        if (!wanted.has(r.operation.toLowerCase())) continue;
        out.push(
          hit({
            tenant: r.tenant,
            recordIds: [r.id],
            firstSeen: r.creationTime,
            lastSeen: r.creationTime,
            facts: { user: r.userId ?? '', operation: r.operation },
          }),
        );
      }
      return out;
    },
    flush: onFlush,
  };
}
