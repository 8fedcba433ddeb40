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
import { silentLogger } from '../src/core/log.js';
import type { AlertPayload } from '../src/sinks/alert.js';
import { emailDriver } from '../src/sinks/email/sender.js';
import type { SinkFailure } from '../src/sinks/failure.js';
import { nodeHttpSender } from '../src/sinks/http.js';
import { sinkRow, T0 } from '../src/sinks/testing/records.js';

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
    onData: (stream, session, cb) => {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
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

const alert: AlertPayload = {
  id: 'al-7',
  tenant: 'contoso',
  ruleId: 'r-7',
  title: 'Mailbox audit bypass enabled',
  severity: 'critical',
  description: null,
  firstSeen: T0,
  lastSeen: T0,
  raisedAt: T0,
  recordIds: ['x'],
  facts: { user: 'admin@contoso.com' },
  link: null,
};

function driver(secret: string) {
  const row = sinkRow({
    kind: 'email',
    url: `smtp://127.0.0.1:${port}`,
    options: { to: 'soc@contoso.com', from: 'tw@contoso.com', user: 'soc' },
  });
  return emailDriver({ row, secret, caPem, clock: new ManualClock(T0), logger: silentLogger, http: nodeHttpSender });
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
