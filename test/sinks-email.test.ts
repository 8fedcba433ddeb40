/** Email alerts to a real SMTP server (the smtp-server package) that offers STARTTLS with a private CA and requires a login. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { ensureTls } from '../emulator/tls.js';
import { ManualClock } from '../src/core/clock.js';
import { recordingLogger, silentLogger, type Logger } from '../src/core/log.js';
import { deliverDue } from '../src/detections/routing.js';
import { sinkChannel } from '../src/detections/sink-channel.js';
import type { AlertPayload } from '../src/sinks/alert.js';
import { emailDriver } from '../src/sinks/email/sender.js';
import { deliverItems } from '../src/sinks/deliver.js';
import type { SinkDriver } from '../src/sinks/driver.js';
import type { SinkFailure } from '../src/sinks/failure.js';
import { nodeHttpSender } from '../src/sinks/http.js';
import { backoffPolicy } from '../src/sinks/retry.js';
import { sinkStatus } from '../src/sinks/status.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { alertHit } from '../src/store/testing/alert-conformance.js';
import { sampleAlert, sinkRow, T0 } from '../src/sinks/testing/records.js';

const REFUSED_RECIPIENTS: Record<string, { code: number; text: string }> = {
  'nobody@contoso.com': { code: 550, text: '5.1.1 <nobody@contoso.com>: Recipient address rejected: User unknown' },
  'soc@contoso': { code: 553, text: '5.1.3 <soc@contoso>: Recipient address rejected: bad address syntax' },
};
/** A title the server refuses as content (552), as it would a message over its size limit. */
const TOO_LARGE = 'Huge report attached';
const dir = mkdtempSync(join(tmpdir(), 'tw-smtp-'));
const received: { secure: boolean; data: string; to: string[] }[] = [];
let server: SMTPServer;
let port = 0;
let caPem = '';

before(async () => {
  const tls = await ensureTls(dir);
  caPem = tls.caPem;
  server = new SMTPServer({
    key: tls.keyPem,
    cert: tls.certPem,
    authOptional: false,
    onAuth: (auth, _s, cb) =>
      auth.username === 'soc' && auth.password === 'smtp-pass-123'
        ? cb(null, { user: 'soc' })
        : cb(new Error('Invalid username or password')),
    // As a real server answers a recipient it has no mailbox for, and a message it will not take.
    onRcptTo: (address, _s, cb) => {
      const refusal = REFUSED_RECIPIENTS[address.address];
      cb(refusal ? Object.assign(new Error(refusal.text), { responseCode: refusal.code }) : undefined);
    },
    onData: (stream, session, cb) => {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        if (data.includes(TOO_LARGE))
          return cb(Object.assign(new Error('5.3.4 Message size exceeds fixed maximum'), { responseCode: 552 }));
        received.push({ secure: session.secure, data, to: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const alert = sampleAlert();

function mailRow(to: string) {
  return sinkRow({
    name: 'desk-mail',
    kind: 'email',
    takes: 'alerts',
    url: `smtp://127.0.0.1:${port}`,
    options: { to, from: 'tw@contoso.com', user: 'soc' },
  });
}

function driver(secret: string, to = 'soc@contoso.com', logger: Logger = silentLogger) {
  const row = mailRow(to);
  return emailDriver({ row, secret, caPem, clock: new ManualClock(T0), logger, http: nodeHttpSender });
}

test('an alert is mailed over STARTTLS after login', async () => {
  const d = driver('smtp-pass-123');
  await d.send([{ kind: 'alert', alert }], new AbortController().signal);
  await d.close();
  const m = received.at(-1)!;
  assert.equal(m.secure, true, 'STARTTLS was used');
  assert.deepEqual(m.to, ['soc@contoso.com']);
  assert.match(m.data, /Subject: \[tenantwatch\] \[CRITICAL\] Mailbox audit bypass enabled/);
  assert.match(m.data, /admin@contoso.com/);
});

test('a wrong password fails as authentication, without the password in the message', async () => {
  const d = driver('wrong-pass-999');
  await assert.rejects(
    d.test(new AbortController().signal),
    (e: SinkFailure) => e.stage === 'auth' && !e.message.includes('wrong-pass-999'),
  );
  await d.close();
});

/** deliverItems as sink-channel.ts calls it for an alert: one attempt for a failure of the sink itself. */
async function deliverAlert(d: SinkDriver, payload: AlertPayload) {
  return deliverItems(
    {
      sink: 'desk-mail',
      driver: d,
      policy: backoffPolicy({ maxAttempts: 2, maxAttemptsPermanent: 1, random: () => 0.5 }),
      clock: new ManualClock(T0),
      logger: silentLogger,
      signal: new AbortController().signal,
    },
    [{ kind: 'alert', alert: payload }],
  );
}

/**
 * A recipient the server refuses for good (550 5.1.1 user unknown, 553 bad address) is the sink's
 * recipient option, not the alert: every alert would be refused the same way. Before, each alert became
 * a dead letter and was never offered again; now it is the sink's configuration (no dead letter, the
 * alert stays due) with a message that says which recipient and what to change.
 */
test('a recipient refused for good is the sink configuration, not a dead letter', async () => {
  for (const [to, code] of [
    ['nobody@contoso.com', 550],
    ['soc@contoso', 553],
  ] as const) {
    const d = driver('smtp-pass-123', to);
    await assert.rejects(deliverAlert(d, alert), (e: SinkFailure) => {
      assert.equal(e.stage, 'config', `${code}: ${e.message}`);
      assert.equal(e.aboutContent, false);
      assert.equal(e.options.status, code);
      assert.match(e.message, new RegExp(`${code} 5\\.1\\.\\d`));
      assert.match(
        e.message,
        new RegExp(`refuses the recipient ${to} for good; correct the sink's recipients \\(--option to=`),
      );
      assert.doesNotMatch(e.message, /smtp-pass-123/);
      return true;
    });
    await assert.rejects(d.test(new AbortController().signal), (e: SinkFailure) => e.stage === 'config');
    await d.close();
  }
});

test('a message refused for its content (552 too large) stays a dead letter of that alert', async () => {
  const d = driver('smtp-pass-123');
  const outcome = await deliverAlert(d, { ...alert, id: 'al-big', title: TOO_LARGE });
  await d.close();
  assert.equal(outcome.delivered, 0);
  assert.deepEqual(
    outcome.dead.map((l) => [l.kind, l.itemId]),
    [['alert', 'al-big']],
  );
  assert.match(outcome.dead[0]!.reason, /552 5\.3\.4 Message size exceeds fixed maximum/);
});

/**
 * The same through routing, as `collect --follow` or `serve` run it: the alert stays due, no dead letter, and
 * `sink status` names the refused recipient and what to change (an email sink has no forwarder, so its
 * statistics are the channel's). Once the recipient is corrected, the next pass delivers it.
 */
test('routed to a mail sink with a wrong recipient, the alert stays due and sink status says what to fix', async () => {
  const store = openSqliteStore(':memory:');
  const clock = new ManualClock(T0 + 3_600_000);
  const routing = { routes: [{ channel: 'desk-mail' }], tenantGroups: {} };
  const pass = (to: string) => {
    const d = driver('smtp-pass-123', to);
    const sink = mailRow(to);
    const channel = sinkChannel({
      sink,
      driver: d,
      policy: backoffPolicy({ maxAttempts: 2, maxAttemptsPermanent: 1, random: () => 0.5 }),
      clock,
      logger: silentLogger,
      deadLetters: (letters) => store.sinks.addDeadLetters(sink, letters),
      stats: store.sinks,
    });
    const channels = new Map([['desk-mail', channel]]);
    return deliverDue({ store, clock, logger: silentLogger, routing, channels }).finally(() => d.close());
  };
  try {
    await store.sinks.upsert(mailRow('nobody@contoso.com'));
    const { alert: raised } = await store.alerts.applyHit(alertHit({ alertId: 'al-desk' }), clock.now());
    const before = received.length;
    assert.deepEqual(await pass('nobody@contoso.com'), { delivered: 0, unrouted: 0, failed: 1, claimedElsewhere: 0 });
    assert.equal(await store.sinks.countDeadLetters('desk-mail'), 0, 'no dead letter');
    assert.deepEqual(
      (await store.alerts.due(clock.now(), 10)).map((a) => a.id),
      [raised.id],
      'still due',
    );
    const status = await sinkStatus(store, mailRow('nobody@contoso.com'), clock.now());
    assert.match(
      status.lastError ?? '',
      /^config: .*550 5\.1\.1.*refuses the recipient nobody@contoso\.com for good; correct the sink's recipients \(--option to=/,
    );
    assert.doesNotMatch(status.lastError ?? '', /smtp-pass-123/);
    assert.equal(received.length, before, 'nothing was mailed');

    await store.sinks.upsert(mailRow('soc@contoso.com'));
    assert.deepEqual(await pass('soc@contoso.com'), { delivered: 1, unrouted: 0, failed: 0, claimedElsewhere: 0 });
    assert.equal(received.length, before + 1);
    assert.equal((await sinkStatus(store, mailRow('soc@contoso.com'), clock.now())).delivered, 1);
  } finally {
    await store.close();
  }
});

test('one of two recipients refused: delivered to the other, and a warning names the one to correct', async () => {
  const logger = recordingLogger();
  const d = driver('smtp-pass-123', 'soc@contoso.com, nobody@contoso.com', logger);
  const outcome = await deliverAlert(d, { ...alert, id: 'al-two' });
  await d.close();
  assert.deepEqual([outcome.delivered, outcome.dead.length], [1, 0], 'delivered: sending again would double it');
  assert.deepEqual(received.at(-1)?.to, ['soc@contoso.com']);
  const warned = logger.entries.find((e) => (e.obj as { event?: string }).event === 'sink.email.recipient_refused');
  assert.deepEqual((warned?.obj as { refused?: string[] }).refused, ['nobody@contoso.com']);
  assert.match(warned?.msg ?? '', /refused nobody@contoso\.com .*--option to=/);
});
