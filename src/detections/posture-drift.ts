import { changesSince } from '../posture/changes.js';
import type { PostureResult } from '../posture/types.js';
import type { PostureSnapshot, Store } from '../store/contract.js';
import type { Hit, RuleInfo, Severity } from './contract.js';

/**
 * Audit-posture drift as hits of a built-in rule: auditing switched off or weakened between two stored
 * posture checks (store.posture) raises an alert through the same path as a Sigma rule's hit. The group
 * key is the change (one alert per kind of change per tenant and window); the hit has no records, its
 * time is the check that saw the change.
 */
export const POSTURE_DRIFT_RULE: RuleInfo = {
  id: 'tenantwatch-posture-drift',
  title: 'Audit posture weakened',
  description:
    'Auditing was switched off or weakened between two posture checks: unified audit log ingestion, organisation mailbox auditing, admin audit logging, auditing of mailboxes, or the audit age limit.',
  severity: 'high',
  tags: ['attack.defense_evasion', 'attack.t1562.008'],
  references: ['https://learn.microsoft.com/purview/audit-log-enable-disable'],
  runbook: [
    'Check: tenantwatch report audit-tampering --tenant TENANT shows who changed the audit settings and when.',
    'Check: was the change planned (a change ticket, a migration)? If not, treat the account that made it as compromised.',
    'Do: turn auditing back on with tenantwatch audit-config enable --tenant TENANT, then look for what happened while it was off.',
  ].join('\n'),
  file: '(built in)',
  kind: 'record',
};

const WEAKENING: Record<string, Severity> = {
  CHANGED_UAL_TURNED_OFF: 'critical',
  CHANGED_ORG_AUDIT_TURNED_OFF: 'high',
  CHANGED_ADMIN_AUDIT_TURNED_OFF: 'high',
  CHANGED_MAILBOX_AUDIT_OFF: 'medium',
  CHANGED_AGE_LIMIT_LOWERED: 'medium',
};

/** A snapshot body the posture check wrote (other writers may store anything: those are skipped). */
function asResult(s: PostureSnapshot): PostureResult | null {
  const b = s.body as Partial<PostureResult> | null;
  if (!b || typeof b !== 'object' || typeof b.checkedAt !== 'string') return null;
  return { mailboxes: null, ...b } as PostureResult;
}

function changes(previous: PostureResult, current: PostureResult): { code: string; message: string }[] {
  const out = changesSince(previous, current).map((f) => ({ code: f.code, message: f.message }));
  if (previous.adminAuditLogEnabled === true && current.adminAuditLogEnabled === false)
    out.push({
      code: 'CHANGED_ADMIN_AUDIT_TURNED_OFF',
      message: `Admin audit logging was turned off since the check of ${previous.checkedAt}`,
    });
  return out.filter((c) => c.code in WEAKENING);
}

/**
 * Drift hits of every pair of consecutive checks among the newest `depth` of each tenant. Re-reading the
 * same pairs is harmless: a hit of the same check is the same hit (alerts/identity.ts).
 */
export async function postureDriftHits(
  store: Pick<Store, 'posture'>,
  options: { depth?: number } = {},
): Promise<Hit[]> {
  const hits: Hit[] = [];
  for (const latest of await store.posture.latest()) {
    const snaps = (await store.posture.list(latest.tenant, options.depth ?? 10)).reverse();
    for (let i = 1; i < snaps.length; i++) {
      const [before, after] = [asResult(snaps[i - 1]!), asResult(snaps[i]!)];
      if (!before || !after) continue;
      for (const c of changes(before, after)) {
        const at = snaps[i]!.takenAt;
        hits.push({
          ruleId: POSTURE_DRIFT_RULE.id,
          tenant: latest.tenant,
          groupKey: c.code,
          severity: WEAKENING[c.code]!,
          title: `${POSTURE_DRIFT_RULE.title}: ${c.message}`,
          recordIds: [],
          firstSeen: at,
          lastSeen: at,
          facts: { change: c.code, message: c.message, previousCheck: before.checkedAt, check: after.checkedAt },
        });
      }
    }
  }
  return hits;
}
