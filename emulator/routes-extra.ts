import type { Route } from './http.js';
import type { FaultGate } from './faults.js';
import type { BlobCatalog } from './management/blobs.js';
import type { World } from './world.js';

/** Graph and Exchange admin REST routes (added as they land). */
export function extraRoutes(_world: World, _faults: FaultGate, _blobs: BlobCatalog): Route[] {
  return [];
}
