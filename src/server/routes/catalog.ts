import type { FastifyInstance } from 'fastify';
import { activityCategories } from '../../core/catalog/index.js';
import type { ApiResponse } from '../api-types.js';

/** The activity picker's catalogue: friendly names grouped by category, as Purview shows them. */
export function registerCatalogRoutes(app: FastifyInstance): void {
  const categories = activityCategories();
  app.get('/api/activities', async (_request, reply): Promise<ApiResponse<'GET /api/activities'>> => {
    void reply.header('cache-control', 'max-age=3600');
    return { categories };
  });
}
