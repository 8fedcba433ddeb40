import { activityCategories } from '../core/catalog/index.js';
import type { StoredRecord } from '../core/record.js';

/**
 * What counts as an administrative action (issue 6: Exchange admin cmdlets, Entra ID directory
 * changes, SharePoint admin, Security & Compliance changes): the record types of those admin
 * surfaces, plus SharePoint's administration operations (Purview categories "Site administration
 * activities" and "Site permissions activities": site collection admins, permission levels, sharing
 * policy), which share their record types with ordinary file events.
 */
export const ADMIN_RECORD_TYPES: Record<number, string> = {
  1: 'Exchange admin',
  8: 'Entra ID directory',
  18: 'Security & Compliance',
  87: 'Security & Compliance',
};

const SHAREPOINT_ADMIN_CATEGORIES = ['Site administration activities', 'Site permissions activities'];

export const SHAREPOINT_ADMIN_OPERATIONS: readonly string[] = [
  ...new Set(
    activityCategories()
      .filter((c) => SHAREPOINT_ADMIN_CATEGORIES.includes(c.category))
      .flatMap((c) => c.activities.map((a) => a.operation)),
  ),
];

const spAdmin = new Set(SHAREPOINT_ADMIN_OPERATIONS.map((o) => o.toLowerCase()));

/** The admin surface a record belongs to, or null when it is not an administrative action. */
export function adminCategory(record: Pick<StoredRecord, 'recordType' | 'operation' | 'workload'>): string | null {
  const byType = ADMIN_RECORD_TYPES[record.recordType];
  if (byType) return byType;
  const workload = (record.workload ?? '').toLowerCase();
  if ((workload === 'sharepoint' || workload === 'onedrive') && spAdmin.has(record.operation.toLowerCase()))
    return 'SharePoint admin';
  return null;
}
