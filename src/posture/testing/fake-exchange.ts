import { AppError } from '../../core/errors.js';
import type { InvokeResult } from '../../microsoft/exchange-admin.js';
import { ADMIN_BASELINE, DELEGATE_BASELINE, OWNER_BASELINE } from '../baseline.js';
import type { CmdletRunner } from '../read.js';

export interface FakeMailbox {
  UserPrincipalName: string;
  AuditEnabled: boolean;
  AuditLogAgeLimit: string;
  AuditOwner: string[];
  AuditDelegate: string[];
  AuditAdmin: string[];
}

/** An Exchange organization in memory, answering the cmdlets posture uses, for unit tests. */
export class FakeExchange implements CmdletRunner {
  ual = true;
  adminAuditLog = true;
  orgAuditDisabled = false;
  dehydrated = false;
  mailboxes: FakeMailbox[] = [];
  /** Set-AdminAuditLogConfig is accepted but not applied yet (Microsoft takes up to 60 minutes): tests apply it. */
  ualApplyLater = false;
  /** Set-Mailbox on these UPNs fails. */
  failing = new Set<string>();
  calls: { cmdlet: string; parameters: Record<string, unknown> }[] = [];

  addMailboxes(n: number, override: Partial<FakeMailbox> = {}): this {
    for (let i = 0; i < n; i++) {
      this.mailboxes.push({
        UserPrincipalName: `user${this.mailboxes.length + 1}@contoso.onmicrosoft.com`,
        AuditEnabled: true,
        AuditLogAgeLimit: '90.00:00:00',
        AuditOwner: [...OWNER_BASELINE],
        AuditDelegate: [...DELEGATE_BASELINE],
        AuditAdmin: [...ADMIN_BASELINE],
        ...override,
      });
    }
    return this;
  }

  async invoke<T>(cmdlet: string, parameters: Record<string, unknown> = {}): Promise<InvokeResult<T>> {
    this.calls.push({ cmdlet, parameters });
    const out = (value: unknown[]): InvokeResult<T> => ({ value: value as T[], warnings: [] });
    if (cmdlet.startsWith('Set-') && this.dehydrated) {
      throw new AppError('CONFLICT', `${cmdlet} is not allowed while the tenant is dehydrated`, {
        details: { dehydrated: true },
      });
    }
    switch (cmdlet) {
      case 'Get-AdminAuditLogConfig':
        return out([{ UnifiedAuditLogIngestionEnabled: this.ual, AdminAuditLogEnabled: this.adminAuditLog }]);
      case 'Get-OrganizationConfig':
        return out([{ AuditDisabled: this.orgAuditDisabled, IsDehydrated: this.dehydrated }]);
      case 'Get-Mailbox':
        return out(this.mailboxes.map((m) => ({ ...m })));
      case 'Enable-OrganizationCustomization':
        this.dehydrated = false;
        return out([]);
      case 'Set-AdminAuditLogConfig':
        if (!this.ualApplyLater) this.ual = parameters.UnifiedAuditLogIngestionEnabled === true;
        return out([]);
      case 'Set-OrganizationConfig':
        this.orgAuditDisabled = parameters.AuditDisabled === true;
        return out([]);
      case 'Set-Mailbox':
        return this.setMailbox(parameters);
      default:
        throw new AppError('UPSTREAM', `fake: unknown cmdlet ${cmdlet}`);
    }
  }

  private setMailbox(p: Record<string, unknown>): InvokeResult<never> {
    const upn = String(p.Identity);
    if (this.failing.has(upn))
      throw new AppError('UPSTREAM', `Exchange Online failed Set-Mailbox (HTTP 500): mailbox ${upn} is locked`);
    const m = this.mailboxes.find((x) => x.UserPrincipalName === upn);
    if (!m) throw new AppError('NOT_FOUND', `no mailbox ${upn}`);
    if (p.AuditEnabled !== undefined) m.AuditEnabled = p.AuditEnabled === true;
    if (typeof p.AuditLogAgeLimit === 'string') m.AuditLogAgeLimit = p.AuditLogAgeLimit;
    for (const key of ['AuditOwner', 'AuditDelegate', 'AuditAdmin'] as const) {
      const change = p[key] as { Add?: string[] } | undefined;
      if (change?.Add) m[key] = [...new Set([...m[key], ...change.Add])];
    }
    return { value: [], warnings: [] };
  }
}
