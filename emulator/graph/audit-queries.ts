import { recordTypeName, resolveRecordType, userTypeName } from '../../src/core/catalog/index.js';
import { parseIsoUtc, DAY } from '../../src/core/time.js';
import { json, jsonBody, type EmuRequest, type Reply, type Route } from '../http.js';
import type { FaultGate } from '../faults.js';
import type { BlobCatalog } from '../management/blobs.js';
import { matches, recordsBetween, type RecordFilter } from '../records.js';
import type { SimRecord } from '../sim/types.js';
import { stableGuid } from '../util/rand.js';
import { str } from '../util/text.js';
import type { World } from '../world.js';
import { graphError, graphGate, isReply, odataPage } from './gate.js';

/**
 * Graph audit log queries on /v1.0 and /beta (spec §3; behaviours 30–34): create → 201 notStarted;
 * status moves to running and succeeded as the emulator clock passes the tuned times; records page with
 * @odata.nextLink as camelCase auditLogRecords whose auditData is the record object; daily and
 * concurrent query limits answer 429; a tenant with UAL off gets AuditingDisabledTenant.
 */
interface Query {
  id: string;
  tenantId: string;
  createdAt: number;
  body: Record<string, unknown>;
  filter: RecordFilter;
  start: number;
  end: number;
  records?: SimRecord[];
}

const camel = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : typeof v === 'string' && v ? [v] : []);

function graphRecord(r: SimRecord): Record<string, unknown> {
  const rec = r.record;
  return {
    '@odata.type': '#microsoft.graph.security.auditLogRecord',
    id: str(rec.Id),
    createdDateTime: new Date(r.creationTime).toISOString().replace('.000Z', 'Z'),
    auditLogRecordType: camel(recordTypeName(Number(rec.RecordType))),
    operation: str(rec.Operation),
    organizationId: str(rec.OrganizationId),
    userType: camel(userTypeName(Number(rec.UserType ?? 0))),
    userId: str(rec.UserId),
    service: str(rec.Workload),
    objectId: str(rec.ObjectId),
    userPrincipalName: str(rec.UserId),
    clientIp: str(rec.ClientIP),
    administrativeUnits: [],
    auditData: { '@odata.type': '#microsoft.graph.security.defaultAuditData', ...rec },
  };
}

export function auditQueryRoutes(world: World, faults: FaultGate, blobs: BlobCatalog): Route[] {
  const queries = new Map<string, Query>();
  const status = (q: Query): string => {
    const age = world.now() - q.createdAt;
    return age < world.tuning.graphQueryStartMs
      ? 'notStarted'
      : age < world.tuning.graphQueryStartMs + world.tuning.graphQueryRunMs
        ? 'running'
        : 'succeeded';
  };
  const view = (req: EmuRequest, q: Query): Record<string, unknown> => {
    const s = status(q);
    const limit = world.tuning.graphRecordCountLimit;
    if (s === 'succeeded')
      q.records ??= recordsBetween(world, blobs, q.tenantId, q.start, q.end)
        .filter((r) => matches(r, q.filter))
        .sort((a, b) => b.creationTime - a.creationTime);
    return {
      '@odata.context': `${req.base}/${req.params.v}/$metadata#security/auditLog/queries/$entity`,
      id: q.id,
      displayName: q.body.displayName ?? null,
      filterStartDateTime: q.body.filterStartDateTime ?? null,
      filterEndDateTime: q.body.filterEndDateTime ?? null,
      recordTypeFilters: strings(q.body.recordTypeFilters),
      keywordFilter: q.body.keywordFilter ?? null,
      serviceFilter: q.body.serviceFilter ?? null,
      serviceFilters: strings(q.body.serviceFilters ?? q.body.serviceFilter),
      operationFilters: strings(q.body.operationFilters),
      userPrincipalNameFilters: strings(q.body.userPrincipalNameFilters),
      ipAddressFilters: strings(q.body.ipAddressFilters),
      objectIdFilters: strings(q.body.objectIdFilters),
      administrativeUnitIdFilters: strings(q.body.administrativeUnitIdFilters),
      status: s,
      approximateReturnedRecordCount: q.records ? Math.min(q.records.length, limit) : null,
      isRecordCountLimitExceeded: (q.records?.length ?? 0) > limit,
      recordCountLimit: limit,
    };
  };

  const create = (req: EmuRequest): Reply => {
    const call = graphGate(world, faults, req, ['AuditLogsQuery.Read.All']);
    if (isReply(call)) return call;
    const body = jsonBody(req);
    if (body === null || (body !== undefined && typeof body !== 'object'))
      return graphError(world, req, 400, 'BadRequest', 'The request body is not valid JSON.');
    const b = (body ?? {}) as Record<string, unknown>;
    if (!world.ualEnabledNow(call.tenantId))
      return graphError(
        world,
        req,
        400,
        'AuditingDisabledTenant',
        'AuditingDisabledTenant: auditing is disabled for this tenant; turn on unified audit log ingestion first.',
      );
    const now = world.now();
    const mine = [...queries.values()].filter((q) => q.tenantId === call.tenantId);
    const tooMany =
      mine.filter((q) => now - q.createdAt < DAY).length >= world.tuning.graphDailyQueryLimit ||
      mine.filter((q) => status(q) !== 'succeeded').length >= world.tuning.graphConcurrentQueryLimit;
    if (tooMany)
      return graphError(
        world,
        req,
        429,
        'TooManyRequests',
        'The tenant has reached its audit log query limit. Retry later.',
        { 'Retry-After': String(world.faults.retryAfterSeconds) },
      );
    const start = typeof b.filterStartDateTime === 'string' ? parseIsoUtc(b.filterStartDateTime) : now - 180 * DAY;
    const end = typeof b.filterEndDateTime === 'string' ? parseIsoUtc(b.filterEndDateTime) : now;
    if (start === null || end === null)
      return graphError(
        world,
        req,
        400,
        'BadRequest',
        'filterStartDateTime and filterEndDateTime must be ISO 8601 date-times.',
      );
    const recordTypes: number[] = [];
    for (const t of strings(b.recordTypeFilters)) {
      const n = resolveRecordType(t.charAt(0).toUpperCase() + t.slice(1));
      if (n === null)
        return graphError(world, req, 400, 'BadRequest', `Requested value '${t}' was not found in auditLogRecordType.`);
      recordTypes.push(n);
    }
    const workloads = strings(b.serviceFilters ?? b.serviceFilter);
    const filter: RecordFilter = {
      recordTypes,
      workloads,
      operations: strings(b.operationFilters),
      userIds: strings(b.userPrincipalNameFilters),
      ipAddresses: strings(b.ipAddressFilters),
      objectIds: strings(b.objectIdFilters),
      freeText: typeof b.keywordFilter === 'string' && b.keywordFilter ? b.keywordFilter : undefined,
    };
    const q: Query = {
      id: stableGuid(world.seed, 'query', call.tenantId, queries.size, now),
      tenantId: call.tenantId,
      createdAt: now,
      body: b,
      filter,
      start,
      end,
    };
    queries.set(q.id, q);
    return json(201, view(req, q), { Location: `${req.base}/${req.params.v}/security/auditLog/queries/${q.id}` });
  };

  const find = (req: EmuRequest): { q: Query } | Reply => {
    const call = graphGate(world, faults, req, ['AuditLogsQuery.Read.All']);
    if (isReply(call)) return call;
    const q = queries.get(req.params.id!);
    if (!q || q.tenantId !== call.tenantId)
      return graphError(world, req, 404, 'NotFound', `The audit log query '${req.params.id}' was not found.`);
    return { q };
  };

  const list = (req: EmuRequest): Reply => {
    const call = graphGate(world, faults, req, ['AuditLogsQuery.Read.All']);
    if (isReply(call)) return call;
    return odataPage(
      req,
      [...queries.values()].filter((q) => q.tenantId === call.tenantId).map((q) => view(req, q)),
      100,
      `${req.base}/${req.params.v}/$metadata#security/auditLog/queries`,
    );
  };

  const get = (req: EmuRequest): Reply => {
    const f = find(req);
    return isReply(f) ? f : json(200, view(req, f.q));
  };

  const records = (req: EmuRequest): Reply => {
    const f = find(req);
    if (isReply(f)) return f;
    if (status(f.q) !== 'succeeded')
      return graphError(
        world,
        req,
        400,
        'BadRequest',
        `The audit log query '${f.q.id}' has not completed yet (status ${status(f.q)}).`,
      );
    view(req, f.q);
    return odataPage(
      req,
      (f.q.records ?? []).slice(0, world.tuning.graphRecordCountLimit).map(graphRecord),
      world.tuning.graphPageSize,
      `${req.base}/${req.params.v}/$metadata#security/auditLog/queries('${f.q.id}')/records`,
    );
  };

  const P = '^/(?<v>v1\\.0|beta)/security/auditLog/queries';
  return [
    { method: 'POST', pattern: new RegExp(`${P}/?$`), service: 'graph', handler: create },
    { method: 'GET', pattern: new RegExp(`${P}/?$`), service: 'graph', handler: list },
    { method: 'GET', pattern: new RegExp(`${P}/(?<id>[^/]+)/?$`), service: 'graph', handler: get },
    { method: 'GET', pattern: new RegExp(`${P}/(?<id>[^/]+)/records/?$`), service: 'graph', handler: records },
  ];
}
