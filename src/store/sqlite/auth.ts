import type { Database } from 'better-sqlite3';
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
import { StatementCache } from './statements.js';

/** The database with its statements compiled once: the console checks a session or token on every request. */
type Prepared = Pick<Database, 'prepare' | 'transaction'>;
function prepared(db: Database): Prepared {
  const cache = new StatementCache(db);
  return { prepare: ((sql: string) => cache.get(sql)) as Database['prepare'], transaction: db.transaction.bind(db) };
}

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const isUnique = (e: unknown): boolean => String((e as { code?: string }).code).startsWith('SQLITE_CONSTRAINT');

/** Accounts, groups, sessions and tokens in SQLite (names compared with COLLATE NOCASE). */
export class SqliteAuthStore implements AuthStore {
  private readonly db: Prepared;

  constructor(db: Database) {
    this.db = prepared(db);
  }

  async putUser(row: UserRow): Promise<void> {
    this.putUserNow(row);
  }

  private putUserNow(row: UserRow): void {
    const updates = USER_COLUMNS.slice(1)
      .filter((c) => c !== 'created_at')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    try {
      this.db
        .prepare(
          `INSERT INTO users (${USER_COLUMNS.join(', ')}) VALUES (${marks(USER_COLUMNS.length)}) ON CONFLICT (name) DO UPDATE SET ${updates}`,
        )
        .run(userValues(row));
    } catch (e) {
      if (isUnique(e)) throw nameTakenError('user', row.externalId ?? row.name, e);
      throw e;
    }
  }

  async getUser(name: string): Promise<UserRow | null> {
    const row = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserSelect | undefined;
    return row ? toUserRow(row) : null;
  }

  async findUserByExternalId(externalId: string): Promise<UserRow | null> {
    const row = this.db.prepare('SELECT * FROM users WHERE external_id = ?').get(externalId) as UserSelect | undefined;
    return row ? toUserRow(row) : null;
  }

  async listUsers(): Promise<UserRow[]> {
    return (this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserSelect[]).map(toUserRow);
  }

  async countUsers(): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM users').pluck().get() as number;
  }

  async removeUser(name: string): Promise<boolean> {
    return this.db.transaction(() => this.removeUserNow(name))();
  }

  private removeUserNow(name: string): boolean {
    this.db.prepare('DELETE FROM sessions WHERE user_name = ?').run(name);
    this.db.prepare('DELETE FROM api_tokens WHERE user_name = ?').run(name);
    return this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes > 0;
  }

  async changeUserChecked(name: string, row: UserRow | null, check: AccountsCheck): Promise<boolean> {
    return this.checked(check, () => {
      if (row === null) return this.removeUserNow(name);
      this.putUserNow(row);
      return true;
    });
  }

  /** The same transaction: the row read, changed and written with no other writer in between. */
  async updateUser(name: string, change: UserChange, check?: AccountsCheck): Promise<UserRow | null> {
    return this.checked(check ?? null, () => {
      const found = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserSelect | undefined;
      if (!found) return null;
      const before = toUserRow(found);
      const after = applyUserChange(before, change);
      const { columns, values } = userChangeSets(before, after, change);
      const sets = columns.map((c) => `${c} = ?`).join(', ');
      this.db.prepare(`UPDATE users SET ${sets} WHERE name = ?`).run(...values, name);
      return after;
    });
  }

  async changeGroupChecked(name: string, row: TenantGroupRow | null, check: AccountsCheck): Promise<boolean> {
    return this.checked(check, () => {
      if (row === null) return this.removeGroupNow(name);
      this.putGroupNow(row);
      return true;
    });
  }

  /**
   * Runs `write` after `check` accepted every user and group, read, checked and written synchronously in one
   * transaction, so no other request of this process comes between them; BEGIN IMMEDIATE takes the write lock
   * before the read, so no other process does either. Without a check, only the lock.
   */
  private checked<T>(check: AccountsCheck | null, write: () => T): T {
    return this.db
      .transaction(() => {
        if (check) {
          const users = (this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserSelect[]).map(toUserRow);
          check(users, this.groupsNow());
        }
        return write();
      })
      .immediate();
  }

  async recordFailure(
    name: string,
    at: number,
    policy: { maxAttempts: number; lockMs: number },
  ): Promise<UserRow | null> {
    this.db
      .prepare(
        `UPDATE users SET
           locked_until = CASE WHEN failed_attempts + 1 >= ? THEN ? ELSE locked_until END,
           failed_attempts = CASE WHEN failed_attempts + 1 >= ? THEN 0 ELSE failed_attempts + 1 END
         WHERE name = ?`,
      )
      .run(policy.maxAttempts, at + policy.lockMs, policy.maxAttempts, name);
    return this.getUser(name);
  }

  async putPending(keyHash: string, body: string, expiresAt: number, now: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM auth_pending WHERE expires_at <= ?').run(now);
      this.db
        .prepare('INSERT OR REPLACE INTO auth_pending (key_hash, body, expires_at) VALUES (?, ?, ?)')
        .run(keyHash, body, expiresAt);
    })();
  }

  async takePending(keyHash: string, now: number): Promise<string | null> {
    const take = this.db.transaction(() => {
      const row = this.db
        .prepare('DELETE FROM auth_pending WHERE key_hash = ? RETURNING body, expires_at')
        .get(keyHash) as { body: string; expires_at: number } | undefined;
      this.db.prepare('DELETE FROM auth_pending WHERE expires_at <= ?').run(now);
      return row && row.expires_at > now ? row.body : null;
    });
    return take();
  }

  async hitRate(key: string, now: number, windowMs: number): Promise<{ hits: number; windowStart: number }> {
    const hit = this.db.transaction(() => {
      this.db.prepare('DELETE FROM auth_rate WHERE window_start <= ?').run(now - windowMs);
      return this.db
        .prepare(
          `INSERT INTO auth_rate (key, window_start, hits) VALUES (?, ?, 1)
           ON CONFLICT (key) DO UPDATE SET hits = hits + 1
           RETURNING hits, window_start`,
        )
        .get(key, now) as { hits: number; window_start: number };
    });
    const row = hit();
    return { hits: row.hits, windowStart: row.window_start };
  }

  async clearFailures(name: string): Promise<void> {
    this.db.prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE name = ?').run(name);
  }

  async nameLockedUntil(nameHash: string, now: number): Promise<number | null> {
    return (
      (this.db
        .prepare('SELECT locked_until FROM auth_name_failures WHERE name_hash = ? AND locked_until > ?')
        .pluck()
        .get(nameHash, now) as number | undefined) ?? null
    );
  }

  async recordNameFailure(
    nameHash: string,
    at: number,
    policy: { maxAttempts: number; lockMs: number },
    limit: number,
  ): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM auth_name_failures WHERE failures = 0 AND locked_until <= ?').run(at);
      this.db
        .prepare(
          `INSERT INTO auth_name_failures (name_hash, failures, locked_until, failed_at)
           VALUES (@hash, CASE WHEN 1 >= @max THEN 0 ELSE 1 END, CASE WHEN 1 >= @max THEN @until END, @at)
           ON CONFLICT (name_hash) DO UPDATE SET
             locked_until = CASE WHEN failures + 1 >= @max THEN @until ELSE locked_until END,
             failures = CASE WHEN failures + 1 >= @max THEN 0 ELSE failures + 1 END,
             failed_at = @at`,
        )
        .run({ hash: nameHash, max: policy.maxAttempts, until: at + policy.lockMs, at });
      this.db
        .prepare(
          `DELETE FROM auth_name_failures WHERE name_hash IN (SELECT name_hash FROM auth_name_failures
             ORDER BY failed_at LIMIT max(0, (SELECT count(*) FROM auth_name_failures) - ?))`,
        )
        .run(limit);
    })();
  }

  async putGroup(row: TenantGroupRow): Promise<void> {
    this.putGroupNow(row);
  }

  private putGroupNow(row: TenantGroupRow): void {
    this.db
      .prepare(
        'INSERT INTO tenant_groups (name, tenants, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET tenants = excluded.tenants, updated_at = excluded.updated_at',
      )
      .run(row.name, JSON.stringify(row.tenants), row.updatedAt);
  }

  async listGroups(): Promise<TenantGroupRow[]> {
    return this.groupsNow();
  }

  private groupsNow(): TenantGroupRow[] {
    const rows = this.db.prepare('SELECT * FROM tenant_groups ORDER BY name').all() as {
      name: string;
      tenants: string;
      updated_at: number;
    }[];
    return rows.map((r) => ({ name: r.name, tenants: JSON.parse(r.tenants) as string[], updatedAt: r.updated_at }));
  }

  async removeGroup(name: string): Promise<boolean> {
    return this.removeGroupNow(name);
  }

  private removeGroupNow(name: string): boolean {
    return this.db.prepare('DELETE FROM tenant_groups WHERE name = ?').run(name).changes > 0;
  }

  async putSession(row: SessionRow): Promise<void> {
    this.db
      .prepare(`INSERT INTO sessions (${SESSION_COLUMNS.join(', ')}) VALUES (${marks(SESSION_COLUMNS.length)})`)
      .run(sessionValues(row));
  }

  async getSession(idHash: string): Promise<SessionRow | null> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as SessionSelect | undefined;
    return row ? toSessionRow(row) : null;
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    this.db.prepare('UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id_hash = ?').run(at, idHash);
  }

  async removeSession(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  async removeSessions(user: string): Promise<number> {
    return this.db.prepare('DELETE FROM sessions WHERE user_name = ?').run(user).changes;
  }

  async pruneSessions(now: number, idleMs: number): Promise<number> {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at + ? <= ?').run(now, idleMs, now)
      .changes;
  }

  async putToken(row: TokenRow): Promise<void> {
    try {
      this.db
        .prepare(`INSERT INTO api_tokens (${TOKEN_COLUMNS.join(', ')}) VALUES (${marks(TOKEN_COLUMNS.length)})`)
        .run(tokenValues(row));
    } catch (e) {
      if (isUnique(e)) throw nameTakenError('token', row.name, e);
      throw e;
    }
  }

  async getToken(id: string): Promise<TokenRow | null> {
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as TokenSelect | undefined;
    return row ? toTokenRow(row) : null;
  }

  async listTokens(user?: string): Promise<TokenRow[]> {
    const rows = user
      ? this.db.prepare('SELECT * FROM api_tokens WHERE user_name = ? ORDER BY name').all(user)
      : this.db.prepare('SELECT * FROM api_tokens ORDER BY name').all();
    return (rows as TokenSelect[]).map(toTokenRow);
  }

  async revokeToken(name: string, at: number): Promise<boolean> {
    return (
      this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(at, name)
        .changes > 0
    );
  }

  async touchToken(id: string, at: number): Promise<void> {
    this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }
}

/** The console's audit trail in SQLite: INSERT and SELECT only (triggers refuse UPDATE and DELETE). */
export class SqliteConsoleAuditStore implements ConsoleAuditStore {
  private readonly db: Prepared;

  constructor(db: Database) {
    this.db = prepared(db);
  }

  async append(entry: Omit<ConsoleAuditEntry, 'seq'>): Promise<number> {
    const result = this.db
      .prepare(`INSERT INTO console_audit (${AUDIT_COLUMNS.join(', ')}) VALUES (${marks(AUDIT_COLUMNS.length)})`)
      .run(auditValues(entry));
    return Number(result.lastInsertRowid);
  }

  async list(filter: ConsoleAuditFilter = {}): Promise<ConsoleAuditEntry[]> {
    const { sql, values } = auditQuery(filter, () => '?');
    return (this.db.prepare(sql).all(values) as AuditSelect[]).map(toAuditEntry);
  }
}
