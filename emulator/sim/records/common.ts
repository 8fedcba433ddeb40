/**
 * The common schema every record carries (fields.json "Common"): Id, RecordType, CreationTime without
 * a Z, Operation, OrganizationId, UserType, UserKey, Workload, ResultStatus, ObjectId, UserId, ClientIP.
 * Generators fill in the workload-specific fields after these, in the order the real records use.
 */
import { contentTypeForRecordType } from '../../../src/core/catalog/index.js';
import type { TenantModel } from '../model.js';
import type { Rng } from '../rng.js';
import type { ContentType } from '../../../src/core/record.js';
import type { SimRecord, SimUser } from '../types.js';

export type Fields = Record<string, unknown>;

/** What every generator is handed: the tenant, the slot's Rng and the instant of the record. */
export interface Gen {
  m: TenantModel;
  rng: Rng;
  at: number;
}

export interface Base {
  operation: string;
  recordType: number;
  workload: string;
  userId: string;
  userKey: string;
  userType?: number;
  resultStatus?: string | null;
  objectId?: string | null;
  clientIp?: string | null;
}

/** CreationTime as Microsoft writes it: UTC, whole seconds, no Z. */
export function creationTime(at: number): string {
  return new Date(at).toISOString().slice(0, 19);
}

const contentTypes = new Map<number, ContentType>();
function contentType(recordType: number): ContentType {
  let ct = contentTypes.get(recordType);
  if (!ct) contentTypes.set(recordType, (ct = contentTypeForRecordType(recordType)));
  return ct;
}

export function record(g: Gen, b: Base, rest: Fields): SimRecord {
  const at = Math.floor(g.at / 1000) * 1000;
  const common: Fields = {
    CreationTime: creationTime(at),
    Id: g.rng.guid(),
    Operation: b.operation,
    OrganizationId: g.m.tenant.tenantId,
    RecordType: b.recordType,
  };
  if (b.resultStatus !== null) common.ResultStatus = b.resultStatus ?? 'Succeeded';
  common.UserKey = b.userKey;
  common.UserType = b.userType ?? 0;
  common.Version = 1;
  common.Workload = b.workload;
  if (b.clientIp !== null && b.clientIp !== undefined) common.ClientIP = b.clientIp;
  if (b.objectId !== null && b.objectId !== undefined) common.ObjectId = b.objectId;
  common.UserId = b.userId;
  for (const key in rest) common[key] = rest[key];
  return { contentType: contentType(b.recordType), creationTime: at, record: common };
}

/** The address a user works from at this moment: mostly the office, sometimes home. */
export function ipOf(g: Gen, user: SimUser): string {
  return g.rng.chance(0.7) ? user.homeIps[0]! : user.homeIps[user.homeIps.length - 1]!;
}

/** Exchange writes IPv4 client addresses with the source port in admin records ("1.2.3.4:63070"). */
export function withPort(g: Gen, ip: string): string {
  return ip.includes(':') ? `[${ip}]:${g.rng.int(1024, 65535)}` : `${ip}:${g.rng.int(1024, 65535)}`;
}

export function nameValue(pairs: readonly (readonly [string, string])[]): { Name: string; Value: string }[] {
  return pairs.map(([Name, Value]) => ({ Name, Value }));
}

/** "OriginatingServer" as Exchange writes it, trailing CRLF included. */
export function server(g: Gen, crlf = true): string {
  return `${g.rng.pick(g.m.servers)} (15.20.${g.rng.int(7000, 8200)}.0${g.rng.int(10, 40)})${crlf ? '\r\n' : ''}`;
}

export function pickOther(g: Gen, pool: readonly SimUser[], not: SimUser): SimUser {
  for (let i = 0; i < 5; i++) {
    const u = g.rng.pick(pool);
    if (u.id !== not.id) return u;
  }
  return pool.find((u) => u.id !== not.id) ?? not;
}
