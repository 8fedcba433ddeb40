import { parentPort } from 'node:worker_threads';
import { AppError } from '../core/errors.js';
import type { Store } from '../store/contract.js';
import { openStore } from '../store/open.js';
import { signInParts } from './sign-ins/groups.js';
import type { SplitReply, SplitRequest, SplitTask } from './split-tasks.js';

/** The worker thread of reports/split.ts: reads its part of a period and posts it back as plain data. */
const TASKS: Record<SplitTask, (store: Store, query: SplitRequest['query']) => Promise<unknown>> = {
  'sign-ins': (store, query) => signInParts({ store }).here(query),
};

const stores = new Map<string, Promise<Store>>();

function storeAt(location: string): Promise<Store> {
  let store = stores.get(location);
  if (!store) stores.set(location, (store = openStore(location)));
  return store;
}

parentPort!.on('message', (request: SplitRequest) => {
  void (async () => {
    let reply: SplitReply;
    try {
      reply = { id: request.id, result: await TASKS[request.task](await storeAt(request.location), request.query) };
    } catch (error) {
      const e = error as Error;
      reply = {
        id: request.id,
        error: {
          message: e.message,
          ...(e instanceof AppError ? { code: e.code, ...(e.hint ? { hint: e.hint } : {}) } : {}),
        },
      };
    }
    parentPort!.postMessage(reply);
  })();
});
