/**
 * A collector in a child process, for the SIGKILL test (test/collector-kill.test.ts): collects the
 * tenants in TW_CHILD (JSON) into the SQLite file TW_DB and prints "." per committed blob, so the
 * parent can kill it at a random point mid-work. Its clock starts at the emulator's (frozen) virtual
 * time and moves only by its own waits; the collector identity is stable, as for a restarted service.
 */
import { collect } from '../src/collector/collect.js';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger, type Logger } from '../src/core/log.js';
import { MsalTokenProvider } from '../src/microsoft/auth.js';
import { createHttpClient } from '../src/net/http.js';
import { endpointsFor } from '../src/microsoft/types.js';
import { openStore } from '../src/store/open.js';

interface ChildInput {
  db: string;
  url: string;
  caPem: string;
  now: number;
  tenants: { tenantId: string; name: string; clientId: string; clientSecret: string; publisherId: string }[];
}

const input = JSON.parse(process.env.TW_CHILD ?? '{}') as ChildInput;
const clock = new ManualClock(input.now, true);
const dots: Logger = {
  ...silentLogger,
  debug: (obj) => void ((obj as { event?: string }).event === 'collector.blob.committed' && process.stdout.write('.')),
  child: () => dots,
};
const store = await openStore(`sqlite:${input.db}`);
const summary = await collect({
  store,
  clock,
  logger: dots,
  signal: new AbortController().signal,
  concurrency: 4,
  tenants: input.tenants.map((t) => ({
    tenantId: t.tenantId,
    name: t.name,
    connect() {
      const http = createHttpClient({ ca: input.caPem });
      const endpoints = endpointsFor('commercial', input.url);
      const tokens = new MsalTokenProvider({
        tenantId: t.tenantId,
        clientId: t.clientId,
        endpoints,
        credential: { kind: 'secret', secret: t.clientSecret },
        http,
        clock,
      });
      return { tenantId: t.tenantId, endpoints, tokens, http, publisherId: t.publisherId };
    },
  })),
  tuning: { owner: 'kill-test-collector', requestsPerMinute: 100_000, retry: { maxAttempts: 20 } },
});
await store.close();
process.stdout.write(
  `\n${JSON.stringify({ ok: summary.ok, tenants: summary.tenants.map((s) => ({ name: s.name, state: s.state, error: s.error })) })}\n`,
);
process.exit(summary.ok ? 0 : 1);
