import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { AlertPayload } from '../alert.js';
import { nodeHttpSender } from '../http.js';
import { records, sinkRow, T0 } from '../testing/records.js';
import { webhookDriver } from './sender.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const got: { headers: IncomingHttpHeaders; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    got.push({ headers: req.headers, body });
    res.writeHead(204).end();
  });
});
let url = '';
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
after(() => server.close());

const alert: AlertPayload = {
  id: 'al-1',
  tenant: 'contoso',
  ruleId: 'r-1',
  title: 'Inbox rule forwards mail outside',
  severity: 'high',
  description: 'Check the rule and who created it.',
  firstSeen: T0,
  lastSeen: T0 + 1000,
  raisedAt: T0 + 2000,
  recordIds: ['a', 'b'],
  facts: { user: 'alice@contoso.com' },
  link: 'https://tw.example/alerts/al-1',
};

const ctx = (options: Record<string, unknown>, secret: string | null) => ({
  row: sinkRow({ kind: 'webhook', url, options }),
  secret,
  caPem: null,
  clock: new ManualClock(Date.now()),
  logger: silentLogger,
  http: nodeHttpSender,
});

test('standard: records in one signed POST that the standardwebhooks verifier accepts', async () => {
  got.length = 0;
  const driver = webhookDriver(ctx({}, SECRET));
  const sent = records(3);
  await driver.send(
    sent.map((record) => ({ kind: 'record' as const, record })),
    new AbortController().signal,
  );
  await driver.close();
  const { headers, body } = got[0]!;
  const verified = new Webhook(SECRET).verify(body, headers as Record<string, string>) as {
    data: { record: { Id: string } }[];
  };
  assert.deepEqual(
    verified.data.map((d) => d.record.Id),
    sent.map((r) => r.id),
  );
  assert.match(String(headers['webhook-signature']), /^v1,/);
});

test('teams, slack and discord get an alert in their own shape', async () => {
  got.length = 0;
  for (const style of ['teams', 'slack', 'discord']) {
    const driver = webhookDriver(ctx({ style }, null));
    await driver.send([{ kind: 'alert', alert }], new AbortController().signal);
    await driver.close();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading three foreign JSON shapes
  const [teams, slack, discord] = got.map((g) => JSON.parse(g.body) as Record<string, any>);
  assert.equal(teams!.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
  assert.equal(teams!.attachments[0].content.body[0].text, '[HIGH] Inbox rule forwards mail outside');
  assert.equal(slack!.blocks[0].type, 'header');
  assert.equal(discord!.embeds[0].color, 0xd13438);
  assert.equal(discord!.embeds[0].url, alert.link);
});
