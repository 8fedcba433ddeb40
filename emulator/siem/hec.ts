/**
 * A Splunk HTTP Event Collector, faithful to its documented answers (help.splunk.com "HTTP Event
 * Collector REST API endpoints" and "Troubleshoot HTTP Event Collector"): `Authorization: Splunk
 * <token>`; concatenated JSON envelopes; `{"text":"Success","code":0}`; code 2 token required (401),
 * 4 invalid token (403), 5 no data (400), 6 invalid data format with `invalid-event-number` (400; the
 * events before it are kept), 9 server busy (503), 10/11 data channel missing/invalid (400), 12 event
 * field is required (400). With acknowledgement on, every request on a channel gets an `ackId`, and
 * `/services/collector/ack` answers `{"acks":{"<id>":true|false}}` (an id becomes true once indexed).
 */
export interface HecEvent {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: unknown;
  fields?: Record<string, unknown>;
}

export interface HecState {
  token: string;
  ack: boolean;
  /** Polls an ack id answers false before it turns true (indexing delay). */
  ackDelayPolls: number;
  events: HecEvent[];
  /** False: keep only each event's `fields` (its ids), for benches that send millions. */
  keepEvents: boolean;
  channels: Map<string, { next: number; pending: Map<number, number> }>;
  requests: number;
}

export function newHecState(token: string): HecState {
  return { token, ack: false, ackDelayPolls: 1, events: [], keepEvents: true, channels: new Map(), requests: 0 };
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ok = (extra: object = {}): Answer => ({ status: 200, body: { text: 'Success', code: 0, ...extra } });
const fail = (status: number, code: number, text: string, extra: object = {}): Answer => ({
  status,
  body: { text, code, ...extra },
});

function authorize(state: HecState, auth: string | undefined): Answer | null {
  if (!auth) return fail(401, 2, 'Token is required');
  const m = /^Splunk\s+(.+)$/.exec(auth);
  if (!m || m[1] !== state.token) return fail(403, 4, 'Invalid token');
  return null;
}

/** Splits concatenated JSON objects ("{…}{…}" or one per line) without assuming newlines. */
function splitEnvelopes(text: string): unknown[] | number {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) {
      try {
        out.push(JSON.parse(text.slice(start, i + 1)));
      } catch {
        return out.length;
      }
    } else if (depth === 0 && !/\s/.test(c!)) return out.length;
  }
  return depth === 0 ? out : out.length;
}

export function hecEvent(
  state: HecState,
  headers: { auth?: string; channel?: string },
  body: string,
  rejectIds: ReadonlySet<string>,
): Answer {
  const denied = authorize(state, headers.auth);
  if (denied) return denied;
  state.requests++;
  if (state.ack && !headers.channel) return fail(400, 10, 'Data channel is missing');
  const parsed = splitEnvelopes(body);
  if (Array.isArray(parsed) && parsed.length === 0) return fail(400, 5, 'No data');
  const envelopes = Array.isArray(parsed) ? parsed : null;
  const list = envelopes ?? [];
  for (let i = 0; i < list.length; i++) {
    const e = list[i] as HecEvent;
    if (e === null || typeof e !== 'object' || !('event' in e))
      return partial(state, list, i, 12, 'Event field is required');
    const id = e.fields?.record_id;
    if (typeof id === 'string' && rejectIds.has(id)) return partial(state, list, i, 6, 'Invalid data format');
  }
  if (!envelopes) return partial(state, [], typeof parsed === 'number' ? parsed : 0, 6, 'Invalid data format');
  for (const e of list) keep(state, e as HecEvent);
  if (!state.ack) return ok();
  const channel = channelOf(state, headers.channel!);
  const ackId = channel.next++;
  channel.pending.set(ackId, state.ackDelayPolls);
  return ok({ ackId });
}

/** Events before the bad one are kept (Splunk indexes what it parsed before the error). */
function partial(state: HecState, list: unknown[], bad: number, code: number, text: string): Answer {
  for (const e of list.slice(0, bad)) keep(state, e as HecEvent);
  return fail(400, code, text, { 'invalid-event-number': bad });
}

function keep(state: HecState, e: HecEvent): void {
  state.events.push(state.keepEvents ? e : { event: null, ...(e.fields ? { fields: e.fields } : {}) });
}

function channelOf(state: HecState, id: string): { next: number; pending: Map<number, number> } {
  let c = state.channels.get(id);
  if (!c) state.channels.set(id, (c = { next: 0, pending: new Map() }));
  return c;
}

export function hecAck(state: HecState, headers: { auth?: string; channel?: string }, body: string): Answer {
  const denied = authorize(state, headers.auth);
  if (denied) return denied;
  if (!state.ack) return fail(400, 14, 'ACK is disabled');
  if (!headers.channel) return fail(400, 10, 'Data channel is missing');
  const channel = state.channels.get(headers.channel);
  if (!channel) return fail(400, 11, 'Invalid data channel');
  let ids: unknown;
  try {
    ids = (JSON.parse(body) as { acks?: unknown }).acks;
  } catch {
    return fail(400, 6, 'Invalid data format');
  }
  if (!Array.isArray(ids)) return fail(400, 6, 'Invalid data format');
  const acks: Record<string, boolean> = {};
  for (const id of ids as number[]) {
    const left = channel.pending.get(id);
    if (left === undefined) acks[String(id)] = false;
    else if (left <= 0) {
      acks[String(id)] = true;
      channel.pending.delete(id);
    } else {
      acks[String(id)] = false;
      channel.pending.set(id, left - 1);
    }
  }
  return { status: 200, body: { acks } };
}
