/**
 * Organisation domains: which mail domains belong to a tenant, to tell "outside the organization" from
 * inside. From the tenants table when the tenant is registered (its domain), and always from the
 * tenant's own records: the UPN domains of its mailbox users active on the period's last day (or week),
 * of the records a caller reads, and the OrganizationName (contoso.onmicrosoft.com).
 * A subdomain of an internal domain is internal too (contoso.mail.onmicrosoft.com).
 */
import type { StoredRecord } from '../core/record.js';
import { DAY } from '../core/time.js';
import type { Store } from '../store/contract.js';

/** Mailbox actions only the tenant's own people (owners, delegates, admins) perform; indexed by operation. */
const MAILBOX_USE = ['MailItemsAccessed', 'Send', 'MailboxLogin'];

export class TenantDomains {
  private readonly known = new Map<string, Set<string>>();

  constructor(
    private readonly store: Pick<Store, 'records' | 'tenants'>,
    private readonly range: { start: number; end: number },
  ) {}

  async load(tenant: string): Promise<Set<string>> {
    const cached = this.known.get(tenant);
    if (cached) return cached;
    const domains = new Set<string>();
    const row = await this.store.tenants.get(tenant);
    if (row?.domain) domains.add(row.domain.toLowerCase());
    // The mailbox users of the period's last day (or week, when that day is empty): every mail domain in
    // use shows up in a working week, and the cost stays that of a day of mailbox use whatever the period
    // (a 60-day count by user over a million records took half a second per tenant: bench/reports.bench.ts).
    // Mailbox actions, not sign-ins: a guest signs in with the UPN of its home organization.
    const end = this.range.end;
    for (const days of [1, 7]) {
      const query = { range: { start: end - days * DAY, end }, tenants: [tenant], operations: MAILBOX_USE };
      const users = await this.store.records.countBy(query, 'user', { limit: 2000 });
      for (const u of users) addDomainOf(domains, typeof u.key === 'string' ? u.key : '');
      if (users.length) break;
    }
    this.known.set(tenant, domains);
    return domains;
  }

  /** Learns from a record of the tenant: its user's domain and the OrganizationName. */
  learn(record: StoredRecord, organizationName: string, ...upns: string[]): void {
    const set = this.known.get(record.tenant);
    if (!set) return;
    if (organizationName.includes('.')) set.add(organizationName.toLowerCase());
    for (const upn of [record.userId ?? '', ...upns]) addDomainOf(set, upn);
  }

  /** True when the address (user@domain, smtp:user@domain, or a bare domain) is outside the tenant. */
  async isExternal(tenant: string, address: string): Promise<boolean> {
    const domain = domainOf(address);
    if (!domain) return false; // a display name or alias resolves inside Exchange: internal
    const internal = await this.load(tenant);
    for (const d of internal) if (domain === d || domain.endsWith(`.${d}`)) return false;
    return true;
  }
}

/** Only plain user@domain identities count; guests (#ext#), claims and urn: forms do not. */
function addDomainOf(set: Set<string>, upn: string): void {
  if (/#ext#|^urn:|\|/i.test(upn)) return;
  const d = domainOf(upn);
  if (d) set.add(d);
}

export function domainOf(address: string): string | null {
  const clean = address
    .trim()
    .replace(/^smtp:/i, '')
    .replace(/^["'<]+|[">']+$/g, '');
  const at = clean.lastIndexOf('@');
  const domain = (at >= 0 ? clean.slice(at + 1) : '').toLowerCase();
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain) ? domain : null;
}
