import { auditData, field, text } from '../../analysis/audit-data.js';
import { RECORD_COLUMNS, recordRow } from '../rows.js';
import { TenantDomains } from '../../analysis/domains.js';
import { commonParams } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportRow } from '../types.js';
import { meta } from './meta.js';

const parameters = commonParams.extend({});

/** Anonymous-link operations (Purview "Sharing and access request activities"). */
const ANONYMOUS = ['AnonymousLinkCreated', 'AnonymousLinkUpdated', 'AnonymousLinkUsed', 'AnonymousLinkRemoved'];
/** Sharing that names a recipient: TargetUserOrGroupName / TargetUserOrGroupType tell who. */
const DIRECT = [
  'SharingInvitationCreated',
  'SharingInvitationAccepted',
  'SharingSet',
  'AddedToSecureLink',
  'SecureLinkCreated',
  'SecureLinkUsed',
  'SharingInvitationUpdated',
  'AccessRequestApproved',
];

export const externalSharing: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  columns: [...RECORD_COLUMNS, 'kind', 'site', 'target', 'targetType', 'item'],
  async run(input, deps) {
    const domains = new TenantDomains(deps.store, input.period);
    const rows: ReportRow[] = [];
    const totals = { anonymousLinks: 0, guests: 0, outsideDomains: 0, sites: 0 };
    const sites = new Set<string>();
    for await (const record of scan(
      deps,
      baseQuery(input, { operations: [...ANONYMOUS, ...DIRECT], workloads: ['SharePoint', 'OneDrive'] }),
    )) {
      const data = auditData(record);
      const target = text(field(data, 'TargetUserOrGroupName'));
      const targetType = text(field(data, 'TargetUserOrGroupType'));
      let kind: string | null = null;
      if (ANONYMOUS.includes(record.operation)) kind = 'anonymous link';
      else if (/guest/i.test(targetType) || /#ext#|urn:spo:guest/i.test(target)) kind = 'guest';
      else if (target.includes('@')) {
        // The sharer is one of the tenant's people (a guest's #ext# name teaches nothing): its domain is inside.
        await domains.load(record.tenant);
        domains.learn(record, '');
        if (await domains.isExternal(record.tenant, target)) kind = 'outside domain';
      }
      if (!kind) continue;
      totals[kind === 'anonymous link' ? 'anonymousLinks' : kind === 'guest' ? 'guests' : 'outsideDomains']++;
      const site = text(field(data, 'SiteUrl'));
      sites.add(`${record.tenant} ${site}`);
      input.count(record);
      rows.push(
        recordRow(record, {
          kind,
          site,
          target,
          targetType,
          item: text(field(data, 'SourceFileName')) || record.objectId,
        }),
      );
    }
    totals.sites = sites.size;
    return { rows, totals };
  },
};
