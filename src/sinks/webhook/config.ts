/**
 * Webhook settings: `style` is `standard` (a JSON POST signed the Standard Webhooks way when a secret
 * `whsec_…` is given: webhook-id, webhook-timestamp, webhook-signature), or `teams`, `slack`, `discord`
 * for those services' incoming webhooks (alerts shaped as an Adaptive Card, blocks, an embed).
 */
import { AppError } from '../../core/errors.js';
import type { SinkRow } from '../../core/sink.js';
import { int, sinkUrl, text } from '../options.js';

export type WebhookStyle = 'standard' | 'teams' | 'slack' | 'discord';

export interface WebhookConfig {
  url: string;
  style: WebhookStyle;
  /** Items per POST for `standard` (records can be batched); chat styles send one alert per POST. */
  batch: number;
}

export function webhookConfig(row: SinkRow): WebhookConfig {
  const u = sinkUrl(row.url, row.name, ['https:', 'http:']);
  const style = text(row.options, row.name, 'style', 'standard');
  if (!['standard', 'teams', 'slack', 'discord'].includes(style))
    throw new AppError('CONFIG_INVALID', `Sink option style=${style} is not standard, teams, slack or discord`, {
      hint: 'Use --option style=teams (or slack, discord) for chat webhooks',
    });
  const chat = style !== 'standard';
  return {
    url: u.toString(),
    style: style as WebhookStyle,
    batch: chat ? 1 : int(row.options, row.name, 'batch', 100, 1, 1_000),
  };
}
