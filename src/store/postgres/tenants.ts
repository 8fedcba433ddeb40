import type { Pool } from 'pg';
import type { TenantRow, TenantStore } from '../contract.js';
import { nameTaken, TENANT_COLUMNS, tenantValues, toTenantRow } from '../tenant-rows.js';
import type { TenantSelect } from '../tenant-rows.js';

/** Tenants by name or GUID, both unique without regard to case (unique indexes on lower()). */
export class PostgresTenantStore implements TenantStore {
  constructor(private readonly pool: Pool) {}

  async upsert(row: TenantRow): Promise<void> {
    const marks = TENANT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    // added_at keeps its first value: re-adding a tenant updates it, it does not make it new.
    const updates = TENANT_COLUMNS.slice(1)
      .filter((c) => c !== 'added_at')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    try {
      await this.pool.query(
        `INSERT INTO tenants (${TENANT_COLUMNS.join(', ')}) VALUES (${marks}) ON CONFLICT (tenant_id) DO UPDATE SET ${updates}`,
        tenantValues(row),
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw nameTaken(row, error);
      throw error;
    }
  }

  async list(): Promise<TenantRow[]> {
    return (await this.pool.query<TenantSelect>('SELECT * FROM tenants ORDER BY lower(name)')).rows.map(toTenantRow);
  }

  async get(nameOrId: string): Promise<TenantRow | null> {
    const { rows } = await this.pool.query<TenantSelect>(
      'SELECT * FROM tenants WHERE lower(name) = lower($1) OR lower(tenant_id) = lower($1) ORDER BY lower(name) = lower($1) DESC LIMIT 1',
      [nameOrId],
    );
    return rows[0] ? toTenantRow(rows[0]) : null;
  }

  async remove(nameOrId: string): Promise<boolean> {
    return (
      ((
        await this.pool.query('DELETE FROM tenants WHERE lower(name) = lower($1) OR lower(tenant_id) = lower($1)', [
          nameOrId,
        ])
      ).rowCount ?? 0) > 0
    );
  }
}
