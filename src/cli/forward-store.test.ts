/**
 * The forwarder over the real stores (sinks never import the store; the CLI hands it over as it is): what it keeps
 * there for a record the receiver refused must be storable whatever the receiver said.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pgSkip } from '../../test/support/paths.js';
import { dropSchema, isolatedPgUrl } from '../../test/support/pg.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import type { Item } from '../sinks/alert.js';
import type { SendResult, SinkDriver } from '../sinks/driver.js';
import { runSink } from '../sinks/forwarder.js';
import { backoffPolicy } from '../sinks/retry.js';
import { records, sinkRow, T0 } from '../sinks/testing/records.js';
import type { Store } from '../store/contract.js';
import { openStore } from '../store/open.js';
import { forwardStore } from './sinks.js';

/** A driver that refuses for good the records `refuse` names, with `reason`, and takes the rest. */
function refusingDriver(refuse: (item: Item) => boolean, reason: string): SinkDriver {
  return {
    maxBatch: 100,
    idempotent: false,
    longestAttemptMs: 1_000,
    async send(items: readonly Item[]): Promise<SendResult> {
      const rejected = items.flatMap((item, index) => (refuse(item) ? [{ index, reason }] : []));
      return { rejected, retry: [] };
    },
    test: async () => 'ok',
    close: async () => undefined,
  };
}

const stores: {
  name: string;
  skip: string | false;
  open: () => Promise<{ store: Store; drop: () => Promise<void> }>;
}[] = [
  {
    name: 'SQLite',
    skip: false,
    open: async () => ({ store: await openStore('sqlite::memory:'), drop: async () => undefined }),
  },
  {
    name: 'PostgreSQL',
    skip: pgSkip,
    open: async () => {
      const url = isolatedPgUrl('forward_store');
      return { store: await openStore(url), drop: () => dropSchema(url) };
    },
  },
];

describe('a dead letter whose reason holds a NUL', () => {
  for (const s of stores)
    test(`is stored, and the sink goes on past it (${s.name})`, { skip: s.skip }, async () => {
      const { store, drop } = await s.open();
      try {
        const sent = records(5);
        await store.records.insert(sent);
        await store.sinks.upsert(sinkRow());
        // Elastic's mapper_parsing_exception quotes the field's value: here one with a NUL in it.
        const driver = refusingDriver(
          (item) => item.kind === 'record' && item.record.id === sent[2]!.id,
          "400 mapper_parsing_exception: preview of field's value: 'a\u0000b'",
        );
        const result = await runSink(
          {
            store: forwardStore(store),
            clock: new ManualClock(T0, true),
            logger: silentLogger,
            policy: backoffPolicy({ maxAttempts: 2 }),
            owner: 'host:1:aaaaaaaa',
            signal: new AbortController().signal,
            once: true,
          },
          sinkRow(),
          driver,
        );
        assert.deepEqual(result, { sink: 'test', state: 'caught-up', delivered: 4, dead: 1 });
        const [letter] = await store.sinks.deadLetters('test');
        assert.equal(letter?.itemId, sent[2]!.id);
        assert.match(letter?.reason ?? '', /value: 'a\\u0000b'$/);
      } finally {
        await store.close();
        await drop();
      }
    });
});

describe('a sink removed and added again within one millisecond while a batch is out', () => {
  for (const s of stores)
    test(
      `the old pass stores no cursor, dead letter nor statistics of the new sink (${s.name})`,
      { skip: s.skip },
      async () => {
        const { store, drop } = await s.open();
        try {
          const sent = records(5);
          await store.records.insert(sent);
          await store.sinks.upsert(sinkRow());
          const clock = new ManualClock(T0); // stands still: the new sink's addedAt is the removed one's
          const refusing = refusingDriver(
            (item) => item.kind === 'record' && item.record.id === sent[2]!.id,
            '400 mapper_parsing_exception',
          );
          let replaced = false;
          const driver: SinkDriver = {
            ...refusing,
            async send(items, sendOptions) {
              if (!replaced) {
                replaced = true;
                // `sink remove test`, then `sink add test` (from the start: no cursor), while the batch is out.
                await store.sinks.remove('test');
                await store.sinks.upsert(sinkRow({ url: 'https://127.0.0.1:9088', id: 'sink-test-again' }));
              }
              return refusing.send(items, sendOptions);
            },
          };
          const result = await runSink(
            {
              store: forwardStore(store),
              clock,
              logger: silentLogger,
              policy: backoffPolicy({ maxAttempts: 2 }),
              owner: 'host:1:aaaaaaaa',
              signal: new AbortController().signal,
              once: true,
              inFlight: 1,
            },
            sinkRow(),
            driver,
          );
          assert.equal(result.state, 'stopped', 'the old pass stops: its sink is gone');
          assert.equal(await store.cursors.get('sink:test'), null, 'the new sink starts where sink add put it');
          assert.equal(
            await store.sinks.countDeadLetters('test'),
            0,
            "the old pass's dead letters are not the new sink's",
          );
          assert.equal(await store.sinks.stats('test'), null, 'nor its statistics');
        } finally {
          await store.close();
          await drop();
        }
      },
    );
});
