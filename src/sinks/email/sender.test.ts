/**
 * The email driver's timeouts, against a local server that takes the connection and then falls silent. nodemailer's
 * timers are real ones (no injected clock reaches them), so the driver is given timeouts of tens of milliseconds:
 * the test waits for a deadline, it does not sleep.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { SinkDriver } from '../driver.js';
import { lastErrorText, type SinkFailure } from '../failure.js';
import { nodeHttpSender } from '../http.js';
import { sampleAlert, sinkRow, T0 } from '../testing/records.js';
import { emailDriver, SMTP_TIMEOUTS, type SmtpTimeouts } from './sender.js';

// Real timers (nodemailer's own): long enough that a connection on a loaded machine (load 10 on 2 cores) is not
// taken for a silent server, short enough to keep the tests quick.
const TIMEOUTS: SmtpTimeouts = { connectMs: 600, answerMs: 900 };
const SECRET = 'smtp-pass-123';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

/** A TCP server on 127.0.0.1 that hands each connection to `talk`; returns its port. */
async function server(talk: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const s = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // the driver hangs up on it
    talk(socket);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
  return (s.address() as { port: number }).port;
}

function driver(port: number, timeouts?: SmtpTimeouts): SinkDriver {
  // Plain SMTP with a login, so the password is sent before the server falls silent.
  const row = sinkRow({
    name: 'desk-mail',
    kind: 'email',
    takes: 'alerts',
    url: `smtp://127.0.0.1:${port}`,
    options: { to: 'soc@contoso.com', from: 'tw@contoso.com', user: 'soc', starttls: false },
  });
  const ctx = { row, secret: SECRET, caPem: null, clock: new ManualClock(T0), logger: silentLogger };
  const d = emailDriver({ ...ctx, http: nodeHttpSender }, timeouts);
  closers.push(() => d.close());
  return d;
}

const alert = sampleAlert();

/** Sends the alert; returns the failure and how long it took to come, in real milliseconds. */
async function failure(d: SinkDriver): Promise<{ error: SinkFailure; ms: number }> {
  const started = performance.now();
  try {
    await d.send([{ kind: 'alert', alert }], new AbortController().signal);
  } catch (error) {
    return { error: error as SinkFailure, ms: performance.now() - started };
  }
  assert.fail('the send succeeded against a silent server');
}

test(
  'a server that takes the connection and never greets: a retryable timeout that says so',
  { timeout: 10_000 },
  async () => {
    const port = await server(() => undefined);
    const d = driver(port, TIMEOUTS);
    const { error, ms } = await failure(d);
    assert.equal(error.name, 'SinkFailure', String(error));
    assert.deepEqual([error.stage, error.retryable], ['timeout', true]);
    assert.equal(
      error.message,
      `The mail server 127.0.0.1:${port} took the connection but did not greet within 600 ms (greeting timeout); ` +
        'check the port, and the scheme: smtps:// for a server that expects TLS at once (465), smtp:// for STARTTLS (587)',
    );
    assert.ok(
      ms < d.longestAttemptMs,
      `failed after ${Math.round(ms)} ms, beyond the driver's ${d.longestAttemptMs} ms`,
    );
  },
);

test(
  'a server that stops answering mid-conversation: a retryable timeout, no secret in it',
  { timeout: 10_000 },
  async () => {
    const heard: string[] = [];
    // Greets, offers a login, takes it, and says nothing more from MAIL FROM on.
    const port = await server((socket) => {
      socket.write('220 mail.contoso.test ESMTP\r\n');
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          heard.push(line);
          const verb = line.split(' ')[0]!.toUpperCase();
          if (verb === 'EHLO') socket.write('250-mail.contoso.test\r\n250 AUTH PLAIN LOGIN\r\n');
          else if (verb === 'AUTH') socket.write('235 2.7.0 Authentication successful\r\n');
        }
      });
    });
    const d = driver(port, TIMEOUTS);
    const { error, ms } = await failure(d);
    assert.deepEqual(
      heard.map((l) => l.split(' ')[0]),
      ['EHLO', 'AUTH', 'MAIL'],
      'silent after the login was taken',
    );
    assert.equal(error.name, 'SinkFailure', String(error));
    assert.deepEqual([error.stage, error.retryable], ['timeout', true]);
    assert.equal(
      error.message,
      `The mail server 127.0.0.1:${port} stopped answering: nothing for 900 ms in the middle of the conversation ` +
        '(answer timeout); it is tried again, and a server that stays silent must be looked at',
    );
    const shown = lastErrorText(error);
    assert.match(shown, /^timeout: The mail server 127\.0\.0\.1:\d+ stopped answering/, 'as sink status shows it');
    // The login went out before the silence (AUTH PLAIN carries it in base64): neither form is in the failure.
    const encoded = Buffer.from(`\u0000soc\u0000${SECRET}`).toString('base64');
    assert.ok(
      heard.some((l) => l.includes(encoded)),
      'the password was sent',
    );
    for (const text of [shown, JSON.stringify(error)]) {
      assert.doesNotMatch(text, new RegExp(SECRET));
      assert.doesNotMatch(text, new RegExp(encoded.replace(/[+/=]/g, '\\$&')));
    }
    assert.ok(
      ms < d.longestAttemptMs,
      `failed after ${Math.round(ms)} ms, beyond the driver's ${d.longestAttemptMs} ms`,
    );
  },
);

test(
  'a stopped run ends a send to a silent server at once, without waiting for its timeout',
  { timeout: 10_000 },
  async () => {
    let connected!: () => void;
    const reached = new Promise<void>((resolve) => (connected = resolve));
    const port = await server(() => connected());
    // Timeouts of a minute: only the signal can end this send within the test's time.
    const d = driver(port, { connectMs: 60_000, answerMs: 60_000 });
    const stop = new AbortController();
    const sending = d.send([{ kind: 'alert', alert }], stop.signal);
    await reached;
    stop.abort(new Error('routing stopped'));
    await assert.rejects(sending, (error: Error & { code?: string }) => {
      assert.equal(error.code, 'EABORT', String(error));
      return true;
    });
  },
);

test('without timeouts given, the driver waits as long as before: 30 s to connect, 60 s for each answer', () => {
  assert.deepEqual(SMTP_TIMEOUTS, { connectMs: 30_000, answerMs: 60_000 });
  // Connecting, then EHLO, STARTTLS, EHLO, AUTH (LOGIN: 3), MAIL, DATA, the end and one RCPT TO: ten answers.
  assert.equal(driver(1).longestAttemptMs, 30_000 + 10 * 60_000);
});
