export const meta = {
  id: 'user-activity',
  title: 'Everything one user did',
  description:
    'Every audit record of one user (or a few) in the period, grouped by workload — files opened, downloaded, shared and deleted, mail read and sent, sign-ins, Teams and admin actions — across tenants. With --workload SharePoint it answers "what did this person do in SharePoint and OneDrive between these dates" exactly (OneDrive is included because it is SharePoint underneath). Use it when a person leaves, when an account may have been compromised, or when a customer asks what happened to a file: check the IP addresses and user agents for ones the person does not use, look for bulk downloads or deletions, and export the rows as evidence.',
} as const;
