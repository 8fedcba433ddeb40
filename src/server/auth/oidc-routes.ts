import type { FastifyInstance } from 'fastify';
import type { OidcProvider } from './oidc.js';
import type { SignInDeps } from './routes.js';

export function registerOidcRoutes(_app: FastifyInstance, _deps: SignInDeps, _provider: OidcProvider): void {}
