import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, send, type Role, type TenantGroupRow, type TokenView, type UserView } from '../api.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { fmtTime } from '../format.js';
import { useTimeZone } from '../timezone.js';
import { TenantAdmin } from './TenantAdmin.js';

const split = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
/** A text field of a submitted form ('' when absent). */
const field = (f: FormData, name: string): string => {
  const v = f.get(name);
  return typeof v === 'string' ? v : '';
};

/** The row an empty table shows, so it never reads as a table that failed to load. */
function Empty({ columns, children }: { columns: number; children: ReactNode }) {
  return (
    <tr className="empty-row">
      <td colSpan={columns} className="muted">
        {children}
      </td>
    </tr>
  );
}

/**
 * One of the page's add and change forms: its fields, its submit button, a note under it, and what it last did
 * (`said`). `onSend` makes the request from the fields and is told how to empty the form once the server took it.
 */
function AdminForm({
  label,
  submit,
  onSend,
  said = null,
  note,
  children,
}: {
  label: string;
  submit: string;
  onSend: (fields: FormData, empty: () => void) => void;
  said?: string | null;
  note?: ReactNode;
  children: ReactNode;
}) {
  const onSubmit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const form = e.currentTarget;
    onSend(new FormData(form), () => form.reset());
  };
  return (
    <>
      <form className="audit-filters" onSubmit={onSubmit} aria-label={label}>
        {children}
        <button type="submit">{submit}</button>
      </form>
      {note}
      {said ? (
        <p className="muted" role="status">
          {said}
        </p>
      ) : null}
    </>
  );
}

/**
 * Tenants, users, API tokens and tenant groups (admins of every tenant); each change lands in the audit trail.
 * An admin of some tenants tests their tenants' connections and is told who manages the rest.
 */
export function AdminPage({ everyTenant }: { everyTenant: boolean }) {
  if (!everyTenant)
    return (
      <section className="admin-page">
        <h1>Administration</h1>
        <TenantAdmin canAdd={false} />
        <p className="muted" role="note">
          Adding tenants, and the accounts, API tokens and tenant groups, are managed by an administrator of every
          tenant: your account covers only some tenants.
        </p>
      </section>
    );
  return <Accounts />;
}

function Accounts() {
  // Times in the zone chosen in the top bar, as on every other page, and the headings say which.
  const zone = useTimeZone();
  // null until loaded: an empty table says "none", which must never stand for "not loaded" or "refused".
  const [users, setUsers] = useState<UserView[] | null>(null);
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [groups, setGroups] = useState<TenantGroupRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [shown, setShown] = useState<string | null>(null);
  /** What the last add or save did, said under its form (which is emptied: the password is not kept in it). */
  const [done, setDone] = useState<{ form: 'user' | 'reset' | 'group'; text: string } | null>(null);
  /** The Reset form's user, filled by a row's Reset button (a controlled field, so the row can set it). */
  const [resetName, setResetName] = useState('');
  const reload = useCallback(() => {
    Promise.all([send(api.users()), send(api.tokens()), send(api.groups())])
      .then(([u, t, g]) => {
        setUsers(u.users);
        setTokens(t.tokens);
        setGroups(g.groups);
      })
      .catch(setError);
  }, []);
  useEffect(reload, [reload]);
  const act = (work: Promise<unknown>, then?: () => void): void => {
    setDone(null);
    work
      .then(() => {
        setError(null);
        then?.();
        reload();
      })
      .catch(setError);
  };
  // Destructive, and one click away from the name beside it: asked first, as Audit settings asks before applying.
  const removeUser = (u: UserView): void => {
    const question = `Remove the user "${u.name}"? Their sessions end and their API tokens stop working; this cannot be undone.`;
    if (window.confirm(question)) act(send(api.removeUser(u.name)));
  };
  const removeGroup = (g: TenantGroupRow): void => {
    const question = `Remove the tenant group "${g.name}"? Users given it lose its tenants (${g.tenants.join(', ')}).`;
    if (window.confirm(question)) act(send(api.removeGroup(g.name)));
  };
  const revokeToken = (t: TokenView): void => {
    const question = `Revoke the API token "${t.name}" of ${t.user}? Scripts using it are refused from now on; it cannot be restored.`;
    if (window.confirm(question)) act(send(api.revokeToken(t.name)));
  };
  /**
   * A form's request (`work`, which answers with what to change on the page once it succeeded): then the form is
   * emptied (a password is not kept in it) and the tables are read again; a failure is shown above them.
   */
  const sendForm =
    (work: (f: FormData) => Promise<() => void>) =>
    (f: FormData, empty: () => void): void => {
      setDone(null);
      work(f)
        .then((succeeded) => {
          empty();
          setError(null);
          succeeded();
          reload();
        })
        .catch(setError);
    };
  const addUser = sendForm(async (f) => {
    const name = field(f, 'name');
    await send(
      api.addUser({
        name,
        role: field(f, 'role') as Role,
        password: field(f, 'password'),
        tenants: split(field(f, 'tenants')),
      }),
    );
    return () => setDone({ form: 'user', text: `Added the user "${name}".` });
  });
  /** Changes only what is filled in; always unlocks the user and ends their sessions (as `user reset` does). */
  const resetUser = sendForm(async (f) => {
    const name = resetName.trim();
    const [password = '', role = '', tenants = '', groups = ''] = ['password', 'role', 'tenants', 'groups'].map((k) =>
      field(f, k),
    );
    await send(
      api.resetUser(name, {
        ...(password ? { password } : {}),
        ...(role ? { role: role as Role } : {}),
        ...(split(tenants).length ? { tenants: split(tenants) } : {}),
        ...(split(groups).length ? { groups: split(groups) } : {}),
      }),
    );
    return () => {
      setResetName('');
      setDone({ form: 'reset', text: `Reset the user "${name}": unlocked, sessions ended.` });
    };
  });
  const addToken = sendForm(async (f) => {
    const [role = '', tenants = '', days = ''] = ['role', 'tenants', 'expiresInDays'].map((k) => field(f, k).trim());
    const r = await send(
      api.addToken({
        name: field(f, 'name'),
        user: field(f, 'user'),
        ...(role ? { role: role as Role } : {}),
        ...(split(tenants).length ? { tenants: split(tenants) } : {}),
        ...(days ? { expiresInDays: Number(days) } : {}),
      }),
    );
    return () => setShown(r.token);
  });
  const putGroup = sendForm(async (f) => {
    const name = field(f, 'name');
    await send(api.putGroup(name, split(field(f, 'tenants'))));
    return () => setDone({ form: 'group', text: `Saved the group "${name}".` });
  });
  return (
    <section className="admin-page">
      <h1>Administration</h1>
      <TenantAdmin />
      <ErrorNote error={error} />
      <h2>Users</h2>
      <table className="audit-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>Tenants</th>
            <th>Groups</th>
            <th>Sign-in</th>
            <th>Locked until ({zone})</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users?.length === 0 ? (
            <Empty columns={7}>
              No accounts yet: the console answers without sign-in, on this machine only. The first user added here
              turns sign-in on.
            </Empty>
          ) : null}
          {(users ?? []).map((u) => (
            <tr key={u.name}>
              <td>{u.name}</td>
              <td>{u.role}</td>
              <td>{u.tenants.includes('*') ? 'all' : u.tenants.join(', ') || '(groups)'}</td>
              <td>{u.groups.join(', ')}</td>
              <td>{u.externalId ? 'single sign-on' : u.hasPassword ? 'password' : ''}</td>
              <td>{u.lockedUntil ? fmtTime(u.lockedUntil, zone) : ''}</td>
              <td className="row-actions">
                <button
                  type="button"
                  onClick={() => {
                    setResetName(u.name);
                    document.querySelector<HTMLElement>('form[aria-label="Reset user"] input[name=password]')?.focus();
                  }}
                  aria-label={`Reset the user ${u.name}${u.lockedUntil ? ' (locked)' : ''}: unlock, change password or access`}
                >
                  Reset
                </button>{' '}
                <button type="button" onClick={() => removeUser(u)} aria-label={`Remove the user ${u.name}`}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <AdminForm label="Add user" submit="Add user" onSend={addUser} said={done?.form === 'user' ? done.text : null}>
        <input name="name" aria-label="name" placeholder="name" required />
        <select name="role" defaultValue="investigator" aria-label="role">
          <option>viewer</option>
          <option>investigator</option>
          <option>admin</option>
        </select>
        <input name="tenants" aria-label="tenants (empty: all)" placeholder="tenants (empty: all)" />
        <input
          name="password"
          type="password"
          aria-label="password (12+)"
          placeholder="password (12+)"
          autoComplete="new-password"
        />
      </AdminForm>
      <AdminForm
        label="Reset user"
        submit="Reset user"
        onSend={resetUser}
        said={done?.form === 'reset' ? done.text : null}
        note={
          <p className="muted form-note">
            Reset unlocks the user and ends their sessions; it changes only the fields filled in (their API tokens stay
            valid).
          </p>
        }
      >
        <input
          name="name"
          aria-label="user to reset"
          placeholder="user to reset"
          value={resetName}
          onChange={(e) => setResetName(e.target.value)}
          required
        />
        <select name="role" defaultValue="" aria-label="role (empty: keep)">
          <option value="">role: keep</option>
          <option>viewer</option>
          <option>investigator</option>
          <option>admin</option>
        </select>
        <input name="tenants" aria-label="tenants (empty: keep)" placeholder="tenants (empty: keep)" />
        <input name="groups" aria-label="groups (empty: keep)" placeholder="groups (empty: keep)" />
        <input
          name="password"
          type="password"
          aria-label="new password (empty: keep)"
          placeholder="new password (or keep)"
          autoComplete="new-password"
        />
      </AdminForm>
      <h2>API tokens</h2>
      {shown ? (
        <p className="token-once" role="status">
          New token (shown only now): <code>{shown}</code>
        </p>
      ) : null}
      <table className="audit-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>User</th>
            <th>Role</th>
            <th>Tenants</th>
            <th>Expires ({zone})</th>
            <th>Revoked ({zone})</th>
          </tr>
        </thead>
        <tbody>
          {tokens?.length === 0 ? (
            <Empty columns={6}>
              No API tokens. A token lets a script call the API as a user (Authorization: Bearer TOKEN); it is shown
              once, when created.
            </Empty>
          ) : null}
          {(tokens ?? []).map((t) => (
            <tr key={t.name}>
              <td>{t.name}</td>
              <td>{t.user}</td>
              <td>{t.role ?? '(user)'}</td>
              <td>{t.tenants.includes('*') ? '(user)' : t.tenants.join(', ')}</td>
              <td>{t.expiresAt === null ? 'never' : fmtTime(t.expiresAt, zone)}</td>
              <td>
                {t.revokedAt ? (
                  fmtTime(t.revokedAt, zone)
                ) : (
                  <button type="button" onClick={() => revokeToken(t)} aria-label={`Revoke the token ${t.name}`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <AdminForm label="Add token" submit="Create token" onSend={addToken}>
        <input name="name" aria-label="token name" placeholder="token name" required />
        <input name="user" aria-label="user" placeholder="user" required />
        <select name="role" defaultValue="" aria-label="role (empty: the user's)">
          <option value="">role: the user's</option>
          <option>viewer</option>
          <option>investigator</option>
          <option>admin</option>
        </select>
        <input name="tenants" aria-label="tenants (empty: the user's)" placeholder="tenants (the user's)" />
        <input
          name="expiresInDays"
          type="number"
          min={1}
          max={3650}
          step={1}
          aria-label="expires in days (empty: 90)"
          className="days"
          placeholder="expires in days (90)"
        />
      </AdminForm>
      <h2>Tenant groups</h2>
      <table className="audit-table">
        <thead>
          <tr>
            <th>Group</th>
            <th>Tenants</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {groups?.length === 0 ? (
            <Empty columns={3}>No tenant groups. A group names several tenants, to give them to a user at once.</Empty>
          ) : null}
          {(groups ?? []).map((g) => (
            <tr key={g.name}>
              <td>{g.name}</td>
              <td>{g.tenants.join(', ')}</td>
              <td>
                <button type="button" onClick={() => removeGroup(g)} aria-label={`Remove the group ${g.name}`}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <AdminForm
        label="Save group"
        submit="Save group"
        onSend={putGroup}
        said={done?.form === 'group' ? done.text : null}
      >
        <input name="name" aria-label="group name" placeholder="group name" required />
        <input name="tenants" aria-label="tenants" placeholder="tenants" />
      </AdminForm>
    </section>
  );
}
