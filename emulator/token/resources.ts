/**
 * The resources (token audiences) the emulator issues tokens for, per API, in every cloud (spec §1.4),
 * and which application permissions belong to each, so a token only carries its resource's roles.
 */
export type Api = 'management' | 'graph' | 'exchange';

const RESOURCES: Record<Api, readonly string[]> = {
  management: [
    'https://manage.office.com',
    'https://manage-gcc.office.com',
    'https://manage.office365.us',
    'https://manage.protection.apps.mil',
    'c5393580-f805-4401-95e8-94b7a6ef2fc2',
  ],
  graph: [
    'https://graph.microsoft.com',
    'https://graph.microsoft.us',
    'https://dod-graph.microsoft.us',
    '00000003-0000-0000-c000-000000000000',
  ],
  exchange: [
    'https://outlook.office365.com',
    'https://outlook.office365.us',
    'https://webmail.apps.mil',
    'https://outlook-dod.office365.us',
    'https://outlook.office.com',
    '00000002-0000-0ff1-ce00-000000000000',
  ],
};

export const API_ROLES: Record<Api, readonly string[]> = {
  management: ['ActivityFeed.Read', 'ActivityFeed.ReadDlp'],
  graph: ['AuditLogsQuery.Read.All', 'RoleManagement.Read.Directory', 'Directory.Read.All', 'User.Read.All'],
  exchange: ['Exchange.ManageAsApp'],
};

/** The API a resource identifier names ("https://manage.office.com", with or without a trailing slash); null if unknown. */
export function apiOfResource(resource: string): { api: Api; resource: string } | null {
  const r = resource.trim().replace(/\/+$/, '').toLowerCase();
  for (const [api, list] of Object.entries(RESOURCES) as [Api, readonly string[]][]) {
    if (list.includes(r)) return { api, resource: resource.trim().replace(/\/+$/, '') };
  }
  return null;
}

/** True when a token audience belongs to the API. */
export function audienceIsFor(aud: unknown, api: Api): boolean {
  return typeof aud === 'string' && apiOfResource(aud)?.api === api;
}
