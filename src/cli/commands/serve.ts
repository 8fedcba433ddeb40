import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { allowedHostsFor, behindProxy, checkExposure, isLoopback, parseTrustProxy } from '../../server/exposure.js';
import { parseRole } from '../../server/auth/accounts.js';
import type { OidcGroupRule, OidcProvider } from '../../server/auth/oidc.js';
import { openidProvider } from '../../server/auth/oidc-client.js';
import { findWebRoot, parsePort, startConsole, untilAborted } from '../../server/listen.js';
import type { PostureApi, ReportsApi, ServerDeps } from '../../server/index.js';
import { checkTenant, enableTenant, type PostureDeps } from '../../posture/service.js';
import { postureDeps } from '../posture.js';
import { listReports, runReport } from '../../reports/registry.js';
import type { Store, TenantRow } from '../../store/contract.js';
import type { LiveConnection } from '../../config/tenants.js';
import type { CliContext } from '../context.js';
import { reportDeps } from '../tenants.js';
import { tenantAdminApi } from '../tenant-admin.js';
import type { Runner } from '../run.js';
import { startDaemonWork } from '../daemon-work.js';
import { ruleLookup } from './detect.js';
import { firstSeenLookBacks } from '../../detections/history-wait.js';
import { loadRuleSet } from '../../detections/loader.js';
import { alertingConfigOf } from '../live-detections.js';

const collectValues = (value: string, previous: string[] = []): string[] => [...previous, value];

export interface ServeOptions {
  port?: string;
  host: string;
  webhookUrl?: string;
  interval?: string;
  tlsCert?: string;
  tlsKey?: string;
  behindTlsProxy?: boolean;
  trustProxy?: string[];
  allowHost?: string[];
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecretEnv?: string;
  oidcClaim?: string;
  oidcGroupRole?: string[];
  oidcCaFile?: string;
  oidcName?: string;
  /** The console may register tenants with their own base URL and CA file (ServerDeps.allowTenantEndpoints). */
  allowTenantEndpoints?: boolean;
  /** Deliver to the sinks in this process (commander: true unless --no-forward). */
  forward?: boolean;
}

/** `GROUP=ROLE` or `GROUP=ROLE:TENANT,TENANT` (no tenants: every tenant). */
function groupRule(text: string): OidcGroupRule {
  const m = /^([^=]+)=([a-z]+)(?::(.+))?$/.exec(text);
  if (!m) {
    throw new AppError('USAGE', `--oidc-group-role ${text} is not GROUP=ROLE[:TENANT,…]`, {
      hint: 'e.g. --oidc-group-role 5f0c…=investigator:contoso,fabrikam',
    });
  }
  return { group: m[1]!, role: parseRole(m[2]!), tenants: m[3] ? m[3].split(',') : ['*'] };
}

/** The OpenID Connect issuer the flags name, discovered at start so a wrong issuer fails at once. */
async function oidcOf(opts: ServeOptions): Promise<OidcProvider | undefined> {
  if (!opts.oidcIssuer) return undefined;
  const secret = opts.oidcClientSecretEnv ? process.env[opts.oidcClientSecretEnv] : undefined;
  if (!opts.oidcClientId || !secret) {
    throw new AppError('USAGE', 'OpenID Connect needs --oidc-client-id and --oidc-client-secret-env VAR (set)', {
      hint: "Register the console as a web app at the issuer and give its client id and secret's variable",
    });
  }
  return openidProvider({
    issuer: opts.oidcIssuer,
    clientId: opts.oidcClientId,
    clientSecret: secret,
    ...(opts.oidcClaim ? { claim: opts.oidcClaim } : {}),
    groupRules: (opts.oidcGroupRole ?? []).map(groupRule),
    ca: opts.oidcCaFile ? readPem(opts.oidcCaFile, 'CA') : null,
    name: opts.oidcName ?? 'single sign-on',
  });
}

function webhookHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    throw new AppError('USAGE', `--webhook-url ${url.slice(0, 100)} is not a URL`, {
      hint: 'Give the public HTTPS URL that reaches this server, e.g. https://tw.example.com/api/webhooks/management',
    });
  }
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('FILE_NOT_FOUND', `The TLS ${what} ${file} cannot be read: ${(e as Error).message}`, {
      hint: `Give the PEM file of the ${what} with --tls-${what === 'certificate' ? 'cert' : 'key'}`,
      cause: e,
    });
  }
}

/** TLS, host checks and sign-in as the flags ask, refusing an unsafe exposure (server/exposure.ts). */
async function securityOf(
  store: Store,
  opts: ServeOptions,
): Promise<Pick<ServerDeps, 'https' | 'auth' | 'trustProxy'>> {
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) {
    throw new AppError('USAGE', 'HTTPS needs both --tls-cert and --tls-key', {
      hint: 'Give the certificate (PEM, with its chain) and its private key (PEM)',
    });
  }
  const https =
    opts.tlsCert && opts.tlsKey
      ? { cert: readPem(opts.tlsCert, 'certificate'), key: readPem(opts.tlsKey, 'key') }
      : undefined;
  const trustProxy = parseTrustProxy(opts.trustProxy ?? []);
  const exposure = {
    host: opts.host,
    accounts: await store.auth.countUsers(),
    tls: Boolean(https),
    behindTlsProxy: Boolean(opts.behindTlsProxy),
    trustProxy,
  };
  checkExposure(exposure);
  const oidc = await oidcOf(opts);
  return {
    ...(https ? { https } : {}),
    ...(trustProxy.length ? { trustProxy } : {}),
    auth: {
      ...(oidc ? { oidc } : {}),
      openWhenNoAccounts: isLoopback(opts.host) && !behindProxy(exposure),
      secure: Boolean(https) || Boolean(opts.behindTlsProxy),
      allowedHosts: allowedHostsFor(opts.host, opts.allowHost ?? []),
    },
  };
}

/**
 * The reports engine as the server wants it, bound to this store; admin-activity asks Graph for the
 * role holders of registered tenants, as `tenantwatch report` does (connections closed after each run).
 */
function reportsApi(store: Store, ctx: CliContext): ReportsApi {
  return {
    list: () => listReports(),
    run: async (id, params, options) => {
      const opened: LiveConnection[] = [];
      try {
        return await runReport(id, params, reportDeps(ctx, store, opened), options);
      } finally {
        for (const c of opened) c.close();
      }
    },
  };
}

/** Audit-config check and enable for the console, as the CLI does them (connections closed after each call). */
function postureApi(store: Store, ctx: CliContext): PostureApi {
  const withTenant = async <T>(name: string, work: (deps: PostureDeps, tenant: TenantRow) => Promise<T>) => {
    const tenant = await store.tenants.get(name);
    if (!tenant)
      throw new AppError('UNKNOWN_TENANT', `No tenant "${name.slice(0, 100)}" is registered`, {
        hint: 'GET /api/tenants lists them',
      });
    const opened: LiveConnection[] = [];
    try {
      return await work(postureDeps(ctx, store, opened), tenant);
    } finally {
      for (const c of opened) c.close();
    }
  };
  return {
    check: (name) => withTenant(name, (deps, tenant) => checkTenant(deps, tenant, ctx.signal)),
    enable: (name, apply) =>
      withTenant(name, (deps, tenant) =>
        enableTenant(deps, tenant, { mailboxes: 'all' }, { dryRun: !apply, signal: ctx.signal }),
      ),
  };
}

/** Serves the console over `store` until Ctrl-C (shared by `serve` and `demo`). */
export async function serveConsole(
  ctx: CliContext,
  store: Store,
  opts: ServeOptions,
  collector?: ServerDeps['collector'],
  webhooks?: ServerDeps['webhooks'],
  onListening?: () => void,
): Promise<void> {
  const webRoot = findWebRoot();
  const security = await securityOf(store, opts);
  // The rules the console describes and the first-seen ones it says are waiting: the pack and alerting.yaml's folders.
  const ruleSet = loadRuleSet({ paths: alertingConfigOf(ctx).ruleFolders });
  const running = await startConsole(
    {
      ...security,
      store,
      clock: ctx.clock,
      ...(ctx.accountsClock ? { accountsClock: ctx.accountsClock } : {}),
      logger: ctx.logger,
      reports: reportsApi(store, ctx),
      posture: postureApi(store, ctx),
      tenantAdmin: tenantAdminApi({
        store,
        clock: ctx.clock,
        logger: ctx.logger,
        keyFile: ctx.locations.secretKeyFile,
        signal: ctx.signal,
      }),
      ...(opts.allowTenantEndpoints ? { allowTenantEndpoints: true } : {}),
      rules: ruleLookup(ruleSet),
      firstSeen: firstSeenLookBacks(ruleSet),
      ...(collector ? { collector } : {}),
      ...(webhooks ? { webhooks } : {}),
      ...(webRoot ? { webRoot } : {}),
    },
    { port: parsePort(opts.port, 8080), host: opts.host },
  );
  ctx.out.write(`tenantwatch console: ${running.url}\n`);
  // The server sweeps by retention and keeps the sinks flowing too (unless --no-forward).
  const daemon = startDaemonWork(ctx, store, { forward: opts.forward === true });
  onListening?.();
  if (!webRoot)
    ctx.err.write('tenantwatch: the web console is not built (npm run build:web); the API is served under /api\n');
  await untilAborted(ctx.signal);
  await daemon.stop();
  await running.close();
}

export function register(program: Command, run: Runner): void {
  program
    .command('serve')
    .description('HTTP API and web console (binds 127.0.0.1 unless --host says otherwise)')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <address>', 'address to bind; off loopback it needs accounts and TLS', '127.0.0.1')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM, with its chain)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--behind-tls-proxy', 'a TLS proxy in front terminates HTTPS (cookies get Secure)')
    .option(
      '--trust-proxy <address>',
      "a reverse proxy's address or CIDR whose X-Forwarded-For/-Proto/-Host are believed; repeat (off by default)",
      collectValues,
    )
    .option(
      '--oidc-issuer <url>',
      'sign in with OpenID Connect (Entra ID: https://login.microsoftonline.com/TENANT/v2.0)',
    )
    .option('--oidc-client-id <id>', "the console's client id at the issuer")
    .option('--oidc-client-secret-env <var>', 'environment variable holding its client secret')
    .option('--oidc-claim <claim>', 'id-token claim that names the user', 'preferred_username')
    .option(
      '--oidc-group-role <rule>',
      'GROUP=ROLE[:TENANT,…]: people in the group get the role; repeat',
      collectValues,
    )
    .option('--oidc-ca-file <file>', "extra CA to trust for the issuer (the emulator's)")
    .option('--oidc-name <text>', 'label of the sign-in button', 'single sign-on')
    .option(
      '--allow-host <name>',
      'a host name people use to reach the console (DNS-rebinding guard); repeat',
      collectValues,
    )
    .option(
      '--webhook-url <url>',
      "public HTTPS URL that reaches this server's /api/webhooks/management: collect every tenant with Management API webhooks (authId from TENANTWATCH_WEBHOOK_AUTH_ID)",
    )
    .option('--interval <span>', 'with --webhook-url: the safety-net poll between webhook notifications', '30m')
    .option('--no-forward', 'do not deliver to the sinks in this process (another one does)')
    .option(
      '--allow-tenant-endpoints',
      "let the console's Add tenant set a base URL and a CA file (a path read on this server, any HTTPS host); off: only tenantwatch tenant add sets them",
    )
    .action(
      run(async (ctx, opts: ServeOptions, command: Command) => {
        // Without --webhook-url, serve collects nothing: an --interval was silently ignored, which read as
        // "serve polls every 5m".
        if (!opts.webhookUrl && command.getOptionValueSource('interval') === 'cli')
          throw new AppError(
            'USAGE',
            '--interval is the safety-net poll of --webhook-url, and no --webhook-url was given',
            {
              hint: 'tenantwatch serve collects only with --webhook-url; to collect by polling run tenantwatch collect --follow --interval SPAN beside it',
            },
          );
        if (!opts.webhookUrl) return serveConsole(ctx, await ctx.store(), opts);
        // Microsoft calls the webhook on the public URL's host name: the host check must accept it.
        opts.allowHost = [...(opts.allowHost ?? []), webhookHost(opts.webhookUrl)];
        const { serveWithWebhooks } = await import('./serve-webhooks.js');
        return serveWithWebhooks(ctx, opts, opts.webhookUrl, serveConsole);
      }),
    );
}
