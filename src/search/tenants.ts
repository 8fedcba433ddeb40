import { AppError } from '../core/errors.js';
import type { Store } from '../store/contract.js';
import { quoted } from '../core/quote.js';

/**
 * People type tenant names; records carry the tenant key (the GUID, or the label a file was imported
 * under). A registered tenant is found by name or GUID; an unregistered key is accepted only when
 * records are stored under it, so a mistyped tenant fails with UNKNOWN_TENANT instead of silently
 * returning nothing.
 */
export async function resolveTenantKeys(store: Store, inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (input.trim() === '')
      throw new AppError('BAD_INPUT', 'The tenant is blank', {
        hint: 'Give a registered tenant name or GUID, or the label records were imported under (tenantwatch tenant list)',
      });
    const row = await store.tenants.get(input);
    if (row) {
      out.push(row.tenantId);
      continue;
    }
    const newest = await store.records.newest([input]);
    if (newest.size === 0) {
      throw new AppError(
        'UNKNOWN_TENANT',
        `No tenant is named ${quoted(input, 100)} and no records are stored under that key`,
        {
          hint: 'tenantwatch tenant list shows the registered tenants; imported records keep the --tenant label they were imported under',
          details: { tenant: input.slice(0, 100) },
        },
      );
    }
    out.push(input);
  }
  return [...new Set(out)];
}
