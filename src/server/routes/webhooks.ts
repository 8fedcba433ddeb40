import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../deps.js';

/**
 * POST /api/webhooks/management: where the Office 365 Management Activity API notifies new content
 * blobs (spec §2.2, §2.8), one endpoint for every tenant (each item carries its tenantId).
 *
 * Authentication: this route is called by Microsoft, not by a person in the console, so it is NOT
 * behind the console's sign-in or tenant scope (src/server/auth must leave it open). It is authenticated
 * by the `Webhook-AuthID` header instead: Microsoft echoes the authId tenantwatch gave when it started the
 * subscription; anything else is refused with 401 and logged (the header's value never is).
 *
 * - the validation handshake (`{"validationCode"}` with Webhook-ValidationCode) is answered 200;
 * - a notification (an array of content objects) is answered 200 at once, its blobs fetched right after
 *   by the collector (Microsoft counts a slow or non-200 answer as a failed delivery and, after many,
 *   disables the webhook).
 */
export const WEBHOOK_PATH = '/api/webhooks/management';

export function registerWebhookRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const endpoint = deps.webhooks;
  if (!endpoint) return;
  // Called by Microsoft, not a console user: no sign-in, no CSRF token; the Webhook-AuthID header is checked below.
  app.post(WEBHOOK_PATH, { config: { role: 'public', csrf: false } }, async (req, reply) => {
    const header = req.headers['webhook-authid'];
    const given = Array.isArray(header) ? header[0] : header;
    if (!endpoint.authorized(given)) {
      endpoint.refused(req.ip, given !== undefined);
      return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'Webhook-AuthID does not match' } });
    }
    const body: unknown = req.body;
    if (Array.isArray(body)) return reply.code(200).send(endpoint.accept(body));
    if (body && typeof body === 'object' && 'validationCode' in body) return reply.code(200).send({});
    return reply
      .code(400)
      .send({ error: { code: 'BAD_INPUT', message: 'Expected a validation request or an array of content objects' } });
  });
}
