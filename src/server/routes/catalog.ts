import type { FastifyInstance } from 'fastify';
import { activityCategories } from '../../core/catalog/index.js';

/** The activity picker's catalogue: friendly names grouped by category, as Purview shows them. */
export function registerCatalogRoutes(app: FastifyInstance): void {
  const categories = activityCategories();
  app.get('/api/activities', { config: { role: 'viewer' } }, async (_request, reply) => {
    void reply.header('cache-control', 'max-age=3600');
    return { categories };
  });
}
