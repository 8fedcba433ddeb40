import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { Store } from '../../store/contract.js';
import { Accounts, type Actor, type NewUser } from './accounts.js';
import { ConsoleAuditor } from './audit.js';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from './cookies.js';

/** Test helpers: accounts made directly in the store, and a signed-in browser as inject() options. */
export const TEST_ACTOR: Actor = { user: 'test', via: 'cli', address: null };
export const TEST_PASSWORD = 'correct horse battery staple';

export function accountsOf(store: Store, clock: Clock): Accounts {
  return new Accounts(store, clock, new ConsoleAuditor(store, clock, silentLogger));
}

export async function addUser(store: Store, clock: Clock, user: Partial<NewUser> & { name: string }): Promise<void> {
  await accountsOf(store, clock).addUser(TEST_ACTOR, { role: 'investigator', password: TEST_PASSWORD, ...user });
}

/** A signed-in browser: its cookies, and the headers a state-changing request of the console sends. */
export interface Browser {
  cookie: string;
  csrf: string;
  /** inject() options with the cookies (and, for POST/PUT/DELETE, the CSRF header). */
  with(options: InjectOptions): InjectOptions;
}

export async function signIn(app: FastifyInstance, name: string, password = TEST_PASSWORD): Promise<Browser> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { name, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in of ${name} failed: ${res.statusCode} ${res.body}`);
  const cookies = Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
  const session = cookies[SESSION_COOKIE]!;
  const csrf = cookies[CSRF_COOKIE]!;
  const cookie = `${SESSION_COOKIE}=${session}; ${CSRF_COOKIE}=${csrf}`;
  return {
    cookie,
    csrf,
    with: (options) => ({
      ...options,
      headers: {
        ...(options.headers ?? {}),
        cookie,
        ...(options.method && options.method !== 'GET' ? { [CSRF_HEADER]: csrf } : {}),
      },
    }),
  };
}

/**
 * Waits for the console audit hook of an injected request. The hook writes the entry after the response is sent,
 * and inject resolves as it is sent: an entry that waits on the store (on PostgreSQL, or after asking the trail
 * whether the call only repeats one) may not be written yet. Install before the app's first request: this hook,
 * added after buildServer's, runs after the audit hook (fastify awaits each onResponse hook in turn).
 */
export function auditHookDone(app: FastifyInstance): (res: LightMyRequestResponse) => Promise<void> {
  const done = new WeakSet<object>();
  const waiting = new WeakMap<object, () => void>();
  app.addHook('onResponse', async (request) => {
    done.add(request.raw);
    waiting.get(request.raw)?.();
  });
  return (res) =>
    done.has(res.raw.req) ? Promise.resolve() : new Promise((resolve) => waiting.set(res.raw.req, resolve));
}
