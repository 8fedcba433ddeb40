/**
 * GUIDs are compared without regard to case in Microsoft's world (the tenant's OrganizationId, a record's Id), and
 * every source seen delivers them in lower case (Management Activity API blobs, Graph audit queries,
 * Search-UnifiedAuditLog's AuditData: ../shared/corpus), but a file edited or converted on the way can carry
 * them in upper case. Keyed byte for byte, `ABC…` and `abc…` made two tenants, or the same record twice.
 * tenantwatch keys a GUID in lower case (ADR 0039); anything that is not shaped like a GUID (an import label,
 * a derived id, an anonymised test Id) keeps its exact form.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 8-4-4-4-12 hex digits, in any case (no braces: no source writes them). */
export function isGuid(value: string): boolean {
  return value.length === 36 && GUID.test(value);
}

/**
 * The key form of `value`: a GUID in lower case, anything else unchanged. Cheap for what almost every record
 * carries (a lower-case GUID or a short label): a length test, then a search for an upper-case letter A–F, and only
 * then the shape test (about 45 ns a lower-case GUID here; a loop over the character codes took 75). Returns `value`
 * itself when nothing changes, so callers compare with `===`.
 */
export function canonicalKey(value: string): string {
  return value.length === 36 && UPPER_HEX.test(value) && GUID.test(value) ? value.toLowerCase() : value;
}

const UPPER_HEX = /[A-F]/;
