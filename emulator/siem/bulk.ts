/**
 * An Elasticsearch `_bulk` endpoint, faithful to its documented answers (Elastic "Bulk API"): NDJSON
 * action/document pairs; `{"took","errors","items":[{"create":{"_index","_id","status",…}}]}` with a
 * status per item — 201 created, 409 version_conflict_engine_exception when `create` meets an existing
 * `_id`, 429 es_rejected_execution_exception when the write queue is full, 400 mapper_parsing_exception
 * for a document that does not fit the mapping; data streams (`logs-*`) accept only `create`.
 * Documents are kept per index by `_id`; `creates` counts every successful create (a double shows up).
 */
import { randomUUID } from 'node:crypto';
import type { Answer } from './hec.js';

export interface BulkState {
  /** `ApiKey <key>` the receiver accepts; null = no authentication. */
  apiKey: string | null;
  indices: Map<string, Map<string, unknown>>;
  /** Successful creates per `${index}/${id}`: above 1 would be a duplicate document. */
  creates: Map<string, number>;
  /** False: keep only the ids of documents (their bodies become `true`), for benches that send millions. */
  keepDocuments: boolean;
  requests: number;
}

export function newBulkState(apiKey: string | null): BulkState {
  return { apiKey, indices: new Map(), creates: new Map(), keepDocuments: true, requests: 0 };
}

interface ItemAnswer {
  _index: string;
  _id: string;
  status: number;
  result?: string;
  error?: { type: string; reason: string };
}

function error(status: number, type: string, reason: string): Answer {
  return { status, body: { error: { root_cause: [{ type, reason }], type, reason }, status } };
}

export function bulk(
  state: BulkState,
  auth: string | undefined,
  body: string,
  options: { rejectIds: ReadonlySet<string>; partial: () => boolean },
): Answer {
  if (state.apiKey !== null && auth !== `ApiKey ${state.apiKey}`)
    return error(401, 'security_exception', 'unable to authenticate with provided credentials');
  state.requests++;
  const lines = body.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0)
    return error(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
  if (lines.length % 2 !== 0)
    return error(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
  const started = Date.now();
  const items: Record<string, ItemAnswer>[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    let action: Record<string, { _index?: string; _id?: string }>;
    let doc: Record<string, unknown>;
    try {
      action = JSON.parse(lines[i]!) as typeof action;
      doc = JSON.parse(lines[i + 1]!) as typeof doc;
    } catch {
      return error(400, 'x_content_parse_exception', `[${i + 1}:1] Unexpected character`);
    }
    const [op, meta] = Object.entries(action)[0] ?? ['', {}];
    items.push({ [op]: one(state, op, meta, doc, options) });
  }
  const errors = items.some((it) => Object.values(it)[0]!.status >= 300);
  return { status: 200, body: { took: Date.now() - started, errors, items } };
}

function one(
  state: BulkState,
  op: string,
  meta: { _index?: string; _id?: string },
  doc: Record<string, unknown>,
  options: { rejectIds: ReadonlySet<string>; partial: () => boolean },
): ItemAnswer {
  const index = meta._index ?? '';
  const id = meta._id ?? randomUUID();
  const fail = (status: number, type: string, reason: string): ItemAnswer => ({
    _index: index,
    _id: id,
    status,
    error: { type, reason },
  });
  if (index.startsWith('logs-') && op !== 'create')
    return fail(
      400,
      'illegal_argument_exception',
      `only write ops with an op_type of create are allowed in data streams`,
    );
  if (options.partial())
    return fail(
      429,
      'es_rejected_execution_exception',
      'rejected execution of coordinating operation [queue capacity = 200]',
    );
  const eventId = (doc.event as { id?: unknown } | undefined)?.id;
  if (typeof eventId === 'string' && options.rejectIds.has(eventId))
    return fail(
      400,
      'mapper_parsing_exception',
      `failed to parse field [o365.audit.Id] of type [keyword] in document with id '${id}'`,
    );
  let docs = state.indices.get(index);
  if (!docs) state.indices.set(index, (docs = new Map()));
  if (docs.has(id))
    return fail(
      409,
      'version_conflict_engine_exception',
      `[${id}]: version conflict, document already exists (current version [1])`,
    );
  docs.set(id, state.keepDocuments ? doc : true);
  const key = `${index}/${id}`;
  state.creates.set(key, (state.creates.get(key) ?? 0) + 1);
  return { _index: index, _id: id, status: 201, result: 'created' };
}
