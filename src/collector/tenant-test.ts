import { toAppError, type AppError } from '../core/errors.js';
import { ManagementActivityClient } from '../microsoft/management-activity.js';
import type { TenantConnection } from '../microsoft/types.js';

/**
 * `tenant test`: sign in, list the subscriptions, and — when none is enabled yet — start Audit.General,
 * the call that tells whether unified audit logging is on. Each failure comes back as one AppError in
 * plain words (wrong secret, app unknown or not consented, permission missing, audit log off, wrong
 * cloud or tenant); `lines` says what worked.
 */
export async function testTenant(
  conn: TenantConnection,
  signal?: AbortSignal,
): Promise<{ lines: string[]; error: AppError | null }> {
  const lines: string[] = [`endpoints: login ${conn.endpoints.login}, management ${conn.endpoints.management}`];
  try {
    await conn.tokens.token('management', { forceRefresh: true, ...(signal ? { signal } : {}) });
    lines.push('sign-in: ok (token for the Management Activity API)');
    const client = new ManagementActivityClient(conn);
    const list = await client.listSubscriptions(signal);
    if (!list.ok) return { lines, error: list.failure.error };
    const enabled = list.value.filter((s) => s.status === 'enabled').map((s) => s.contentType);
    lines.push(`subscriptions: ${enabled.length ? enabled.join(', ') : 'none enabled yet'}`);
    if (!enabled.length) {
      const start = await client.startSubscription('Audit.General', signal);
      if (!start.ok) return { lines, error: start.failure.error };
      lines.push('audit log: on (Audit.General subscription started)');
    }
    return { lines, error: null };
  } catch (e) {
    return { lines, error: toAppError(e, 'NETWORK') };
  }
}
