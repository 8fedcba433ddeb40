import { RECORD_COLUMNS, recordValues } from '../columns.js';
import type { RecordFacts } from '../../ingest/facts.js';
import { record } from './fixtures.js';

/**
 * Rows as a version 1 store held them (before user_agent, app_id and logon_type), with the facts the
 * backfill must find in their raw text: an Entra sign-in (user agent in ExtendedProperties), a mailbox
 * access (LogonType as a string, ClientAppId in capitals), a record with none, and a raw text that is
 * not JSON (kept, no facts).
 */
export const V1_CASES: { raw: string; facts: RecordFacts }[] = [
  {
    raw: JSON.stringify({
      Id: 'v1-1',
      Operation: 'UserLoggedIn',
      ExtendedProperties: [
        { Name: 'RequestType', Value: 'Login:login' },
        { Name: 'UserAgent', Value: 'Mozilla/5.0 (X11)' },
      ],
    }),
    facts: { userAgent: 'Mozilla/5.0 (X11)', appId: null, logonType: null },
  },
  {
    raw: JSON.stringify({
      Id: 'v1-2',
      Operation: 'MailItemsAccessed',
      LogonType: '2',
      ClientAppId: 'D3590ED6-52B3-4102-AEFF-AAD2292AB01C',
      ClientInfoString: 'Client=MSExchangeRPC',
    }),
    facts: { userAgent: null, appId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c', logonType: 2 },
  },
  {
    raw: JSON.stringify({ Id: 'v1-3', Operation: 'FileAccessed' }),
    facts: { userAgent: null, appId: null, logonType: null },
  },
  { raw: '{"Id":"v1-4", not json', facts: { userAgent: null, appId: null, logonType: null } },
];

/** The version 1 columns. */
export const V1_COLUMNS = RECORD_COLUMNS.filter((c) => c !== 'user_agent' && c !== 'app_id' && c !== 'logon_type');

/** One version 1 row per case, values in V1_COLUMNS order, ids v1-1… */
export function v1Rows(): { id: string; values: (string | number | null)[] }[] {
  return V1_CASES.map(({ raw }, i) => {
    const id = `v1-${i + 1}`;
    const all = recordValues({ ...record({ id, raw }), userAgent: null, appId: null, logonType: null }, 1);
    return { id, values: V1_COLUMNS.map((c) => all[RECORD_COLUMNS.indexOf(c)]!) };
  });
}
