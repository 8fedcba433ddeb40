import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, corpusSkip } from '../../test/support/paths.js';
import { normalizeRecord } from './normalize.js';

/**
 * Elastic's 15 ClientIP spellings (corpus/elastic-beats-o365-edgecases/ip-formats.log and its expected
 * output): our ip/port equal Elastic's, except where we chose another convention — listed with why.
 */
const DEVIATIONS: Record<string, { ip: string | null; port: number | null; why: string }> = {
  '::ffff:10.11.12.13': {
    ip: '10.11.12.13',
    port: null,
    why: 'IPv4-mapped IPv6 is stored as plain IPv4 (docs/adr/0011-normalization-rules.md), so a search for the IPv4 address finds both spellings',
  },
  '[::ffff:10.11.12.13]:12345': { ip: '10.11.12.13', port: 12345, why: 'same IPv4-mapped convention' },
  '[2001:db8::abcd]': {
    ip: '2001:db8::abcd',
    port: null,
    why: "a bracketed address without port is still an address (ecs-mapping.md §4 step 4); Elastic's pattern misses it",
  },
  '[10.11.12.13]': { ip: '10.11.12.13', port: null, why: 'same: bracketed without port' },
  'localhost:12345': {
    ip: null,
    port: 12345,
    why: 'host:port gives the port for every host name; Elastic keeps it for cool.client.local:12345 but not for localhost:12345',
  },
};

test(
  'Elastic ip-formats: 15 spellings give the expected ip and port or a documented deviation',
  { skip: corpusSkip },
  () => {
    const dir = join(corpusDir, 'elastic-beats-o365-edgecases');
    const input = readFileSync(join(dir, 'ip-formats.log'), 'utf8');
    const expected = readFileSync(join(dir, 'ip-formats.log-expected.compact.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string | number>);
    const byOffset = new Map(expected.map((e) => [e['log.offset'] as number, e]));
    let offset = 0;
    let checked = 0;
    for (const line of input.split('\n')) {
      if (line.trim()) {
        const want = byOffset.get(offset);
        assert.ok(want, `no expected entry at offset ${offset}`);
        const result = normalizeRecord(line, { tenant: 'corpus', source: 'import' });
        if (!result.ok) assert.fail(result.reason);
        const spelling = (JSON.parse(line) as { ClientIP: string }).ClientIP;
        const got = { ip: result.record.clientIp, port: result.record.clientPort };
        const deviation = DEVIATIONS[spelling];
        const port = want['source.port'] ?? want['client.port'];
        const elastic = {
          ip: (want['source.ip'] as string | undefined) ?? null,
          port: port === undefined ? null : Number(port),
        };
        if (deviation) {
          assert.notDeepEqual(
            elastic,
            { ip: deviation.ip, port: deviation.port },
            `${spelling}: listed as a deviation but agrees`,
          );
          assert.deepEqual(got, { ip: deviation.ip, port: deviation.port }, spelling);
        } else {
          assert.deepEqual(got, elastic, spelling);
        }
        checked++;
      }
      offset += Buffer.byteLength(line) + 1;
    }
    assert.equal(checked, 15);
  },
);
