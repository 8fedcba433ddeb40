/**
 * "Outside the organisation" for the `external` modifier (tenantwatch extension): an address is
 * internal when its domain (or a parent of it) is one of the tenant's domains. Those come from what
 * the caller knows (the tenants table, reports' TenantDomains) and from the record itself: its
 * user's domain, the mailbox owner's and the OrganizationName, so a decision never depends on which
 * records arrived before (live and retro agree). Domain parsing is analysis/domains.ts's; it
 * moves to src/analysis/ with the organisation-domain logic.
 */
import { field } from '../ingest/fields.js';
import { domainOf } from '../analysis/domains.js';
import type { ExternalCheck, RecordView } from './record-view.js';

export class DomainBook implements ExternalCheck {
  private readonly byTenant = new Map<string, Set<string>>();

  /** Adds domains (contoso.com, or addresses such as admin@contoso.com) as internal to a tenant. */
  add(tenant: string, ...domains: string[]): this {
    let set = this.byTenant.get(tenant);
    if (!set) this.byTenant.set(tenant, (set = new Set()));
    for (const d of domains) {
      const domain = d.includes('@') ? domainOf(d) : d.trim().toLowerCase();
      if (domain) set.add(domain);
    }
    return this;
  }

  /** True when the address has a domain and it is none of the tenant's (nor the record's own). */
  isExternal(view: RecordView, address: string): boolean {
    const domain = domainOf(address);
    if (!domain) return false;
    const inside = (d: string | null): boolean => d !== null && (domain === d || domain.endsWith(`.${d}`));
    for (const d of this.byTenant.get(view.record.tenant) ?? []) if (inside(d)) return false;
    const own = [view.record.userId ?? '', text(field(view.data, 'MailboxOwnerUPN'))];
    for (const upn of own) if (!/#ext#/i.test(upn) && inside(domainOf(upn))) return false;
    const org = text(field(view.data, 'OrganizationName')).toLowerCase();
    return !(org.includes('.') && inside(org));
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
