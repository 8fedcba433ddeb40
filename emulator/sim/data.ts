/**
 * Fixed vocabularies the simulator draws from: organisation names, people, roles with their real Entra
 * role template ids, departments, clients. Kept apart from the logic so the shapes are easy to review.
 */
import type { TenantProfile } from './types.js';

/** Microsoft's sample organisations; tenants past the list get a number suffix. */
export const ORGS: readonly { name: string; display: string; partner: string }[] = [
  { name: 'contoso', display: 'Contoso Ltd', partner: 'fabrikam.com' },
  { name: 'fabrikam', display: 'Fabrikam Inc', partner: 'contoso.com' },
  { name: 'northwind', display: 'Northwind Traders', partner: 'adventure-works.com' },
  { name: 'adatum', display: 'A. Datum Corporation', partner: 'litwareinc.com' },
  { name: 'tailspin', display: 'Tailspin Toys', partner: 'wingtiptoys.com' },
  { name: 'woodgrove', display: 'Woodgrove Bank', partner: 'proseware.com' },
  { name: 'litware', display: 'Litware Inc', partner: 'adatum.com' },
  { name: 'proseware', display: 'Proseware Inc', partner: 'northwindtraders.com' },
];

/** Every profile the posture checks must meet (issue 3): cycled over tenants in this order. */
export const PROFILES: readonly TenantProfile[] = [
  'healthy',
  'ual-off',
  'org-audit-off',
  'mailboxes-off',
  'dehydrated',
];

export const FIRST_NAMES = [
  'Adele',
  'Alex',
  'Allan',
  'Diego',
  'Grady',
  'Henrietta',
  'Isaiah',
  'Joni',
  'Lee',
  'Lidia',
  'Lynne',
  'Megan',
  'Miriam',
  'Nestor',
  'Patti',
  'Pradeep',
  'Johanna',
  'Christie',
  'Irvin',
  'Debra',
  'Enrico',
  'Emily',
  'Gerhart',
  'Raul',
  'Ben',
  'Brian',
  'Cameron',
  'Dana',
  'Elena',
  'Farah',
  'Hiro',
  'Ines',
  'Jonas',
  'Kenji',
  'Laura',
  'Mateo',
  'Nadia',
  'Omar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tomas',
  'Uma',
  'Vera',
  'Wei',
  'Yara',
  'Zoe',
] as const;

export const LAST_NAMES = [
  'Vance',
  'Wilber',
  'Deyoung',
  'Siciliani',
  'Archie',
  'Cantrell',
  'Langer',
  'Sherman',
  'Gu',
  'Holloway',
  'Robbins',
  'Bowen',
  'Graham',
  'Wilke',
  'Fernandez',
  'Gupta',
  'Lorenz',
  'Cline',
  'Sayers',
  'Berger',
  'Groves',
  'Braun',
  'Navarro',
  'Okafor',
  'Tanaka',
  'Kowalski',
  'Moreau',
  'Haddad',
  'Lindqvist',
  'Rossi',
  'Novak',
  'Silva',
  'Jensen',
  'Costa',
  'Meyer',
] as const;

export const DEPARTMENTS = [
  'Sales',
  'Marketing',
  'Finance',
  'IT',
  'Human Resources',
  'Legal',
  'Operations',
  'Research',
  'Support',
] as const;

/** Entra built-in roles with their real role template ids (Graph directoryRoleTemplates). */
export const ROLE_TEMPLATES = {
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'Exchange Administrator': '29232cdf-9323-42fd-ade2-1d097af3e4de',
  'SharePoint Administrator': 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
  'Security Administrator': '194ae4cb-b126-40b2-bd5b-6091b380977d',
  'Privileged Role Administrator': 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  'Compliance Administrator': '17315797-102d-40b4-93e0-432062caca18',
  'Application Administrator': '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
} as const;
export type RoleName = keyof typeof ROLE_TEMPLATES;

/** Browser and client user agents seen in real SharePoint and sign-in records. */
export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
] as const;
export const SYNC_AGENT = 'Microsoft SkyDriveSync 24.076.0414.0005 ship; Windows NT 10.0 (19045)';
export const ATTACKER_AGENTS = [
  'python-requests/2.31.0',
  'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2)',
  'BAV2ROPC',
] as const;

/** Outside domains that sharing invitations, forwarding rules and guests point at. */
export const OUTSIDE_DOMAINS = ['gmail.com', 'outlook.com', 'proton.me', 'yahoo.com'] as const;

export const SITE_NAMES = ['Marketing', 'Finance', 'Projects', 'HR', 'Legal', 'IT Operations', 'Sales Team'] as const;

export const FILE_STEMS = [
  'Budget 2025',
  'Quarterly Report',
  'Customer List',
  'Board Minutes',
  'Pricing',
  'Roadmap',
  'Contract Draft',
  'Salary Review',
  'Campaign Plan',
  'Onboarding Guide',
  'Incident Notes',
  'Forecast',
  'Vendor Assessment',
] as const;
export const FILE_EXTENSIONS = ['docx', 'xlsx', 'pptx', 'pdf', 'csv', 'txt'] as const;

/** Well-known first-party app ids that sign-in and mailbox records name. */
export const APPS = {
  exchange: '00000002-0000-0ff1-ce00-000000000000',
  sharepoint: '00000003-0000-0ff1-ce00-000000000000',
  office: '4765445b-32c6-49b0-83e6-1d93765276ca',
  outlookDesktop: 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
  teams: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  portal: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
  graphExplorer: 'de8bc8b5-d9f9-48b1-a8ad-b748da725064',
  owa: '00000002-0000-0ff1-ce00-000000000000',
} as const;

/** Exchange Online mailbox audit defaults (spec §5.5), E5 adds MailItemsAccessed, Send, SearchQueryInitiated. */
export const AUDIT_OWNER = [
  'ApplyRecord',
  'HardDelete',
  'MailItemsAccessed',
  'MoveToDeletedItems',
  'Send',
  'SoftDelete',
  'Update',
  'UpdateCalendarDelegation',
  'UpdateFolderPermissions',
  'UpdateInboxRules',
];
export const AUDIT_DELEGATE = [
  'ApplyRecord',
  'Create',
  'HardDelete',
  'MailItemsAccessed',
  'MoveToDeletedItems',
  'SendAs',
  'SendOnBehalf',
  'SoftDelete',
  'Update',
  'UpdateFolderPermissions',
  'UpdateInboxRules',
];
export const AUDIT_ADMIN = [
  'ApplyRecord',
  'Create',
  'HardDelete',
  'MailItemsAccessed',
  'MoveToDeletedItems',
  'Send',
  'SendAs',
  'SendOnBehalf',
  'SoftDelete',
  'Update',
  'UpdateCalendarDelegation',
  'UpdateFolderPermissions',
  'UpdateInboxRules',
];
