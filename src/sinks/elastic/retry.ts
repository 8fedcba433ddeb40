/**
 * The bulk answer, item by item (Elastic "Bulk API", response body): `errors: true` when any item
 * failed; each item has its own status. 201/200 are stored; 409 on `create` means the `_id` is
 * already there — delivered before, not a failure; 429 and 5xx are worth sending again; any other
 * 4xx (mapper_parsing_exception, illegal_argument_exception…) is the document: a dead letter.
 */
import type { SendResult } from '../driver.js';
import { bodyExcerpt, SinkFailure } from '../failure.js';

interface BulkItem {
  status: number;
  error?: { type?: string; reason?: string };
}

interface BulkAnswer {
  errors?: boolean;
  items?: Record<string, BulkItem>[];
}

export function classifyBulk(body: Buffer, count: number): SendResult & { duplicates: number } {
  let answer: BulkAnswer | null = null;
  try {
    answer = JSON.parse(body.toString('utf8')) as BulkAnswer;
  } catch {
    // not JSON: said below
  }
  // A 200 that is not a bulk answer (a proxy's or captive portal's page) says nothing about the documents.
  if (typeof answer !== 'object' || answer === null || !Array.isArray(answer.items))
    throw new SinkFailure('protocol', `200 not a bulk answer: ${bodyExcerpt(body)}`, { retryable: true, status: 200 });
  const items = answer.items;
  if (items.length !== count)
    throw new SinkFailure('protocol', `the bulk answer has ${items.length} items for ${count} sent`, {
      retryable: true,
      status: 200,
    });
  const out: SendResult & { duplicates: number } = { rejected: [], retry: [], duplicates: 0 };
  if (!answer.errors) return out;
  items.forEach((entry, index) => {
    const item = Object.values(entry)[0];
    if (!item || item.status < 300) return;
    const reason = `${item.status} ${item.error?.type ?? ''}: ${item.error?.reason ?? ''}`.slice(0, 500);
    if (item.status === 409) out.duplicates++;
    else if (item.status === 429 || item.status >= 500) out.retry.push({ index, reason });
    else out.rejected.push({ index, reason });
  });
  return out;
}
