import type { Route } from '../http.js';
import type { FaultGate } from '../faults.js';
import type { World } from '../world.js';
import type { BlobCatalog } from './blobs.js';
import { contentHandlers } from './content.js';
import { subscriptionHandlers } from './subscriptions.js';

/** The Management Activity API's paths (spec §2.1); /api/v1/ too, as NextPageUri uses it. */
export function managementRoutes(world: World, faults: FaultGate, blobs: BlobCatalog): Route[] {
  const s = subscriptionHandlers(world, faults, blobs);
  const c = contentHandlers(world, faults, blobs);
  const P = '^/api/v1(?:\\.0)?/(?<tenant>[^/]+)/activity/feed';
  const r = (method: string, path: string, handler: Route['handler']): Route => ({
    method,
    pattern: new RegExp(`${P}${path}/?$`, 'i'),
    service: 'management',
    handler,
  });
  return [
    r('POST', '/subscriptions/start', s.start),
    r('POST', '/subscriptions/stop', s.stop),
    r('GET', '/subscriptions/list', s.list),
    r('GET', '/subscriptions/content', c.content),
    r('GET', '/subscriptions/notifications', c.notifications),
    r('GET', '/audit/(?<contentId>[^/?]+)', c.blob),
    r('GET', '/resources/dlpSensitiveTypes', c.dlpSensitiveTypes),
  ];
}
