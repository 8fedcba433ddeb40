export const meta = {
  id: 'sign-ins',
  title: 'Sign-ins, new addresses, failure bursts and MFA changes',
  description:
    "Successful and failed sign-ins (Entra ID UserLoggedIn / UserLoginFailed) grouped by user, IP address and user agent, across tenants, with the addresses a user had not signed in from during the look-back before the period marked new (only for tenants whose stored records reach back that far), bursts of failed sign-ins (at least a threshold within a window: password spraying or guessing), and changes to users' multi-factor authentication (Disable Strong Authentication, StrongAuthentication settings, security info registered or deleted). A success from a new address right after a burst of failures, or MFA switched off, is the classic sign of a taken-over account: confirm with the user, reset the password, revoke sessions, re-register MFA, and block the address if it is not theirs.",
} as const;
