export const meta = {
  id: 'mass-file-activity',
  title: 'Mass downloads and deletions',
  description:
    "Users who downloaded or deleted more files in one hour than a threshold (default 100 each) in SharePoint and OneDrive, across tenants, one row per user, hour and kind with the number of files and sites. A burst of downloads is how data leaves with a departing employee or an attacker; a burst of deletions may be ransomware, sabotage or a clean-up. Ask the user and their manager what it was; for an unexplained burst, revoke the user's sessions, check the sign-ins report for the addresses used, restore deleted files from the recycle bin, and look at the user-activity report for the same hours.",
} as const;
