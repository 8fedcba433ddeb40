import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { testTenant } from '../collector/tenant-test.js';
import { loadSecretKey, redact } from '../config/secrets.js';
import { buildTenantRow, connectTenant, type CredentialInput } from '../config/tenants.js';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { NewTenant } from '../server/api-types.js';
import type { TenantAdminApi } from '../server/index.js';
import type { Store } from '../store/contract.js';

/**
 * Registering and testing tenants for the console: the same validation and sealing as `tenant add`
 * (config/tenants.ts) and the same check as `tenant test` (collector/tenant-test.ts), bound here — the
 * composition root — to the data folder's secret key.
 */
export interface TenantAdminDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The data folder's secret key file (Locations.secretKeyFile): secrets are sealed with it. */
  keyFile: string;
  signal?: AbortSignal;
}

/**
 * A tenant id already registered under another name is refused: adding it again used to replace that
 * tenant's credentials and rename it without a word (issue 18.16); so is a name already registered
 * for another tenant id (it silently pointed the name at another tenant).
 */
export async function refuseRename(store: Store, name: string, tenantId: string): Promise<void> {
  const named = await store.tenants.get(name);
  if (
    named &&
    named.name.toLowerCase() === name.toLowerCase() &&
    named.tenantId.toLowerCase() !== tenantId.toLowerCase()
  )
    // The same name for another tenant: its records, checkpoints and posture belong to the first id.
    throw new AppError('CONFLICT', `"${named.name}" is already registered with the tenant id ${named.tenantId}`, {
      hint: `To register ${tenantId}, choose another name; to replace "${named.name}", run tenantwatch tenant remove ${named.name} first`,
      details: { name: named.name, registeredTenantId: named.tenantId },
    });
  const other = await store.tenants.get(tenantId);
  if (!other || other.name === name || other.tenantId.toLowerCase() !== tenantId.toLowerCase()) return;
  throw new AppError('CONFLICT', `The tenant id ${tenantId} is already registered as "${other.name}"`, {
    hint: `To change its settings run tenantwatch tenant add ${other.name} with the same tenant id; to use the name "${name}", run tenantwatch tenant remove ${other.name} first`,
    details: { tenantId, registeredAs: other.name },
  });
}

/** What `tenant add` and `sink add` say of a --ca-file that is not a certificate. */
export const CA_FILE_HINT =
  "Give --ca-file the path of the CA certificate to trust (PEM, e.g. the emulator's tls/ca.pem)";

/**
 * A CA file must be a PEM certificate: its content is never echoed in the error. Checked when a tenant or sink is
 * registered (console, tenant add, sink add), not first at collect or forward time.
 */
export function checkCaFile(
  path: string,
  hint = 'Give the absolute path, on the server, of the CA certificate to trust (PEM)',
): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    new X509Certificate(text);
  } catch {
    throw new AppError('BAD_INPUT', `The CA file ${path.slice(0, 200)} is not a readable PEM certificate`, { hint });
  }
}

function credentialOf(input: NewTenant): CredentialInput {
  return input.clientSecret
    ? { kind: 'secret', secret: input.clientSecret }
    : { kind: 'certificate', certificatePem: input.certificatePem ?? '', privateKeyPem: input.privateKeyPem ?? '' };
}

export function tenantAdminApi(deps: TenantAdminDeps): TenantAdminApi {
  const { store } = deps;
  return {
    async add(input) {
      if (await store.tenants.get(input.name)) {
        throw new AppError('CONFLICT', `A tenant named "${input.name}" is already registered`, {
          hint: 'Pick another name; to change its credential use tenantwatch tenant add on the server',
        });
      }
      await refuseRename(store, input.name, input.tenantId);
      if (input.caFile) checkCaFile(input.caFile);
      const row = buildTenantRow(
        {
          name: input.name,
          tenantId: input.tenantId,
          clientId: input.clientId,
          cloud: input.cloud ?? 'commercial',
          baseUrl: input.baseUrl ?? null,
          caFile: input.caFile ?? null,
          publisherId: input.publisherId ?? null,
          domain: input.domain ?? null,
          credential: credentialOf(input),
        },
        () => loadSecretKey(deps.keyFile, process.env, { create: true }),
        deps.clock.now(),
        null,
      );
      await store.tenants.upsert(row);
      return row;
    },
    async test(row) {
      const conn = connectTenant(row, { keyFile: deps.keyFile, clock: deps.clock, logger: deps.logger });
      try {
        const result = await testTenant(conn, deps.signal);
        const clean = (text: string): string => redact(text, conn.secrets);
        const error = result.error;
        return {
          ok: error === null,
          lines: result.lines.map(clean),
          error: error
            ? { code: error.code, message: clean(error.message), hint: error.hint ? clean(error.hint) : null }
            : null,
        };
      } finally {
        conn.close();
      }
    },
  };
}
