export const meta = {
  id: 'app-consent',
  title: 'Applications given access',
  description:
    "Applications given access to the organization's data in the period, across tenants: consent granted to an application (by a user or tenant-wide by an administrator, with the permissions consented), service principals added, app role assignments and delegated permission grants, new owners of applications, and new credentials (secrets or certificates) added to applications or service principals. Illicit consent grants and secrets added to an existing app are how attackers keep access after a password reset. For each application confirm who asked for it and that its permissions (Mail.Read, Files.ReadWrite.All, offline_access …) fit its purpose; revoke consent and remove credentials that nobody can explain, and restrict user consent in Entra ID if users consented to unknown apps.",
} as const;
