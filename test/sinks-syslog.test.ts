/**
 * The syslog sink against a real rsyslog (Debian's rsyslog + rsyslog-gnutls): the test writes its own
 * configuration — octet-counted TCP and TLS (imtcp with the gtls driver) on free 127.0.0.1 ports,
 * every message written to a file as received — runs `rsyslogd -n`, forwards records over both, and
 * checks every record is in the file and each line parses back to its record. Skips when rsyslogd or
 * its TLS driver is absent (`.ci/run` installs rsyslog rsyslog-gnutls).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureTls } from '../emulator/tls.js';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { runSink } from '../src/sinks/forwarder.js';
import { nodeHttpSender } from '../src/sinks/http.js';
import { backoffPolicy } from '../src/sinks/retry.js';
import { syslogDriver } from '../src/sinks/syslog/sender.js';
import { MemoryForwardStore } from '../src/sinks/testing/memory-store.js';
import { records, sinkRow, T0 } from '../src/sinks/testing/records.js';

const rsyslogd = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
const gtls = spawnSync('sh', ['-c', 'ls /usr/lib/*/rsyslog/lmnsd_gtls.so /usr/lib/rsyslog/lmnsd_gtls.so 2>/dev/null'])
  .stdout?.length;
const skip = !rsyslogd
  ? 'rsyslogd is not installed (apt-get install rsyslog rsyslog-gnutls)'
  : !gtls
    ? 'rsyslog-gnutls is not installed'
    : false;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Real time on purpose: rsyslogd is another process; bounded. */
async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('syslog to a real rsyslog', { skip }, () => {
  let dir = '';
  let child: ChildProcess | null = null;
  let tcpPort = 0;
  let tlsPort = 0;
  let caPem = '';
  const out = (): string => join(dir, 'out.log');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tw-rsyslog-'));
    const tls = await ensureTls(join(dir, 'state'));
    caPem = tls.caPem;
    writeFileSync(join(dir, 'cert.pem'), tls.certPem);
    writeFileSync(join(dir, 'key.pem'), tls.keyPem, { mode: 0o600 });
    [tcpPort, tlsPort] = [await freePort(), await freePort()];
    const conf = `
global(workDirectory="${dir}" maxMessageSize="64k"
  defaultNetstreamDriverCAFile="${tls.caFile}" defaultNetstreamDriverCertFile="${dir}/cert.pem" defaultNetstreamDriverKeyFile="${dir}/key.pem")
module(load="imtcp" maxSessions="50")
template(name="msgonly" type="string" string="%msg%\\n")
ruleset(name="fwd") { action(type="omfile" file="${out()}" template="msgonly") }
input(type="imtcp" address="127.0.0.1" port="${tcpPort}" ruleset="fwd")
input(type="imtcp" address="127.0.0.1" port="${tlsPort}" ruleset="fwd" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
`;
    writeFileSync(join(dir, 'rsyslog.conf'), conf);
    child = spawn(rsyslogd!, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await until('rsyslogd to listen', () => child!.exitCode === null, 100).catch(() => undefined);
    const end = Date.now() + 15_000;
    while (!((await listening(tcpPort)) && (await listening(tlsPort)))) {
      if (child.exitCode !== null || Date.now() > end) throw new Error(`rsyslogd did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  for (const transport of ['tcp', 'tls'] as const) {
    test(`over ${transport}: every record is in rsyslog's file and each line parses back to its record`, async () => {
      const store = new MemoryForwardStore();
      store.add(records(300));
      const port = transport === 'tcp' ? tcpPort : tlsPort;
      const row = sinkRow({
        name: `syslog-${transport}`,
        kind: 'syslog',
        url: `${transport}://127.0.0.1:${port}`,
        options: { batch: 64 },
      });
      await store.sinks.upsert(row); // stored, as the sinks forwarded to are: its cursor is kept only then
      const driver = syslogDriver({
        row,
        secret: null,
        caPem,
        clock: new ManualClock(T0, true),
        logger: silentLogger,
        http: nodeHttpSender,
      });
      const before = existsSync(out()) ? readFileSync(out(), 'utf8').split('\n').filter(Boolean).length : 0;
      const result = await runSink(
        {
          store,
          clock: new ManualClock(T0, true),
          logger: silentLogger,
          policy: backoffPolicy({ maxAttempts: 5 }),
          owner: 'h:1:aaaaaaaa',
          signal: new AbortController().signal,
          once: true,
          readLimit: 100,
        },
        row,
        driver,
      );
      await driver.close();
      assert.equal(result.state, 'caught-up');
      await until(
        'rsyslog to write every line',
        // rsyslog creates the file with its first line, which may come after the sink is done.
        () => existsSync(out()) && readFileSync(out(), 'utf8').split('\n').filter(Boolean).length >= before + 300,
      );
      const lines = readFileSync(out(), 'utf8').split('\n').filter(Boolean).slice(before);
      const byId = new Map(
        lines.map((l) => {
          const parsed = JSON.parse(l.trim()) as { Id: string };
          return [parsed.Id, parsed];
        }),
      );
      for (const r of store.rows) assert.deepEqual(byId.get(r.id), JSON.parse(r.raw), r.id);
    });
  }
});
