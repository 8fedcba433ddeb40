import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { toRecordView } from '../../search/formats.js';
import type { ApiParams, ApiResponse } from '../api-types.js';
import { canonicalKey } from '../../core/guid.js';
import { storedKeys } from '../../search/tenants.js';
import { forbiddenTenant } from '../auth/scope.js';
import type { ServerDeps } from '../deps.js';

const MAX_KEY = 512;

/** One record in full (the detail pane): every derived column plus the original AuditData, parsed. */
export function registerRecordRoutes(app: FastifyInstance, deps: ServerDeps): void {
  type Route = 'GET /api/records/:tenant/:id';
  const options = { config: { role: 'investigator', audit: 'record.view' } } as const;
  app.get<{ Params: ApiParams<Route> }>(
    '/api/records/:tenant/:id',
    options,
    async (request): Promise<ApiResponse<Route>> => {
      const { tenant, id } = request.params;
      if (!request.scope.allows(tenant)) throw forbiddenTenant(tenant);
      if (!tenant || !id || tenant.length > MAX_KEY || id.length > MAX_KEY) {
        throw new AppError('BAD_INPUT', 'A record is named by its tenant and its Id, each at most 512 characters', {
          hint: 'Use the tenant and id fields of a search result',
        });
      }
      const row = await deps.store.tenants.get(tenant);
      const first = row?.tenantId ?? tenant;
      // A GUID Id is stored in lower case (ADR 0039), but one pasted from elsewhere may be upper case; an earlier
      // version kept the case the source wrote, so the Id as given is tried first.
      const ids = [...new Set([id, canonicalKey(id)])];
      const found = async (key: string) => {
        for (const asked of ids) {
          const record = await deps.store.records.get(key, asked);
          if (record) return record;
        }
        return null;
      };
      const record = await found(first);
      if (record) return toRecordView(record);
      // The tenant under another spelling, as search finds it (search/tenants.ts), each within the caller's scope: an
      // import label asked for in another case than stored ("case-2026" for "Case-2026"), or a GUID an earlier
      // version stored in upper case.
      for (const key of await storedKeys(deps.store, first)) {
        if (key === first || !request.scope.allows(key)) continue;
        const alike = await found(key);
        if (alike) return toRecordView(alike);
      }
      throw new AppError('NOT_FOUND', `No record ${id.slice(0, 100)} is stored for tenant ${tenant.slice(0, 100)}`, {
        hint: 'Search again: the record may belong to another tenant',
      });
    },
  );
}
