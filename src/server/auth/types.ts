import type { Role } from '../../store/auth-contract.js';
import type { TenantScope } from './scope.js';
import type { OidcProvider } from './oidc.js';

/**
 * What a route needs of its caller, declared in its options: `{ config: { role: 'investigator' } }`.
 * `public` routes serve anyone (sign-in itself, the web console's files); a route under /api that
 * declares nothing needs `admin` (fail closed: a forgotten declaration never opens data).
 */
export type RouteRole = Role | 'public';

/** Who is calling, resolved once per request by the auth hook. */
export interface Caller {
  /** The user's name; `local` when the console serves without accounts on loopback; `-` when nobody signed in. */
  user: string;
  role: Role | null;
  via: 'session' | 'token' | 'local' | 'anonymous';
  /** The session id from the cookie (never logged; used to derive the CSRF token and to sign out). */
  sessionId?: string;
  /** The API token's name. */
  token?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role the route needs (server/auth/types.ts RouteRole). */
    role?: RouteRole;
    /** Record every call in the console's audit trail under this action name (server/auth/audit.ts). */
    audit?: string;
    /** false: the route takes no CSRF token (sign-in itself, which has no session yet; Origin is still checked). */
    csrf?: boolean;
  }
  interface FastifyRequest {
    caller: Caller;
    scope: TenantScope;
    /** What a route adds to its audit entry beyond the request (e.g. how a connection test ended). */
    auditNote: Record<string, unknown> | null;
  }
}

export interface AuthOptions {
  /** Serve without sign-in while no account exists (only ever true on a loopback address). */
  openWhenNoAccounts: boolean;
  /** The console is reached over HTTPS (its own TLS or a TLS proxy): cookies get Secure, HSTS is sent. */
  secure: boolean;
  /** Host names (with or without port) the console answers to besides loopback names: DNS-rebinding guard. */
  allowedHosts: readonly string[];
  /** A session ends after this long without a request. */
  idleMs: number;
  /** A session ends this long after sign-in, whatever the activity. */
  absoluteMs: number;
  /** Failed sign-ins in a row that lock an account, and for how long. */
  lockout: { maxAttempts: number; lockMs: number };
  /** Sign-in attempts allowed per address per window (@fastify/rate-limit). */
  loginRate: { max: number; windowMs: number };
  /**
   * OpenID Connect sign-ins started per address per window. Each start keeps a row in the database until its return
   * or its expiry, and needs no sign-in: unlimited, a loop of requests filled the database. Higher than `loginRate`
   * (a start is not a guess of a password; an office behind one address signs in of a morning).
   */
  oidcStartRate: { max: number; windowMs: number };
  oidc?: OidcProvider;
}

export const DEFAULT_AUTH: AuthOptions = {
  openWhenNoAccounts: true,
  secure: false,
  allowedHosts: [],
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
  lockout: { maxAttempts: 5, lockMs: 15 * 60_000 },
  loginRate: { max: 10, windowMs: 60_000 },
  oidcStartRate: { max: 60, windowMs: 60_000 },
};
