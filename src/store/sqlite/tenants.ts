import type { Database } from 'better-sqlite3';
import type { TenantRow, TenantStore } from '../contract.js';
import { nameTaken, TENANT_COLUMNS, tenantValues, toTenantRow } from '../tenant-rows.js';
import type { TenantSelect } from '../tenant-rows.js';

/** Tenants by name or GUID, both unique and compared without regard to case (COLLATE NOCASE). */
export class SqliteTenantStore implements TenantStore {
  constructor(private readonly db: Database) {}

  async upsert(row: TenantRow): Promise<void> {
    const marks = TENANT_COLUMNS.map(() => '?').join(', ');
    // added_at keeps its first value: re-adding a tenant updates it, it does not make it new.
    const updates = TENANT_COLUMNS.slice(1)
      .filter((c) => c !== 'added_at')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    try {
      this.db
        .prepare(
          `INSERT INTO tenants (${TENANT_COLUMNS.join(', ')}) VALUES (${marks}) ON CONFLICT (tenant_id) DO UPDATE SET ${updates}`,
        )
        .run(tenantValues(row));
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw nameTaken(row, error);
      throw error;
    }
  }

  async list(): Promise<TenantRow[]> {
    return (this.db.prepare('SELECT * FROM tenants ORDER BY name').all() as TenantSelect[]).map(toTenantRow);
  }

  async get(nameOrId: string): Promise<TenantRow | null> {
    const row = this.db
      .prepare('SELECT * FROM tenants WHERE name = ? OR tenant_id = ? ORDER BY name = ? DESC LIMIT 1')
      .get(nameOrId, nameOrId, nameOrId) as TenantSelect | undefined;
    return row ? toTenantRow(row) : null;
  }

  async remove(nameOrId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM tenants WHERE name = ? OR tenant_id = ?').run(nameOrId, nameOrId).changes > 0;
  }
}
