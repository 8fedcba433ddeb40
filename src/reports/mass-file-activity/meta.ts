export const meta = {
  id: 'mass-file-activity',
  title: 'Mass downloads and deletions',
  description:
    "Users who downloaded or deleted at least a threshold of files (default 100 each) within any 60 minutes in SharePoint and OneDrive, across tenants: one row per burst (user and kind, from its first file to its last, windows that overlap merged) with the number of files, the most in any 60 minutes, and the sites. A burst of downloads is how data leaves with a departing employee or an attacker; a burst of deletions may be ransomware, sabotage or a clean-up. Ask the user and their manager what it was; for an unexplained burst, revoke the user's sessions, check the sign-ins report for the addresses used, restore deleted files from the recycle bin, and look at the user-activity report for the same hours.",
} as const;
