export const meta = {
  id: 'external-sharing',
  title: 'Sharing outside the organization',
  description:
    'SharePoint and OneDrive content shared beyond the organization in the period, by user and site, across tenants: anonymous ("anyone with the link") links created, changed or used, invitations and sharing to guests, and sharing to addresses in outside domains. Each row names who shared what with whom. Check that the content may leave the company (contracts, payroll, customer data should not); remove anonymous links that are not needed, give links an expiry, and if many files went to one outside address ask the user why — and consider restricting anonymous links in the SharePoint admin center.',
} as const;
