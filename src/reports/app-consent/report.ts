import {
  auditData,
  field,
  modified,
  modifiedProperties,
  nameValues,
  safeJson,
  text,
} from '../../analysis/audit-data.js';
import { RECORD_COLUMNS, recordRow } from '../rows.js';
import { commonParams } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportRow } from '../types.js';
import type { StoredRecord } from '../../core/record.js';
import { meta } from './meta.js';

const parameters = commonParams.extend({});

/** The credentials operation is emitted with an en dash and, sometimes, a trailing space (schema.md quirk 8). */
const CREDENTIALS = [
  'Update application – Certificates and secrets management ',
  'Update application – Certificates and secrets management',
  'Update application - Certificates and secrets management',
  'Add service principal credentials.',
];
const KINDS: Record<string, string> = {
  'consent to application.': 'consent',
  'add service principal.': 'service principal added',
  'add app role assignment to service principal.': 'app role assignment',
  'add app role assignment grant to user.': 'app role assignment',
  'add delegated permission grant.': 'delegated permission grant',
  'add oauth2permissiongrant.': 'delegated permission grant',
  'add owner to application.': 'application owner added',
  'add owner to service principal.': 'application owner added',
  'add application.': 'application added',
};
export const CONSENT_OPERATIONS = [...Object.keys(KINDS).map(proper), ...CREDENTIALS];

function proper(op: string): string {
  const exact: Record<string, string> = { 'add oauth2permissiongrant.': 'Add OAuth2PermissionGrant.' };
  return exact[op] ?? op.charAt(0).toUpperCase() + op.slice(1);
}

function kindOf(operation: string): string {
  const op = operation.toLowerCase().replace(/\s+/g, ' ').trim();
  return KINDS[op] ?? 'credentials added';
}

export const appConsent: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  columns: [...RECORD_COLUMNS, 'kind', 'app', 'appId', 'adminConsent', 'allUsers', 'permissions', 'changed'],
  async run(input, deps) {
    const rows: ReportRow[] = [];
    let adminConsents = 0;
    for await (const record of scan(deps, baseQuery(input, { operations: CONSENT_OPERATIONS }))) {
      const row = consentRow(record);
      if (row.adminConsent === true) adminConsents++;
      input.count(record);
      rows.push(row);
    }
    return {
      rows,
      totals: {
        consents: rows.filter((r) => r.kind === 'consent').length,
        adminConsents,
        credentialsAdded: rows.filter((r) => r.kind === 'credentials added').length,
      },
    };
  },
};

function consentRow(record: StoredRecord): ReportRow {
  const data = auditData(record);
  const kind = kindOf(record.operation);
  const admin = modified(data, 'ConsentContext.IsAdminConsent')?.newValue;
  const allUsers = modified(data, 'ConsentContext.OnBehalfOfAll')?.newValue;
  const perms = modified(data, 'ConsentAction.Permissions')?.newValue ?? '';
  const scopes = [...perms.matchAll(/Scope:\s*([^,\]]*)/g)].map((m) => m[1]!.trim()).filter(Boolean);
  const details = safeJson(nameValues(data, 'ExtendedProperties').get('additionaldetails') ?? '');
  const appId = (details && typeof details === 'object' ? text(field(details, 'AppId')) : '') || record.objectId;
  const targets = Array.isArray(field(data, 'Target')) ? (field(data, 'Target') as Record<string, unknown>[]) : [];
  const appName =
    targets
      .map((t) => text(field(t, 'ID')))
      .find((id) => id && !/^[0-9a-f-]{36}$/i.test(id) && !/^(ServicePrincipal|Application)(_|$)/.test(id)) ?? '';
  const changed =
    kind === 'credentials added'
      ? modifiedProperties(data)
          .map((p) => p.name)
          .filter((n) => n && n !== 'Included Updated Properties')
          .join(', ')
      : '';
  return recordRow(record, {
    kind,
    app: appName || appId,
    appId,
    ...(admin !== undefined ? { adminConsent: /^true$/i.test(admin) } : {}),
    ...(allUsers !== undefined ? { allUsers: /^true$/i.test(allUsers) } : {}),
    permissions: scopes.join(' '),
    ...(changed ? { changed } : {}),
  });
}
