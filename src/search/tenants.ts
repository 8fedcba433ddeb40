import { AppError } from '../core/errors.js';
import type { Store } from '../store/contract.js';
import { quoted } from '../core/quote.js';
import { isGuid } from '../core/guid.js';

/** Where else than the records a tenant key may be filed: alerts outlive their records (retention, purge). */
export interface KeyLookup {
  /**
   * The keys something (alerts) is filed under that `label` names: itself when filed under exactly, else those equal
   * to it without regard to case, as for records (storedKeys); a key no record carries any more is still named.
   */
  filedUnder?: (label: string) => Promise<string[]>;
  /**
   * The keys something (alerts) is filed under that equal one of these GUIDs but for case: an earlier version filed
   * under the spelling its records came in (ADR 0039), and an alert outlives its records, so the records' own
   * spellings (RecordStore.guidTenantKeys) do not name it once they are gone.
   */
  guidSpellings?: (guids: readonly string[]) => Promise<string[]>;
}

/** The alerts' tenant filter (API and `alerts list --tenant`): a key alerts are filed under is named too. */
export function alertKeys(store: Store): KeyLookup {
  return {
    filedUnder: async (label) => {
      const keys = await store.alerts.tenantKeys();
      if (keys.includes(label)) return [label];
      const folded = label.toLowerCase();
      return keys.filter((k) => k.toLowerCase() === folded);
    },
    guidSpellings: async (guids) => {
      if (!guids.length) return [];
      const wanted = new Set(guids.map((g) => g.toLowerCase()));
      return (await store.alerts.tenantKeys()).filter((k) => isGuid(k) && wanted.has(k.toLowerCase()));
    },
  };
}

/**
 * People type tenant names; records carry the tenant key (the GUID, or the label a file was imported
 * under). A registered tenant is found by name or GUID; an unregistered key is accepted only when
 * records are stored under it (or equal but for case: storedKeys), or `lookup` has something filed under it, so a
 * mistyped tenant fails with UNKNOWN_TENANT instead of silently returning nothing. The one rule of every tenant
 * filter: search, reports and alerts, in the CLI and (through server/auth/scope.ts searchTenants) the API.
 */
export async function resolveTenantKeys(
  store: Store,
  inputs: readonly string[],
  lookup: KeyLookup = {},
): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (input.trim() === '')
      throw new AppError('BAD_INPUT', 'The tenant is blank', {
        hint: 'Give a registered tenant name or GUID, or the label records were imported under (tenantwatch tenant list)',
      });
    const row = await store.tenants.get(input);
    if (row) {
      out.push(row.tenantId, ...(await storedKeys(store, row.tenantId)));
      out.push(...((await lookup.guidSpellings?.([row.tenantId])) ?? []));
      continue;
    }
    const alike = await storedKeys(store, input);
    if (isGuid(input)) alike.push(...((await lookup.guidSpellings?.([input])) ?? []));
    if (alike.length === 0) alike.push(...((await lookup.filedUnder?.(input)) ?? []));
    if (alike.length === 0) {
      throw new AppError(
        'UNKNOWN_TENANT',
        `No tenant is named ${quoted(input, 100)} and no records are stored under that key`,
        {
          hint: 'tenantwatch tenant list shows the registered tenants; imported records keep the label tenantwatch import --tenant gave them',
          details: { tenant: input.slice(0, 100) },
        },
      );
    }
    out.push(...alike);
  }
  return [...new Set(out)];
}

/**
 * The keys records are stored under that `label` names: itself when records carry it exactly, else every key
 * equal to it without regard to case. Registered names and GUIDs match without regard to case (the tenants
 * table), and so does a user's list of tenants (server/auth/scope.ts); a label imported as "Case-2026" asked
 * for as "case-2026" was UNKNOWN_TENANT though the caller's scope let it through. The records' own tenant
 * column stays byte for byte (its indexes serve every search), so the case-blind look-up is only the fallback
 * when the exact key has no records: a targeted look-up in the store (`tenantKeysAlike`, a few index seeks). It
 * listed every stored tenant key, each with its newest record, on every request naming a label not stored as typed
 * (a mistyped tenant too). A GUID always names every spelling stored: new records are keyed in lower case, but an
 * earlier version kept the case a file wrote it in, so one tenant's records can be under two keys (ADR 0039).
 */
export async function storedKeys(store: Store, label: string): Promise<string[]> {
  if (!isGuid(label) && (await store.records.newest([label])).size > 0) return [label];
  return store.records.tenantKeysAlike(label);
}
