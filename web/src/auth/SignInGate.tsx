import { createContext, useCallback, useContext, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { setSearchesOwner } from '../components/SavedSearches.js';
import {
  api,
  describeError,
  links,
  send,
  SIGNIN_REQUIRED_EVENT,
  type ApiRoute,
  type Me,
  type SignInRequired,
} from '../api.js';
import { may } from './roles.js';

export type { Me };

/** The signed-in person, for whatever inside the gate decides what to offer. */
const MeContext = createContext<Me | null>(null);

/**
 * Whether the signed-in person's role may call a route (auth/roles.ts): a page shows an action only when it
 * may, rather than a button the server can only refuse.
 */
export function useMay(): (route: ApiRoute) => boolean {
  const me = useContext(MeContext);
  return (route) => me !== null && may(me, route);
}

/**
 * Whether the signed-in person sees every tenant (true too outside the gate, where nobody is signed in): a
 * scoped person's "all" is all of theirs, and the console must say which it means.
 */
export function useEveryTenant(): boolean {
  const me = useContext(MeContext);
  return me === null || me.tenants === '*';
}

/**
 * Shows the console to a signed-in person (or to anyone while the console runs without accounts on
 * loopback), and the sign-in form otherwise — also when a request finds the session ended.
 */
export function SignInGate({ children }: { children: (me: Me, signOut: () => void) => ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<{ message: string; hint?: string } | null>(null);
  /** Why the last session ended, said on the sign-in form. */
  const [ended, setEnded] = useState<SignInRequired | null>(null);
  /** Whether this browser just signed out: the form says so (it came back as if nothing had happened). */
  const [signedOut, setSignedOut] = useState(false);
  const refresh = useCallback(() => {
    send(api.me())
      .then(setMe)
      .catch((e: unknown) => setError(describeError(e)));
  }, []);
  useEffect(() => {
    refresh();
    const onEnded = (e: Event): void => {
      setEnded((e as CustomEvent<SignInRequired>).detail ?? null);
      refresh();
    };
    window.addEventListener(SIGNIN_REQUIRED_EVENT, onEnded);
    return () => window.removeEventListener(SIGNIN_REQUIRED_EVENT, onEnded);
  }, [refresh]);
  const signOut = useCallback(() => {
    send(api.logout())
      .then(() => setSignedOut(true))
      .catch(() => undefined)
      .finally(refresh);
  }, [refresh]);
  if (!me)
    return (
      <div className="signin-wait">
        {error ? (
          <div className="error" role="alert">
            <strong>{error.message}</strong>
            {error.hint ? <div className="hint">{error.hint}</div> : null}
          </div>
        ) : (
          'Loading…'
        )}
      </div>
    );
  if (!me.signedIn)
    return (
      <SignInForm
        me={me}
        ended={ended}
        signedOut={signedOut && !ended}
        onSignedIn={() => {
          setEnded(null);
          setSignedOut(false);
          refresh();
        }}
      />
    );
  // Before any page reads them: recent and saved searches are this person's (SavedSearches.tsx).
  setSearchesOwner(me);
  return <MeContext.Provider value={me}>{children(me, signOut)}</MeContext.Provider>;
}

/**
 * Why a single sign-on failed, as the server said it in a short-lived cookie (read once, then removed). Never
 * from the URL: a link's "#/signin?error=…" would put anyone's words in the console's own error box.
 */
function oidcError(): string | null {
  const m = /(?:^|;\s*)tw_signin_error=([^;]*)/.exec(document.cookie);
  if (!m) return null;
  document.cookie = 'tw_signin_error=; Max-Age=0; path=/';
  try {
    return decodeURIComponent(m[1]!) || null;
  } catch {
    return null;
  }
}

function SignInForm({
  me,
  ended,
  signedOut,
  onSignedIn,
}: {
  me: Me;
  ended: SignInRequired | null;
  signedOut: boolean;
  onSignedIn: () => void;
}) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ message: string; hint?: string } | null>(() => {
    const e = oidcError();
    return e ? { message: e } : ended;
  });
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    send(api.login(name, password))
      .then(() => {
        setPassword('');
        if (window.location.hash.startsWith('#/signin')) window.location.hash = '#/tenants';
        onSignedIn();
      })
      .catch((err: unknown) => setError(describeError(err)))
      .finally(() => setBusy(false));
  };
  return (
    <main className="signin">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>tenantwatch</h1>
        <p>Sign in to the console.</p>
        {signedOut && !error ? (
          <p className="notice-ok" role="status">
            You signed out. Your session has ended on the server too.
          </p>
        ) : null}
        {error ? (
          <div className="error" role="alert">
            <strong>{error.message}</strong>
            {error.hint ? <div className="hint">{error.hint}</div> : null}
          </div>
        ) : null}
        <label>
          Name
          <input
            name="name"
            autoComplete="username"
            autoFocus
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {/* Enabled with a field empty: Enter then says which field is missing (the browser's own check of
            `required`) instead of doing nothing. */}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {me.oidc ? (
          <a className="oidc" href={links.oidcStart()}>
            Sign in with {me.oidc.name}
          </a>
        ) : null}
      </form>
    </main>
  );
}

/** Who is signed in, and the way out. */
export function UserBadge({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  if (me.mode === 'open') return <span className="user-badge">local (no accounts)</span>;
  return (
    <span className="user-badge">
      <span className="user-name">{me.user}</span> <span className="user-role">{me.role}</span>{' '}
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </span>
  );
}
