import type { HttpClient } from '../net/types.js';

/**
 * The surface shared by the Microsoft clients (management-activity, graph-audit-query, exchange-admin)
 * and their users (collector, posture, reports' role lookup). Hosts per cloud follow
 * spec/microsoft-apis.md §1.1, §1.4 and §2.1.
 */
export const CLOUDS = ['commercial', 'gcc', 'gcchigh', 'dod'] as const;
export type Cloud = (typeof CLOUDS)[number];

/** The three APIs tenantwatch speaks, each with its own token audience. */
export type ApiResource = 'management' | 'graph' | 'exchange';

export interface CloudEndpoints {
  cloud: Cloud;
  /** Entra ID authority host, e.g. https://login.microsoftonline.com */
  login: string;
  /** Management Activity API base, e.g. https://manage.office.com */
  management: string;
  /** Graph base, e.g. https://graph.microsoft.com */
  graph: string;
  /** Exchange Online admin REST base, e.g. https://outlook.office365.com */
  exchange: string;
  /** Token scope per resource (`…/.default`). */
  scopes: Record<ApiResource, string>;
  /** The Graph audit log query API is global-service only (spec §1.4). */
  graphAuditQueryAvailable: boolean;
}

/**
 * Each cloud's hosts. The Exchange hosts of the US government clouds follow Microsoft's published endpoint lists
 * (Office 365 URLs and IP address ranges, USGovGCCHigh: outlook.office365.us; USGovDoD: outlook-dod.office365.us
 * and webmail.apps.mil, one service under two names) and the host the Exchange Online PowerShell module connects
 * to for O365USGovDoD (webmail.apps.mil); each token's audience is its host, as in the commercial cloud.
 */
const TABLE: Record<Cloud, Omit<CloudEndpoints, 'cloud' | 'scopes' | 'graphAuditQueryAvailable'>> = {
  commercial: {
    login: 'https://login.microsoftonline.com',
    management: 'https://manage.office.com',
    graph: 'https://graph.microsoft.com',
    exchange: 'https://outlook.office365.com',
  },
  gcc: {
    login: 'https://login.microsoftonline.com',
    management: 'https://manage-gcc.office.com',
    graph: 'https://graph.microsoft.com',
    exchange: 'https://outlook.office365.com',
  },
  gcchigh: {
    login: 'https://login.microsoftonline.us',
    management: 'https://manage.office365.us',
    graph: 'https://graph.microsoft.us',
    exchange: 'https://outlook.office365.us',
  },
  dod: {
    login: 'https://login.microsoftonline.us',
    management: 'https://manage.protection.apps.mil',
    graph: 'https://dod-graph.microsoft.us',
    exchange: 'https://webmail.apps.mil',
  },
};

/**
 * The endpoints of a cloud. With `baseUrl` (the emulator, or a proxy) every host is replaced by it,
 * while the token scopes keep the real resource URIs: the emulator, like Entra ID, issues tokens for
 * those audiences.
 */
export function endpointsFor(cloud: Cloud, baseUrl?: string | null): CloudEndpoints {
  const real = TABLE[cloud];
  const scopes: Record<ApiResource, string> = {
    management: `${real.management}/.default`,
    graph: `${real.graph}/.default`,
    exchange: `${real.exchange}/.default`,
  };
  const graphAuditQueryAvailable = cloud === 'commercial' || cloud === 'gcc';
  if (!baseUrl) return { cloud, ...real, scopes, graphAuditQueryAvailable };
  const base = baseUrl.replace(/\/+$/, '');
  return { cloud, login: base, management: base, graph: base, exchange: base, scopes, graphAuditQueryAvailable };
}

/** Gets bearer tokens for one tenant's app registration; cached and renewed before expiry. */
export interface TokenProvider {
  token(resource: ApiResource, options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string>;
}

/** Everything needed to talk to one tenant. */
export interface TenantConnection {
  tenantId: string;
  endpoints: CloudEndpoints;
  tokens: TokenProvider;
  http: HttpClient;
  /** Sent as PublisherIdentifier on every Management Activity API call (quota pool). */
  publisherId: string | null;
}
