import type { ContentType } from '../record.js';
import data from './data/content-types.json' with { type: 'json' };
import { recordTypeInfo } from './record-types.js';

/**
 * Which Management Activity API feed carries a record type. Microsoft never published the mapping
 * (office-365-management-api issue #240); spec/schema/content-types.json gives a routing rule:
 *   Workload AzureActiveDirectory → Audit.AzureActiveDirectory; Exchange → Audit.Exchange;
 *   SharePoint/OneDrive → Audit.SharePoint; DLP record types (11, 13) → DLP.All; otherwise Audit.General.
 * The record types listed per feed in the spec win over the workload rule (a DLP type has an Exchange
 * or SharePoint workload but travels in DLP.All).
 */
const listed = new Map<number, ContentType>();
for (const [type, values] of Object.entries(data.recordTypes as Record<string, number[]>)) {
  for (const value of values) listed.set(value, type as ContentType);
}

const BY_WORKLOAD: Record<string, ContentType> = {
  azureactivedirectory: 'Audit.AzureActiveDirectory',
  exchange: 'Audit.Exchange',
  sharepoint: 'Audit.SharePoint',
  onedrive: 'Audit.SharePoint',
};

export function contentTypeForRecordType(n: number): ContentType {
  const direct = listed.get(n);
  if (direct) return direct;
  const workload = recordTypeInfo(n)?.workload;
  return (workload && BY_WORKLOAD[workload.toLowerCase()]) || 'Audit.General';
}

/** The routing rule as the spec words it, for docs and `--help`. */
export const contentTypeRoutingRule: readonly string[] = data.routingRule;
