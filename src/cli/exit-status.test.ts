import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/paths.js';

/**
 * The exit status rule (README, core/errors.ts): a value outside what tenantwatch knows — a report name, a
 * record type, a format, a span — is bad usage (2), and the message names or points to the valid values; a
 * name not among what is stored — a tenant, a sink, an alert — is a failure (1), and it says how to list
 * what exists. Each case as a person runs it, over an empty data folder.
 */
let data: { dir: string; cleanup: () => void };
before(() => (data = tempDir('tw-exit-status-')));
after(() => data?.cleanup());

const CASES: { args: string[]; code: 1 | 2; says: RegExp }[] = [
  // Outside a vocabulary the CLI knows: 2.
  {
    args: ['report', 'sign-inz'],
    code: 2,
    says: /There is no report "sign-inz"\. Reports: admin-activity, .*report list/,
  },
  { args: ['report', 'sign-inz', '--format', 'csv'], code: 2, says: /There is no report "sign-inz"/ },
  { args: ['search', '--start', '7d', '--record-type', 'Nope'], code: 2, says: /"Nope" is neither a record type/ },
  // A bad --format is answered alike by every command (output.ts parseFormat), naming that command's formats:
  // some answered in commander's words ("Allowed choices are …", no hint), others in tenantwatch's.
  {
    args: ['search', '--start', '7d', '--format', 'xml'],
    code: 2,
    says: /--format xml is not one of table, json, jsonl, csv\. Use --format table \(for people\), json, jsonl/,
  },
  {
    args: ['user', 'list', '--format', 'xml'],
    code: 2,
    says: /--format xml is not one of table, json, jsonl, csv\. Use/,
  },
  { args: ['coverage', '--format', 'xml'], code: 2, says: /--format xml is not one of table, json, jsonl, csv\. Use/ },
  {
    args: ['sink', 'list', '--format', 'xml'],
    code: 2,
    says: /--format xml is not one of table, json, jsonl, csv\. Use/,
  },
  {
    args: ['collect', '--all', '--format', 'csv'],
    code: 2,
    says: /--format csv is not one of table, json\. Use --format/,
  },
  {
    args: ['import', 'x.csv', '--format', 'csv'],
    code: 2,
    says: /--format csv is not one of table, json\. Use --format/,
  },
  {
    args: ['rules', 'show', 'x', '--format', 'csv'],
    code: 2,
    says: /--format csv is not one of table, json\. Use --format/,
  },
  {
    args: ['alerts', 'show', 'al_x', '--format', 'csv'],
    code: 2,
    says: /--format csv is not one of table, json\. Use/,
  },
  { args: ['optimize', '--format', 'csv'], code: 2, says: /--format csv is not one of table, json\. Use --format/ },
  { args: ['retention', 'set', '--keep', 'soon'], code: 2, says: /--keep soon is not a span/ },
  {
    args: ['audit-config', 'enable', '--all', '--format', 'jsonl'],
    code: 2,
    says: /--format jsonl is not one of table, json\. Use --format table \(for people\) or json$/m,
  },
  {
    args: ['sink', 'add', 'log', '--type', 'syslog', '--url', 'udp://127.0.0.1:514', '--option', 'format=json'],
    code: 2,
    says: /Sink option format=json is not rfc5424 or cef/,
  },
  {
    args: ['sink', 'add', 'log', '--type', 'syslog', '--url', 'udp://127.0.0.1:514', '--option', 'fromat=cef'],
    code: 2,
    says: /does not use the option fromat \(fromat → format\?\)\. The options this syslog sink uses: .*format/,
  },
  // A number outside what the flag takes: 2, checked before anything stored is looked at.
  {
    args: ['forward', '--batch', 'abc'],
    code: 2,
    says: /--batch abc is not a positive whole number\. Give --batch 2000/,
  },
  { args: ['forward', '--once', '--batch', '0'], code: 2, says: /--batch 0 is not a positive whole number/ },
  { args: ['forward', '--batch', '1.5'], code: 2, says: /--batch 1\.5 is not a positive whole number/ },
  {
    args: ['forward', '--batch', '99999999999'],
    code: 2,
    says: /--batch 99999999999 is too large: the most is 100000/,
  },
  {
    args: ['token', 'add', 'ci', '--user', 'alice', '--expires-days', 'abc'],
    code: 2,
    says: /--expires-days abc is not a positive whole number\. Give whole days, e\.g\. --expires-days 90/,
  },
  {
    args: ['token', 'add', 'ci', '--user', 'alice', '--expires-days', '1.5'],
    code: 2,
    says: /--expires-days 1\.5 is not/,
  },
  {
    args: ['token', 'add', 'ci', '--user', 'alice', '--expires-days', '3651'],
    code: 2,
    says: /--expires-days 3651 is too large: the most is 3650/,
  },
  {
    args: ['audit-config', 'enable', '--all', '--age-limit', '99999'],
    code: 2,
    says: /--age-limit 99999 is too large: the most is 24855\. Give whole days as Microsoft takes them, e\.g\. --age-limit 180 \(from 1 to 24855\)/,
  },
  {
    args: ['audit-config', 'enable', '--mailboxes', 'all', 'contoso', '--dry-run'],
    code: 2,
    says: /needs a tenant; --mailboxes took "all contoso" as mailboxes\. --mailboxes takes every value after it: put the tenants first, e\.g\. tenantwatch audit-config enable contoso --mailboxes all$/m,
  },
  // A span flag that takes no date does not offer one ("or a date such as 2026-11-01" to --keep, which refuses it).
  {
    args: ['retention', 'set', '--keep', '36501d'],
    code: 2,
    says: /--keep span 36501d is longer than tenantwatch accepts: .*Give a shorter span such as 7d, 90d or 365d$/m,
  },
  { args: ['search', '--start', '36501d'], code: 2, says: /or 365d, or a date such as 2026-11-01$/m },
  // A flag another tool names so (--since, --until): the error names this command's option and what it takes.
  {
    args: ['search', '--since', '7d'],
    code: 2,
    says: /unknown option '--since'\n\(Did you mean --start\? --start: start of the range/,
  },
  { args: ['search', '--start', '7d', '--until=now'], code: 2, says: /\(Did you mean --end\? --end: end of the range/ },
  {
    args: ['detect', '--last', '30d'],
    code: 2,
    says: /\(Did you mean --start\? --start: start of the records to examine/,
  },
  {
    args: ['collect', '--all', '--requests-per-minute', 'abc'],
    code: 2,
    says: /--requests-per-minute must be a whole number of at least 1, not "abc"\. e\.g\. --requests-per-minute 1800 \(the default\)/,
  },
  // A tenant after --mailboxes was taken as one more mailbox, and that tenant was silently left as it was.
  {
    args: ['audit-config', 'enable', 'contoso', '--mailboxes', 'alice@contoso.com', 'fabrikam', '--dry-run'],
    code: 2,
    says: /--mailboxes took "fabrikam", which is not a user principal name\. .*tenantwatch audit-config enable contoso fabrikam --mailboxes alice@contoso\.com$/m,
  },
  // --seal with no secret to seal was dropped, and the person believed something was stored encrypted.
  {
    args: ['sink', 'add', 'log', '--type', 'syslog', '--url', 'tcp://127.0.0.1:514', '--seal'],
    code: 2,
    says: /--seal stores the secret of --token-env or --secret-env encrypted, and neither was given/,
  },
  // Not among what is stored: 1.
  {
    args: ['tenant', 'show', 'nosuch'],
    code: 1,
    says: /No tenant "nosuch" is registered\. See tenantwatch tenant list/,
  },
  { args: ['sink', 'test', 'nosuch'], code: 1, says: /No sink "nosuch" is registered\. See tenantwatch sink list/ },
  {
    args: ['user', 'add', 'bob', '--role', 'viewer', '--group', 'east', '--password-env', 'TW_TEST_PASSWORD'],
    code: 1,
    says: /No tenant group is named "east"\. No group is defined yet: define one on the console's Admin page/,
  },
  { args: ['alerts', 'show', 'al_nosuch'], code: 1, says: /No alert has the id "al_nosuch"\. tenantwatch alerts list/ },
];

test('a value outside a fixed vocabulary exits 2, a name not stored exits 1, each saying where the valid ones are', async () => {
  for (const { args, code, says } of CASES) {
    const res = await runCli(args, { dataDir: data.dir, env: { TW_TEST_PASSWORD: 'a long enough password' } });
    assert.equal(res.code, code, `${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, says, args.join(' '));
    // tenantwatch's own errors are one line (commander's usage errors add a line pointing to --help).
    if (res.stderr.startsWith('tenantwatch:')) assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  }
});
