import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';

/** Nesting read of a JSON body: the API's bodies are flat objects with a few lists. */
const MAX_DEPTH = 8;

/** The first place `value` holds a NUL character ("the user parameter", "the name field"), or null. */
function nulIn(value: unknown, where: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? where : null;
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = nulIn(item, where, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes('\u0000')) return 'a parameter or field name';
    // The path's wildcard (a console page's path) is named "*" by fastify.
    const found = nulIn(item, depth === 0 ? where.replace('…', key === '*' ? 'page' : key) : where, depth + 1);
    if (found) return found;
  }
  return null;
}

function nulOf(request: FastifyRequest): string | null {
  return (
    nulIn(request.params, 'the … in the path') ??
    nulIn(request.query, 'the … parameter') ??
    nulIn(request.body, 'the … field of the body')
  );
}

/**
 * Refuses a request whose path, query or JSON body holds a NUL character, before any route reads it. No
 * tenant, record id, name or filter holds one, and a store cannot take it: PostgreSQL refuses NUL in text,
 * so each such request — a record id, an alert id, a sign-in name from anyone who reaches the port — was a
 * 500; SQLite read it as the end of the value. Runs after the auth hook (a caller not signed in is told
 * that first) and before the route.
 */
export function refuseNul(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const where = nulOf(request);
    if (where === null) return;
    throw new AppError('BAD_INPUT', `${where[0]!.toUpperCase()}${where.slice(1)} contains a NUL character`, {
      hint: 'Remove the NUL (\\0 or %00) character: no tenant, record, name or filter holds one',
    });
  });
}
