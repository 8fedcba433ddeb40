import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../index.js';
import { NOW, testDeps } from '../testing/fixtures.js';
import type { ServerDeps } from '../deps.js';
import { addUser } from './testing.js';
import type { OidcIdentity, OidcProvider } from './oidc.js';
import { subjectLink } from './oidc-client.js';

/**
 * Which account an OpenID Connect sign-in reaches when the issuer's names move: the subject is the person, the
 * claim's value (a user name, an address) only names them and can be given to someone else later.
 */
const ISSUER = 'https://issuer.example';
const person = (sub: string, name: string, groups: string[] = []): OidcIdentity => ({
  externalId: subjectLink(ISSUER, sub),
  claimId: `${ISSUER}|${name}`,
  name,
  groups,
});

let next: OidcIdentity = person('s-1', 'alice');
const provider: OidcProvider = {
  name: 'Test issuer',
  groupRules: [{ group: 'staff', role: 'viewer', tenants: ['*'] }],
  start: async (redirectUri) => ({
    url: `${ISSUER}/authorize`,
    pending: { codeVerifier: 'v', state: 's', nonce: 'n', redirectUri, createdAt: NOW },
  }),
  finish: async () => next,
};

const apps: { app: FastifyInstance; deps: ServerDeps }[] = [];
after(async () => {
  for (const { app, deps } of apps) {
    await app.close();
    await deps.store.close();
  }
});

async function server() {
  const deps = await testDeps({ auth: { oidc: provider } }, []);
  const app = await buildServer(deps);
  apps.push({ app, deps });
  return { app, deps };
}

/** Who the issuer sends back as `who`: the console user signed in, or the reason it refused. */
async function signIn(app: FastifyInstance, who: OidcIdentity): Promise<string> {
  next = who;
  const start = await app.inject('/api/auth/oidc/start');
  const pending = start.cookies.find((c) => c.name === 'tw_oidc')!;
  const back = await app.inject({
    url: '/api/auth/oidc/callback?code=c&state=s',
    headers: { cookie: `tw_oidc=${pending.value}` },
  });
  const session = back.cookies.find((c) => c.name === 'tw_session');
  if (!session) return `refused: ${decodeURIComponent(back.cookies.find((c) => c.name === 'tw_signin_error')!.value)}`;
  const me = await app.inject({ url: '/api/auth/me', headers: { cookie: `tw_session=${session.value}` } });
  return String(me.json().user);
}

test("a name the issuer gives to another person later does not lead to the first person's account", async () => {
  const { app, deps } = await server();
  await addUser(deps.store, deps.clock, { name: 'root', role: 'admin' });
  await addUser(deps.store, deps.clock, { name: 'alice', role: 'investigator' });
  assert.equal(await signIn(app, person('s-1', 'alice')), 'alice', 'linked by name at the first sign-in');
  assert.equal((await deps.store.auth.getUser('alice'))?.externalId, `${ISSUER}|sub:s-1`);
  // Alice leaves; her user name goes to a new person at the issuer.
  assert.match(await signIn(app, person('s-2', 'alice')), /^refused: .*alice/);
  // Alice herself, renamed at the issuer, still reaches her account.
  assert.equal(await signIn(app, person('s-1', 'alice.smith')), 'alice');
});

test("an admin's link by the claim's value (or an older version's) is pinned to the subject at its first use", async () => {
  const { app, deps } = await server();
  await addUser(deps.store, deps.clock, { name: 'root', role: 'admin' });
  await addUser(deps.store, deps.clock, { name: 'bob', role: 'viewer', externalId: `${ISSUER}|bob@contoso.com` });
  assert.equal(await signIn(app, person('s-7', 'bob@contoso.com')), 'bob');
  assert.equal((await deps.store.auth.getUser('bob'))?.externalId, `${ISSUER}|sub:s-7`);
  assert.match(await signIn(app, person('s-8', 'bob@contoso.com')), /^refused: /, 'the name alone no longer fits');
  assert.equal(await signIn(app, person('s-7', 'bob@contoso.com')), 'bob');
});

test('an account the group rules made is linked by subject; the same name from another subject is refused', async () => {
  const { app, deps } = await server();
  assert.equal(await signIn(app, person('s-3', 'carol', ['staff'])), 'carol');
  assert.equal((await deps.store.auth.getUser('carol'))?.externalId, `${ISSUER}|sub:s-3`);
  assert.match(await signIn(app, person('s-4', 'carol', ['staff'])), /^refused: /);
});
