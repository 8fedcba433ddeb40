import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sinkRow } from '../../src/sinks/testing/records.js';
import { START, artifacts, startWorld, type World } from './harness.js';

/**
 * The Sinks page in a real browser (issue 15): each sink's kind, health, lag (records behind and how
 * long the oldest waited), last delivery, dead letters and last error — and never its secret or URL.
 * Screenshot in test-artifacts/sinks.png.
 */
const TOKEN = 'hec-secret-7f3a9c1e5b2d4f6a8c0e';
let w: World;

before(async () => {
  w = await startWorld();
  const end = await w.store.records.tailEnd();
  await w.store.sinks.upsert(
    sinkRow({
      name: 'splunk-prod',
      kind: 'splunk',
      url: `https://hec.example.net:8088/?t=${TOKEN}`,
      secret: 'env:HEC',
    }),
  );
  await w.store.sinks.upsert(
    sinkRow({ name: 'elastic-soc', kind: 'elastic', url: 'https://es.example.net:9200', secret: 'env:ES' }),
  );
  // splunk-prod: never delivered, failing; elastic-soc: caught up with one dead letter.
  await w.store.sinks.addStats(sinkRow({ name: 'splunk-prod' }), {
    at: START,
    lastError: { message: 'auth: 403 Invalid token (code 4)', at: START - 60_000 },
  });
  await w.store.cursors.set('sink:elastic-soc', end, START);
  await w.store.sinks.addStats(sinkRow({ name: 'elastic-soc' }), {
    at: START,
    delivered: 4_200,
    throughput: 950,
    lastDeliveryAt: START - 30_000,
  });
  await w.store.sinks.addDeadLetters(sinkRow({ name: 'elastic-soc' }), [
    {
      sink: 'elastic-soc',
      kind: 'record',
      tenant: 't',
      itemId: 'x',
      reason: '400 mapper_parsing_exception',
      failedAt: START,
    },
  ]);
});
after(async () => {
  await w?.close();
});

describe('sinks page in a browser', () => {
  test('shows kind, health, lag, last delivery, dead letters and last error; no secret, no URL', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/sinks`);
    await page.waitForSelector('table.sinks-table tbody tr');
    const row = async (name: string) => (await page.textContent(`tr[data-sink="${name}"]`)) ?? '';
    const splunk = await row('splunk-prod');
    const lag = (await w.store.records.tailLag(null)).records;
    assert.ok(lag > 0);
    assert.match(splunk, /splunk/);
    assert.match(splunk, /failing/);
    assert.match(splunk, new RegExp(lag.toLocaleString('en-US')), 'the lag in records');
    assert.match(splunk, /never/);
    assert.match(splunk, /auth: 403 Invalid token/);
    const elastic = await row('elastic-soc');
    assert.match(elastic, /caught up/);
    assert.match(elastic, /4,200/);
    assert.equal(await page.textContent('tr[data-sink="elastic-soc"] td:nth-child(8)'), '1', 'one dead letter');
    const html = await page.content();
    assert.equal(html.includes(TOKEN), false, 'the secret is never shown');
    assert.equal(html.includes('hec.example.net'), false, 'nor the URL');
    assert.equal(html.includes('env:HEC'), false, 'nor the reference');
    await page.screenshot({ path: join(artifacts, 'sinks.png') });

    // In another zone the times are that zone's, and the headings say so (they said UTC whatever was shown).
    await page.selectOption('select[aria-label="Time zone"]', 'America/New_York');
    try {
      const heads = await page.$$eval('table.sinks-table th', (ths) => ths.map((th) => th.textContent ?? ''));
      assert.ok(heads.includes('Last delivery (America/New_York)'), heads.join(' | '));
      assert.ok(heads.includes('Last error (America/New_York)'), heads.join(' | '));
      assert.equal(await page.textContent('tr[data-sink="elastic-soc"] td:nth-child(6)'), '2026-11-20 06:59:30');
    } finally {
      await page.selectOption('select[aria-label="Time zone"]', 'UTC');
    }
  });
});
