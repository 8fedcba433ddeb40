import { AppError } from '../core/errors.js';
import type { PostureSnapshot, TenantRow } from './contract.js';

/** Tenant and posture rows ↔ columns, shared by both adapters (tenant_id first: the key). */
export const TENANT_COLUMNS = [
  'tenant_id',
  'name',
  'domain',
  'client_id',
  'cloud',
  'auth_kind',
  'credential',
  'certificate_pem',
  'publisher_id',
  'base_url',
  'ca_file',
  'added_at',
  'updated_at',
] as const;

export function tenantValues(t: TenantRow): (string | number | null)[] {
  return [
    t.tenantId,
    t.name,
    t.domain,
    t.clientId,
    t.cloud,
    t.authKind,
    t.credential,
    t.certificatePem,
    t.publisherId,
    t.baseUrl,
    t.caFile,
    t.addedAt,
    t.updatedAt,
  ];
}

export interface TenantSelect {
  tenant_id: string;
  name: string;
  domain: string | null;
  client_id: string;
  cloud: string;
  auth_kind: string;
  credential: string;
  certificate_pem: string | null;
  publisher_id: string | null;
  base_url: string | null;
  ca_file: string | null;
  added_at: number | string;
  updated_at: number | string;
}

export function toTenantRow(r: TenantSelect): TenantRow {
  return {
    name: r.name,
    tenantId: r.tenant_id,
    domain: r.domain,
    clientId: r.client_id,
    cloud: r.cloud as TenantRow['cloud'],
    authKind: r.auth_kind as TenantRow['authKind'],
    credential: r.credential,
    certificatePem: r.certificate_pem,
    publisherId: r.publisher_id,
    baseUrl: r.base_url,
    caFile: r.ca_file,
    addedAt: Number(r.added_at),
    updatedAt: Number(r.updated_at),
  };
}

export interface PostureSelect {
  tenant: string;
  taken_at: number | string;
  verdict: string;
  body: string;
}

export function toSnapshot(r: PostureSelect): PostureSnapshot {
  return {
    tenant: r.tenant,
    takenAt: Number(r.taken_at),
    verdict: r.verdict as PostureSnapshot['verdict'],
    body: JSON.parse(r.body) as unknown,
  };
}

/** Names are unique without regard to case: a second tenant may not take one already in use. */
export function nameTaken(row: TenantRow, cause: unknown): AppError {
  return new AppError('CONFLICT', `Another tenant already uses the name "${row.name}"`, {
    hint: `Remove the other tenant first (tenantwatch tenant remove ${row.name}), or register this one under another name`,
    details: { name: row.name, tenantId: row.tenantId },
    cause,
  });
}
