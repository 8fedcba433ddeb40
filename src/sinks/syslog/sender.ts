/**
 * The syslog driver. TCP and TLS keep one connection, frames written back to back; a batch counts as
 * delivered once the socket took every byte — syslog has no application acknowledgement, so this is
 * the most a sender can know (siem-protocols.md), and a connection that breaks mid-batch sends the
 * whole batch again (a few doubles, never a gap). UDP sends one datagram per message.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { rootCertificates } from 'node:tls';
import type { Item } from '../alert.js';
import { TEST_EVENT_MARK, type DriverContext, type SendResult, type SinkDriver } from '../driver.js';
import { classifyNetworkError, SinkFailure } from '../failure.js';
import { syslogConfig, type SyslogConfig } from './config.js';
import { encodeMessage, frame } from './encoder.js';

/** A TCP or TLS connection that makes no progress (connecting, handshake, writing) for this long is given up. */
const IDLE_MS = 30_000;

export function syslogDriver(ctx: DriverContext): SinkDriver {
  const config = syslogConfig(ctx.row);
  const stream = config.transport === 'udp' ? null : new StreamConnection(config, ctx.caPem);
  const udp = config.transport === 'udp' ? createSocket(config.host.includes(':') ? 'udp6' : 'udp4') : null;

  async function sendMessages(messages: string[]): Promise<void> {
    if (udp) {
      for (const m of messages) await sendDatagram(udp, config, Buffer.from(m));
      return;
    }
    await stream!.write(Buffer.concat(messages.map(frame)));
  }

  return {
    maxBatch: config.batch,
    idempotent: false,
    // Connecting (with TLS's handshake), then writing, each given up after IDLE_MS without progress; UDP is less.
    longestAttemptMs: 2 * IDLE_MS,
    async send(items: readonly Item[]): Promise<SendResult> {
      const result: SendResult = { rejected: [], retry: [] };
      const messages: string[] = [];
      items.forEach((item, index) => {
        const m = encodeMessage(item, config);
        if (Buffer.byteLength(m) > config.maxMessage)
          result.rejected.push({
            index,
            reason: `message of ${Buffer.byteLength(m)} bytes is larger than the receiver's ${config.maxMessage} (--option maxMessage): not sent rather than cut`,
          });
        else messages.push(m);
      });
      await sendMessages(messages);
      return result;
    },
    async test() {
      const m = `<${config.facility * 8 + 6}>1 ${new Date(ctx.clock.now()).toISOString()} ${config.hostname} ${config.appName} - test - ${TEST_EVENT_MARK}`;
      await sendMessages([m]);
      return `${config.transport}://${config.host}:${config.port} took a test message (syslog has no acknowledgement: check the receiver)`;
    },
    async close() {
      stream?.close();
      udp?.close();
    },
  };
}

function sendDatagram(socket: UdpSocket, config: SyslogConfig, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.send(body, config.port, config.host, (e) => (e ? reject(classifyNetworkError(e)) : resolve())),
  );
}

/** One TCP or TLS connection, opened on first use and again after it broke. */
class StreamConnection {
  private socket: Socket | null = null;
  private broken: Error | null = null;

  constructor(
    private readonly config: SyslogConfig,
    private readonly caPem: string | null,
  ) {}

  private open(): Promise<Socket> {
    if (this.socket && !this.broken) return Promise.resolve(this.socket);
    this.socket?.destroy();
    this.broken = null;
    return new Promise<Socket>((resolve, reject) => {
      const { host, port } = this.config;
      const socket =
        this.config.transport === 'tls'
          ? tlsConnect({
              host,
              port,
              servername: /^[\d.:]+$/.test(host) ? undefined : host,
              ...(this.caPem ? { ca: [...rootCertificates, this.caPem] } : {}),
            })
          : netConnect({ host, port });
      const ready = this.config.transport === 'tls' ? 'secureConnect' : 'connect';
      socket.setTimeout(IDLE_MS, () =>
        socket.destroy(new SinkFailure('timeout', `no progress within ${IDLE_MS / 1000} s`, { retryable: true })),
      );
      socket.once('error', (e) => reject(classifyNetworkError(e)));
      socket.once(ready, () => {
        socket.removeAllListeners('error');
        socket.on('error', (e) => (this.broken = e));
        socket.on('close', () => (this.broken ??= new Error('connection closed by the receiver')));
        socket.on('data', () => undefined);
        this.socket = socket;
        resolve(socket);
      });
    });
  }

  async write(bytes: Buffer): Promise<void> {
    const socket = await this.open();
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, (e) => {
        if (e || this.broken) {
          this.socket = null;
          socket.destroy();
          return reject(classifyNetworkError(e ?? this.broken));
        }
        resolve();
      });
    });
  }

  close(): void {
    this.socket?.end();
    this.socket = null;
  }
}
