import type { Role } from '../../store/auth-contract.js';

/** What an OpenID Connect sign-in proved about the person (from the verified id token). */
export interface OidcIdentity {
  /**
   * `issuer|sub:SUBJECT`: the key a sign-in links an account by (UserRow.externalId). The issuer and subject are
   * the only pair OpenID Connect promises stays this person's (Core 1.0, 5.7); a user name or address can be
   * renamed or given to someone else later.
   */
  externalId: string;
  /**
   * `issuer|claim value`: the link an admin writes (`user add --oidc`) and versions before 2026-12-07 wrote. A
   * sign-in matched by it moves the account to `externalId`.
   */
  claimId: string;
  /** The claim's value (preferred_username by default): the user name for a matching or new account. */
  name: string;
  /** Group ids or names from the groups claim. */
  groups: string[];
}

/** One group claim value given a role and tenants (an Entra security group → investigator of EU customers). */
export interface OidcGroupRule {
  group: string;
  role: Role;
  tenants: string[];
}

/** The state kept between sending the browser to the issuer and its return (PKCE verifier, state, nonce). */
export interface OidcPending {
  codeVerifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
  createdAt: number;
}

/** An OpenID Connect issuer the console signs people in with (authorization code + PKCE). */
export interface OidcProvider {
  /** Shown on the sign-in button ("Microsoft Entra ID"). */
  readonly name: string;
  readonly groupRules: readonly OidcGroupRule[];
  start(redirectUri: string): Promise<{ url: string; pending: OidcPending }>;
  finish(callbackUrl: URL, pending: OidcPending): Promise<OidcIdentity>;
}
