import type { Route } from './http.js';
import type { FaultGate } from './faults.js';
import type { BlobCatalog } from './management/blobs.js';
import type { World } from './world.js';
import { exchangeRoutes } from './exchange/routes.js';
import { auditQueryRoutes } from './graph/audit-queries.js';
import { directoryRoutes } from './graph/directory.js';

/** Exchange admin REST and Graph routes. */
export function extraRoutes(world: World, faults: FaultGate, blobs: BlobCatalog): Route[] {
  return [
    ...exchangeRoutes(world, faults, blobs),
    ...directoryRoutes(world, faults),
    ...auditQueryRoutes(world, faults, blobs),
  ];
}
