import type { StoredRecord } from '../../core/record.js';
import { describeMfaDiff, diffMfaMethods } from '../../analysis/mfa-methods.js';
import { auditData, modifiedProperties } from '../../analysis/audit-data.js';

/**
 * Changes to a user's multi-factor authentication (splunk o365_disable_mfa and sigma
 * microsoft365_disabling_mfa, in shared/corpus): the per-user MFA operations, security-info
 * registration, and "Update user." records whose modified properties are StrongAuthentication*.
 */
export const MFA_OPERATIONS = [
  'Disable Strong Authentication.',
  'Enable Strong Authentication.',
  'Update user.',
  'User registered security info',
  'User deleted security info',
  'User changed default security info',
  'Admin registered security info',
  'Admin deleted security info',
  'Admin updated security info',
];

/**
 * What changed, or null when an "Update user." touched nothing about MFA. For the methods themselves it says
 * which: removed, added, replaced, cleared or only the default changed, with the methods before and after.
 */
export function mfaChange(record: StoredRecord): string | null {
  if (record.operation.toLowerCase() !== 'update user.') return record.operation.replace(/\.$/, '');
  const props = modifiedProperties(auditData(record)).filter((p) => /^StrongAuthentication/i.test(p.name));
  if (!props.length) return null;
  return props
    .map((p) => {
      const diff = /^StrongAuthenticationMethod$/i.test(p.name) ? diffMfaMethods(p.oldValue, p.newValue) : null;
      return diff ? describeMfaDiff(diff) : `updated ${p.name}`;
    })
    .join('; ');
}
