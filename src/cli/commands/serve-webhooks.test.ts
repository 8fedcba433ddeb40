import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkWebhookUrl } from './serve-webhooks.js';

test('--webhook-url: an HTTPS origin is taken with or without its slash; anything not HTTPS is refused', () => {
  // "https://tenantwatch.example.com" was refused as "not an HTTPS URL", and the same with a / after it taken.
  checkWebhookUrl('https://tenantwatch.example.com');
  checkWebhookUrl('https://tenantwatch.example.com/');
  checkWebhookUrl('https://tenantwatch.example.com/api/webhooks/management');
  for (const url of ['http://tenantwatch.example.com/api/webhooks/management', 'https://', 'tenantwatch.example.com'])
    assert.throws(() => checkWebhookUrl(url), { code: 'USAGE', message: `--webhook-url "${url}" is not an HTTPS URL` });
});
