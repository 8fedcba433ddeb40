import type { Pool, PoolClient } from 'pg';
import {
  applyUserChange,
  type AccountsCheck,
  type AuthStore,
  type ConsoleAuditEntry,
  type ConsoleAuditFilter,
  type ConsoleAuditStore,
  type SessionRow,
  type TenantGroupRow,
  type TokenRow,
  type UserChange,
  type UserRow,
} from '../auth-contract.js';
import {
  AUDIT_COLUMNS,
  auditQuery,
  auditValues,
  nameTakenError,
  SESSION_COLUMNS,
  sessionValues,
  TOKEN_COLUMNS,
  tokenValues,
  toAuditEntry,
  toSessionRow,
  toTokenRow,
  toUserRow,
  USER_COLUMNS,
  userChangeSets,
  userValues,
  type AuditSelect,
  type SessionSelect,
  type TokenSelect,
  type UserSelect,
} from '../auth-rows.js';
import { inTransaction } from './transaction.js';

const marks = (n: number): string => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');
const isUnique = (e: unknown): boolean => (e as { code?: string }).code === '23505';

/** The pool, or a client inside a transaction. */
type Queryable = Pick<PoolClient, 'query'>;

async function putUserIn(client: Queryable, row: UserRow): Promise<void> {
  // created_at keeps its first value: every column but it is set on update.
  const kept = USER_COLUMNS.indexOf('created_at');
  const columns = USER_COLUMNS.filter((_, i) => i !== kept);
  const sets = columns
    .slice(1)
    .map((c, i) => `${c} = $${i + 2}`)
    .join(', ');
  const updated = await client.query(
    `UPDATE users SET ${sets} WHERE lower(name) = lower($1)`,
    userValues(row).filter((_, i) => i !== kept),
  );
  if (updated.rowCount === 0) {
    await client.query(
      `INSERT INTO users (${USER_COLUMNS.join(', ')}) VALUES (${marks(USER_COLUMNS.length)})`,
      userValues(row),
    );
  }
}

async function removeUserIn(client: Queryable, name: string): Promise<boolean> {
  await client.query('DELETE FROM sessions WHERE lower(user_name) = lower($1)', [name]);
  await client.query('DELETE FROM api_tokens WHERE lower(user_name) = lower($1)', [name]);
  return ((await client.query('DELETE FROM users WHERE lower(name) = lower($1)', [name])).rowCount ?? 0) > 0;
}

async function groupsIn(client: Queryable): Promise<TenantGroupRow[]> {
  const { rows } = await client.query<{ name: string; tenants: string; updated_at: string }>(
    'SELECT * FROM tenant_groups ORDER BY lower(name)',
  );
  return rows.map((r) => ({
    name: r.name,
    tenants: JSON.parse(r.tenants) as string[],
    updatedAt: Number(r.updated_at),
  }));
}

async function putGroupIn(client: Queryable, row: TenantGroupRow): Promise<void> {
  const values = [row.name, JSON.stringify(row.tenants), row.updatedAt];
  const updated = await client.query(
    'UPDATE tenant_groups SET tenants = $2, updated_at = $3 WHERE lower(name) = lower($1)',
    values,
  );
  if (updated.rowCount === 0)
    await client.query('INSERT INTO tenant_groups (name, tenants, updated_at) VALUES ($1, $2, $3)', values);
}

async function removeGroupIn(client: Queryable, name: string): Promise<boolean> {
  return ((await client.query('DELETE FROM tenant_groups WHERE lower(name) = lower($1)', [name])).rowCount ?? 0) > 0;
}

/** Accounts, groups, sessions and tokens in PostgreSQL (names unique on lower(name), matched by lower()). */
export class PostgresAuthStore implements AuthStore {
  constructor(private readonly pool: Pool) {}

  async putUser(row: UserRow): Promise<void> {
    try {
      await inTransaction(this.pool, (client) => putUserIn(client, row));
    } catch (e) {
      if (isUnique(e)) throw nameTakenError('user', row.externalId ?? row.name, e);
      throw e;
    }
  }

  private async oneUser(where: string, value: string): Promise<UserRow | null> {
    const { rows } = await this.pool.query<UserSelect>(`SELECT * FROM users WHERE ${where}`, [value]);
    return rows[0] ? toUserRow(rows[0]) : null;
  }

  getUser(name: string): Promise<UserRow | null> {
    return this.oneUser('lower(name) = lower($1)', name);
  }

  findUserByExternalId(externalId: string): Promise<UserRow | null> {
    return this.oneUser('external_id = $1', externalId);
  }

  async listUsers(): Promise<UserRow[]> {
    return (await this.pool.query<UserSelect>('SELECT * FROM users ORDER BY lower(name)')).rows.map(toUserRow);
  }

  async countUsers(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]?.n ?? 0);
  }

  async removeUser(name: string): Promise<boolean> {
    return inTransaction(this.pool, (client) => removeUserIn(client, name));
  }

  async changeUserChecked(name: string, row: UserRow | null, check: AccountsCheck): Promise<boolean> {
    try {
      return await this.checked(check, async (client) => {
        if (row === null) return removeUserIn(client, name);
        await putUserIn(client, row);
        return true;
      });
    } catch (e) {
      if (row && isUnique(e)) throw nameTakenError('user', row.externalId ?? row.name, e);
      throw e;
    }
  }

  /**
   * The row is held from its read to the write (FOR UPDATE; with a check, the lock of `checked` as well), and
   * only the columns the change names are written.
   */
  async updateUser(name: string, change: UserChange, check?: AccountsCheck): Promise<UserRow | null> {
    return this.checked(check ?? null, async (client) => {
      const { rows } = await client.query<UserSelect>('SELECT * FROM users WHERE lower(name) = lower($1) FOR UPDATE', [
        name,
      ]);
      if (!rows[0]) return null;
      const before = toUserRow(rows[0]);
      const after = applyUserChange(before, change);
      const { columns, values } = userChangeSets(before, after, change);
      const sets = columns.map((c, i) => `${c} = $${i + 2}`).join(', ');
      await client.query(`UPDATE users SET ${sets} WHERE lower(name) = lower($1)`, [name, ...values]);
      return after;
    });
  }

  async changeGroupChecked(name: string, row: TenantGroupRow | null, check: AccountsCheck): Promise<boolean> {
    return this.checked(check, async (client) => {
      if (row === null) return removeGroupIn(client, name);
      await putGroupIn(client, row);
      return true;
    });
  }

  /**
   * Runs `write` after `check` accepted every user and group. The users table is locked first (SHARE ROW
   * EXCLUSIVE: no other writer of users, nor another such change — of a user or of a group — until commit;
   * readers go on), so the users and groups read are the ones the write applies to. Without a check, only
   * the transaction.
   */
  private checked<T>(check: AccountsCheck | null, write: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      if (check) {
        await client.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
        const users = (await client.query<UserSelect>('SELECT * FROM users ORDER BY lower(name)')).rows.map(toUserRow);
        check(users, await groupsIn(client));
      }
      return write(client);
    });
  }

  async recordFailure(
    name: string,
    at: number,
    policy: { maxAttempts: number; lockMs: number },
  ): Promise<UserRow | null> {
    const { rows } = await this.pool.query<UserSelect>(
      `UPDATE users SET
         locked_until = CASE WHEN failed_attempts + 1 >= $1 THEN $2 ELSE locked_until END,
         failed_attempts = CASE WHEN failed_attempts + 1 >= $1 THEN 0 ELSE failed_attempts + 1 END
       WHERE lower(name) = lower($3) RETURNING *`,
      [policy.maxAttempts, at + policy.lockMs, name],
    );
    return rows[0] ? toUserRow(rows[0]) : null;
  }

  async putPending(keyHash: string, body: string, expiresAt: number, now: number): Promise<void> {
    await this.pool.query('DELETE FROM auth_pending WHERE expires_at <= $1', [now]);
    await this.pool.query(
      `INSERT INTO auth_pending (key_hash, body, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key_hash) DO UPDATE SET body = excluded.body, expires_at = excluded.expires_at`,
      [keyHash, body, expiresAt],
    );
  }

  async takePending(keyHash: string, now: number): Promise<string | null> {
    // DELETE … RETURNING: of two processes taking the same key, only one gets the row.
    const { rows } = await this.pool.query<{ body: string; expires_at: string }>(
      'DELETE FROM auth_pending WHERE key_hash = $1 RETURNING body, expires_at',
      [keyHash],
    );
    await this.pool.query('DELETE FROM auth_pending WHERE expires_at <= $1', [now]);
    return rows[0] && Number(rows[0].expires_at) > now ? rows[0].body : null;
  }

  async hitRate(key: string, now: number, windowMs: number): Promise<{ hits: number; windowStart: number }> {
    // One statement: a window that ended restarts at this attempt; the row lock makes concurrent hits count one by one.
    const { rows } = await this.pool.query<{ hits: number; window_start: string }>(
      `INSERT INTO auth_rate AS r (key, window_start, hits) VALUES ($1, $2, 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN r.window_start <= $2 - $3 THEN 1 ELSE r.hits + 1 END,
         window_start = CASE WHEN r.window_start <= $2 - $3 THEN $2 ELSE r.window_start END
       RETURNING hits, window_start`,
      [key, now, windowMs],
    );
    if (rows[0]!.hits === 1) await this.pool.query('DELETE FROM auth_rate WHERE window_start <= $1', [now - windowMs]);
    return { hits: rows[0]!.hits, windowStart: Number(rows[0]!.window_start) };
  }

  async clearFailures(name: string): Promise<void> {
    await this.pool.query('UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE lower(name) = lower($1)', [
      name,
    ]);
  }

  async nameLockedUntil(nameHash: string, now: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ locked_until: string }>(
      'SELECT locked_until FROM auth_name_failures WHERE name_hash = $1 AND locked_until > $2',
      [nameHash, now],
    );
    return rows[0] ? Number(rows[0].locked_until) : null;
  }

  async recordNameFailure(
    nameHash: string,
    at: number,
    policy: { maxAttempts: number; lockMs: number },
    limit: number,
  ): Promise<void> {
    // One statement: the row lock makes concurrent failures with one name (from several processes) count one by one.
    const { rows } = await this.pool.query<{ inserted: boolean }>(
      `INSERT INTO auth_name_failures AS f (name_hash, failures, locked_until, failed_at)
       VALUES ($1, CASE WHEN 1 >= $2 THEN 0 ELSE 1 END, CASE WHEN 1 >= $2 THEN $3::bigint END, $4)
       ON CONFLICT (name_hash) DO UPDATE SET
         locked_until = CASE WHEN f.failures + 1 >= $2 THEN $3::bigint ELSE f.locked_until END,
         failures = CASE WHEN f.failures + 1 >= $2 THEN 0 ELSE f.failures + 1 END,
         failed_at = $4
       RETURNING (xmax = 0) AS inserted`,
      [nameHash, policy.maxAttempts, at + policy.lockMs, at],
    );
    // Only a new name can take the table past its bound, and only a new name's row is worth the pruning.
    if (!rows[0]?.inserted) return;
    await this.pool.query('DELETE FROM auth_name_failures WHERE failures = 0 AND locked_until <= $1', [at]);
    await this.pool.query(
      `DELETE FROM auth_name_failures WHERE name_hash IN (SELECT name_hash FROM auth_name_failures
         ORDER BY failed_at LIMIT greatest(0, (SELECT count(*) FROM auth_name_failures) - $1))`,
      [limit],
    );
  }

  async putGroup(row: TenantGroupRow): Promise<void> {
    await inTransaction(this.pool, (client) => putGroupIn(client, row));
  }

  listGroups(): Promise<TenantGroupRow[]> {
    return groupsIn(this.pool);
  }

  removeGroup(name: string): Promise<boolean> {
    return removeGroupIn(this.pool, name);
  }

  async putSession(row: SessionRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO sessions (${SESSION_COLUMNS.join(', ')}) VALUES (${marks(SESSION_COLUMNS.length)})`,
      sessionValues(row),
    );
  }

  async getSession(idHash: string): Promise<SessionRow | null> {
    const { rows } = await this.pool.query<SessionSelect>('SELECT * FROM sessions WHERE id_hash = $1', [idHash]);
    return rows[0] ? toSessionRow(rows[0]) : null;
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    await this.pool.query('UPDATE sessions SET last_seen_at = greatest(last_seen_at, $1) WHERE id_hash = $2', [
      at,
      idHash,
    ]);
  }

  async removeSession(idHash: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async removeSessions(user: string): Promise<number> {
    return (await this.pool.query('DELETE FROM sessions WHERE lower(user_name) = lower($1)', [user])).rowCount ?? 0;
  }

  async pruneSessions(now: number, idleMs: number): Promise<number> {
    const result = await this.pool.query('DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at + $2 <= $1', [
      now,
      idleMs,
    ]);
    return result.rowCount ?? 0;
  }

  async putToken(row: TokenRow): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO api_tokens (${TOKEN_COLUMNS.join(', ')}) VALUES (${marks(TOKEN_COLUMNS.length)})`,
        tokenValues(row),
      );
    } catch (e) {
      if (isUnique(e)) throw nameTakenError('token', row.name, e);
      throw e;
    }
  }

  async getToken(id: string): Promise<TokenRow | null> {
    const { rows } = await this.pool.query<TokenSelect>('SELECT * FROM api_tokens WHERE id = $1', [id]);
    return rows[0] ? toTokenRow(rows[0]) : null;
  }

  async listTokens(user?: string): Promise<TokenRow[]> {
    const { rows } = user
      ? await this.pool.query<TokenSelect>(
          'SELECT * FROM api_tokens WHERE lower(user_name) = lower($1) ORDER BY lower(name)',
          [user],
        )
      : await this.pool.query<TokenSelect>('SELECT * FROM api_tokens ORDER BY lower(name)');
    return rows.map(toTokenRow);
  }

  async revokeToken(name: string, at: number): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE api_tokens SET revoked_at = $1 WHERE lower(name) = lower($2) AND revoked_at IS NULL',
      [at, name],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async touchToken(id: string, at: number): Promise<void> {
    await this.pool.query('UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
  }
}

/** The console's audit trail in PostgreSQL: INSERT and SELECT only (a trigger refuses UPDATE, DELETE, TRUNCATE). */
export class PostgresConsoleAuditStore implements ConsoleAuditStore {
  constructor(private readonly pool: Pool) {}

  async append(entry: Omit<ConsoleAuditEntry, 'seq'>): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string }>(
      `INSERT INTO console_audit (${AUDIT_COLUMNS.join(', ')}) VALUES (${marks(AUDIT_COLUMNS.length)}) RETURNING seq`,
      auditValues(entry),
    );
    return Number(rows[0]!.seq);
  }

  async list(filter: ConsoleAuditFilter = {}): Promise<ConsoleAuditEntry[]> {
    const { sql, values } = auditQuery(filter, (i) => `$${i}`);
    return (await this.pool.query<AuditSelect>(sql, values)).rows.map(toAuditEntry);
  }
}
