/**
 * SigmaHQ's m365 taxonomy mapped to the unified audit log: `product: m365` with service `audit` (any
 * record), `exchange`, `threat_management` / `threat_detection` (Security & Compliance and Defender
 * records: alerts, AIR, threat intelligence), or a workload name (`sharepoint`, `azureactivedirectory`,
 * `microsoftteams`…). Other products (windows, azure sign-in logs…) are not audit records: such a rule
 * loads and is listed, but is not evaluated.
 */
import { activityFor, anyRecordTypeHasField, recordTypeHasField, recordTypes } from '../../core/catalog/index.js';
import { lookupKey } from '../../core/catalog/lookup-key.js';
import type { Need } from './detection.js';
import { DERIVED_FIELDS } from './fields.js';

const PRODUCTS = new Set(['m365', 'microsoft365', 'office365', 'o365']);

function typesOfWorkloads(...workloads: string[]): Set<number> {
  const wanted = new Set(workloads.map(lookupKey));
  return new Set(
    recordTypes()
      .filter((t) => t.workload && wanted.has(lookupKey(t.workload)))
      .map((t) => t.value),
  );
}

const SERVICES: Record<string, () => Set<number> | null> = {
  audit: () => null,
  exchange: () => typesOfWorkloads('Exchange'),
  threat_management: () => new Set([...typesOfWorkloads('SecurityComplianceCenter', 'ThreatIntelligence'), 64]),
  threat_detection: () => new Set([...typesOfWorkloads('SecurityComplianceCenter', 'ThreatIntelligence'), 64]),
};

export type Mapped = { applies: true; recordTypes: Set<number> | null } | { applies: false; why: string };

export function mapLogsource(logsource: unknown): Mapped {
  const ls = (logsource ?? {}) as Record<string, unknown>;
  const product = typeof ls.product === 'string' ? ls.product.toLowerCase() : '';
  if (!PRODUCTS.has(product))
    return { applies: false, why: `logsource product "${product || 'none'}" is not Microsoft 365 (product: m365)` };
  const service = typeof ls.service === 'string' ? ls.service.toLowerCase() : 'audit';
  const known = SERVICES[service];
  if (known) return { applies: true, recordTypes: known() };
  const byWorkload = typesOfWorkloads(service);
  if (byWorkload.size) return { applies: true, recordTypes: byWorkload };
  return { applies: false, why: `logsource service "${service}" does not map to unified audit log records` };
}

/** The record types a rule can apply to, from its logsource and what its condition requires; null = any. */
export function applicableTypes(service: Set<number> | null, need: Need): Set<number> | null {
  let types = service;
  const meet = (other: Set<number>): void => {
    types = types ? new Set([...types].filter((t) => other.has(t))) : other;
  };
  if (need.recordTypes) meet(need.recordTypes);
  if (need.workloads) meet(typesOfWorkloads(...need.workloads));
  else if (!need.recordTypes && need.operations) {
    const workloads = [...need.operations].map((op) => activityFor(op)?.workload ?? null);
    if (workloads.every((w) => w !== null)) meet(typesOfWorkloads(...workloads));
  }
  return types;
}

/** Seen in real records but missing from the schema doc (shared/corpus): not worth a warning. */
const UNDOCUMENTED = new Set(
  [
    'ErrorNumber',
    'ActorIpAddress',
    'IntraSystemId',
    'SessionId',
    'AppId',
    'ClientAppId',
    'UserAgent',
    'PolicyAction',
    'Version',
    'Name',
  ].map(lookupKey),
);
/** Names Entra keeps in ExtendedProperties / DeviceProperties, which a bare field name reaches. */
const ENTRY_NAMES = new Set(
  [
    'RequestType',
    'UserAgent',
    'ResultStatusDetail',
    'KeepMeSignedIn',
    'UserAuthenticationMethod',
    'OS',
    'BrowserType',
    'IsCompliant',
    'IsCompliantAndManaged',
    'SessionId',
    'TrustType',
    'additionalDetails',
    'extendedAuditEventCategory',
  ].map(lookupKey),
);

/** Null when the field may exist on one of the types, else why not. */
export function unknownField(name: string, types: Set<number> | null): string | null {
  if (DERIVED_FIELDS.has(name.toLowerCase())) return null;
  const top = name.split('.')[0]!;
  const key = lookupKey(top);
  if (UNDOCUMENTED.has(key)) return null;
  const has = (n: string): boolean =>
    types ? [...types].some((t) => recordTypeHasField(t, n)) : anyRecordTypeHasField(n);
  if (has(top) || has(name)) return null;
  if (!name.includes('.') && ENTRY_NAMES.has(key)) return null;
  const where = types
    ? `record types ${[...types]
        .sort((a, b) => a - b)
        .slice(0, 8)
        .join(', ')}${types.size > 8 ? '…' : ''}`
    : 'any record type';
  return `field "${name}" exists in none of the records this rule applies to (${where})`;
}
