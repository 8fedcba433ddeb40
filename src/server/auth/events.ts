/** Log events of the console's access control (stable names, STYLE.md: one events.ts per module). No secret is ever a field. */
export const AUTH_EVENTS = {
  signedIn: 'auth.signed_in',
  signInFailed: 'auth.sign_in_failed',
  signedOut: 'auth.signed_out',
  denied: 'auth.denied',
  hostRefused: 'auth.host_refused',
  auditFailed: 'auth.audit_failed',
  /** The trail could not be asked whether a call only repeats an entry (server/auth/repeats.ts): it is recorded. */
  auditLookupFailed: 'auth.audit_lookup_failed',
  oidcFailed: 'auth.oidc_failed',
  /** An OpenID Connect sign-in whose groups would have demoted the last administrator of every tenant. */
  oidcRoleKept: 'auth.oidc_role_kept',
} as const;
