/**
 * Webhook payloads. `standard`: `{"type":"tenantwatch.records"|"tenantwatch.alert","data":[…]}` with
 * records as their AuditData objects plus tenant. Chat styles take alerts only and shape them for the
 * service: a Teams Adaptive Card message, Slack blocks (mrkdwn), a Discord embed (colour by severity).
 */
import { parseBoundedJson } from '../../core/json.js';
import type { AlertPayload, Item } from '../alert.js';
import type { WebhookStyle } from './config.js';

const COLOUR: Record<string, number> = {
  critical: 0x8b0000,
  high: 0xd13438,
  medium: 0xffaa44,
  low: 0x2d7d9a,
  informational: 0x888888,
};

export function standardPayload(items: readonly Item[]): string {
  const records = items.filter((i) => i.kind === 'record');
  if (records.length === items.length)
    return `{"type":"tenantwatch.records","data":[${records.map((i) => `{"tenant":${JSON.stringify(i.record.tenant)},"record":${i.record.raw}}`).join(',')}]}`;
  return JSON.stringify({
    type: 'tenantwatch.items',
    data: items.map((i) =>
      i.kind === 'alert'
        ? { alert: i.alert }
        : { tenant: i.record.tenant, record: parseBoundedJson(i.record.raw) ?? i.record.raw },
    ),
  });
}

function factsOf(a: AlertPayload): [string, string][] {
  return [
    ['Tenant', a.tenant],
    ['Severity', a.severity],
    ['First seen', new Date(a.firstSeen).toISOString()],
    ['Last seen', new Date(a.lastSeen).toISOString()],
    ['Records', String(a.recordIds.length)],
    ...Object.entries(a.facts),
  ];
}

export function chatPayload(style: Exclude<WebhookStyle, 'standard'>, a: AlertPayload): unknown {
  const title = `[${a.severity.toUpperCase()}] ${a.title}`;
  const facts = factsOf(a);
  if (style === 'teams')
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
              ...(a.description ? [{ type: 'TextBlock', text: a.description, wrap: true }] : []),
              { type: 'FactSet', facts: facts.map(([t, v]) => ({ title: t, value: v })) },
            ],
            ...(a.link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in tenantwatch', url: a.link }] } : {}),
          },
        },
      ],
    };
  if (style === 'slack')
    return {
      text: title,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
        ...(a.description ? [{ type: 'section', text: { type: 'mrkdwn', text: a.description } }] : []),
        { type: 'section', fields: facts.slice(0, 10).map(([t, v]) => ({ type: 'mrkdwn', text: `*${t}*\n${v}` })) },
        ...(a.link ? [{ type: 'section', text: { type: 'mrkdwn', text: `<${a.link}|Open in tenantwatch>` } }] : []),
      ],
    };
  return {
    embeds: [
      {
        title: title.slice(0, 256),
        description: a.description?.slice(0, 4096) ?? undefined,
        url: a.link ?? undefined,
        color: COLOUR[a.severity] ?? 0x888888,
        timestamp: new Date(a.raisedAt).toISOString(),
        fields: facts.slice(0, 25).map(([name, value]) => ({ name, value: value.slice(0, 1024), inline: true })),
      },
    ],
  };
}
