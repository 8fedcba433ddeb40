import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

/**
 * A listing over an empty data folder is an answer, not a failure (DESIGN.md: every listing takes
 * --format table|json|jsonl|csv): exit 0 with an empty listing — a csv header, an empty json list, no jsonl
 * line — and, in table format, a note on stderr saying what would fill it. `audit-config check` with no
 * tenant exited 1, as if a tenant were failing, and printed nothing a script could read.
 */
let data: { dir: string; cleanup: () => void };
before(() => (data = tempDir('tw-empty-listings-')));
after(() => data?.cleanup());

const cli = (args: string[]) => runCli(args, { dataDir: data.dir });

test('audit-config check with no tenant registered prints an empty listing in every format and says how to add one', async () => {
  const [table, json, jsonl, csv] = await Promise.all(
    ['table', 'json', 'jsonl', 'csv'].map((format) => cli(['audit-config', 'check', '--format', format])),
  );
  for (const res of [table!, json!, jsonl!, csv!]) {
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /^tenantwatch: note: no tenant is registered, .*tenantwatch tenant add NAME/);
  }
  assert.equal(table!.stdout, '');
  assert.deepEqual(JSON.parse(json!.stdout), { count: 0, tenants: [] });
  assert.equal(jsonl!.stdout, '');
  assert.equal(
    csv!.stdout,
    '\uFEFFtenant,tenantId,checkedAt,verdict,findings,ualEnabled,orgAuditDisabled,dehydrated,adminAuditLogEnabled,mailboxes,subscriptions,newestRecord,requests\r\n',
  );
  const named = await cli(['audit-config', 'check', 'nosuch', '--format', 'csv']);
  assert.equal(named.code, 1, 'a tenant named but not registered is still a failure');
});

test('an empty listing in table format keeps its header on stdout and says on stderr what would fill it', async () => {
  const cases: [string[], RegExp][] = [
    [['tenant', 'list'], /no tenant is registered: register one with tenantwatch tenant add NAME/],
    [['sink', 'list'], /no sink is registered: add one with tenantwatch sink add NAME --type /],
    [['sink', 'status'], /no sink is registered/],
    [['user', 'list'], /no user yet: .*tenantwatch user add NAME --role admin/],
    [['token', 'list'], /no token yet: make one with tenantwatch token add NAME --user USER/],
    [['alerts', 'list'], /no alert to show: .*tenantwatch detect --start 30d/],
    [['alerts', 'list', '--status', 'new'], /no alert matches these filters/],
    [['rules', 'list', '--no-pack'], /no rule loaded: leave out --no-pack, or give --rules DIR/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli(args)));
  cases.forEach(([args, says], i) => {
    const res = results[i]!;
    const what = args.join(' ');
    assert.equal(res.code, 0, `${what}: ${res.stderr}`);
    assert.match(res.stdout, /^name|^ALERT|^NAME/, `${what}: the header is printed`);
    assert.match(res.stderr, new RegExp(`^tenantwatch: note: ${says.source}`), what);
  });
  // The data formats print only the empty listing.
  const csv = await cli(['sink', 'list', '--format', 'csv']);
  assert.equal(csv.stderr, '');
  assert.equal(csv.stdout, '\uFEFFname,type,url,takes,filter,secret,enabled\r\n');
});
