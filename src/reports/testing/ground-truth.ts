/**
 * The test oracle for admin-activity against the emulator's ground truth, written from issue 6 and
 * the simulator's own knowledge (who held which role when), deliberately without the report's code
 * (analysis/admin-actions.ts, analysis/roles/*): a bug there cannot hide behind a shared helper.
 */

/**
 * Issue 6's admin surfaces: Exchange admin cmdlets (RecordType 1 ExchangeAdmin), Entra ID directory
 * changes (8 AzureActiveDirectory), Security & Compliance cmdlets (18), and SharePoint administration:
 * the site-administration operations the simulator writes (emulator/sim/script.ts "site-admin").
 */
const ADMIN_TYPES = new Set([1, 8, 18]);
const SHAREPOINT_ADMIN = new Set(['SiteCollectionAdminAdded', 'SharingPolicyChanged']);

export function isAdminAction(raw: Record<string, unknown>): boolean {
  return (
    ADMIN_TYPES.has(Number(raw.RecordType)) ||
    (raw.Workload === 'SharePoint' && SHAREPOINT_ADMIN.has(String(raw.Operation)))
  );
}

/** A role span as the simulator (or `GET /_emulator/roles`) states it: [from, to), to null = still held. */
export interface TruthSpan {
  role: string;
  userPrincipalName: string;
  from: number;
  to: number | null;
}

export interface TruthRecord {
  tenant: string;
  /** The AuditData as the emulator generated it. */
  raw: Record<string, unknown>;
  /** CreationTime, epoch ms. */
  time: number;
}

/** `tenant/Id` of every admin action in the period whose author held one of `roles` at that instant. */
export function expectedAdminActions(
  truth: readonly TruthRecord[],
  spansOf: (tenant: string) => readonly TruthSpan[],
  roles: readonly string[],
  period: { start: number; end: number },
): string[] {
  return truth
    .filter(({ raw, time }) => time >= period.start && time < period.end && isAdminAction(raw))
    .filter(({ tenant, raw, time }) =>
      spansOf(tenant).some(
        (s) =>
          roles.includes(s.role) &&
          s.userPrincipalName.toLowerCase() === String(raw.UserId).toLowerCase() &&
          time >= s.from &&
          (s.to === null || time < s.to),
      ),
    )
    .map(({ tenant, raw }) => `${tenant}/${String(raw.Id)}`)
    .sort();
}

/** `tenant/id` of report rows, sorted, to compare with the oracle. */
export function rowKeys(rows: readonly { tenant: string; id?: string }[]): string[] {
  return rows.map((r) => `${r.tenant}/${String(r.id)}`).sort();
}
