import { AppError } from './errors.js';
import { quoted } from './quote.js';

/** The longest label records may be imported under (a GUID is 36; names are at most 64). */
export const MAX_TENANT_LABEL = 200;

/**
 * Refuses a tenant label that search could never reach again: records are stored under it, and `search
 * --tenant a,b` splits on commas and trims each value, so "a, b" (a comma), "   " (blank) or " a" (spaces
 * around) stored records nobody could ask for by name; a control character would also print as something
 * else. `what` names the input (`--tenant`). Returns the label unchanged.
 */
export function checkTenantLabel(label: string, what = '--tenant'): string {
  const why =
    label.trim() === ''
      ? 'is blank'
      : label.includes(',')
        ? 'contains a comma (search --tenant reads a comma as between two tenants)'
        : /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(label)
          ? 'contains a control character'
          : label !== label.trim()
            ? 'begins or ends with a space'
            : label.length > MAX_TENANT_LABEL
              ? `is longer than ${MAX_TENANT_LABEL} characters`
              : null;
  if (why === null) return label;
  throw new AppError('BAD_INPUT', `${what} ${quoted(label, 63)} ${why}, so the records could not be searched by it`, {
    hint: 'Give a registered tenant name, a tenant GUID, or a short label of letters, digits, dots, dashes or underscores, such as contoso or case-2026-11',
    details: { tenant: label.slice(0, 100) },
  });
}
