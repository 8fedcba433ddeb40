/**
 * Credentials inside a sink URL (issue: a Slack webhook's path, `?token=`, `user:pass@`): never shown in a
 * listing, redacted from every message, and a password in the URL is refused at `sink add`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSecret, redact } from '../config/secrets.js';
import type { AppError } from '../core/errors.js';
import { buildSinkRow, publicUrl, urlSecrets, type SinkInput } from './config.js';

const SLACK = 'https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX';

test('listings show a webhook by its origin, mask every query value and drop user info', () => {
  assert.equal(publicUrl(SLACK, 'webhook'), 'https://hooks.slack.com/***');
  assert.equal(publicUrl('http://127.0.0.1:18910/hook?token=abc', 'webhook'), 'http://127.0.0.1:18910/***?token=***');
  assert.equal(publicUrl('https://splunk:8088/?token=abc&x=1', 'splunk'), 'https://splunk:8088/?token=***&x=***');
  assert.equal(publicUrl('https://es.example:9200/prefix', 'elastic'), 'https://es.example:9200/prefix');
  assert.equal(publicUrl('smtp://u:p@mail.example:587', 'email'), 'smtp://mail.example:587');
  assert.equal(publicUrl('https://127.0.0.1/', 'webhook'), 'https://127.0.0.1/');
  assert.equal(publicUrl('file:///var/log/tw.ndjson', 'file'), 'file:///var/log/tw.ndjson');
});

test("a message holding the URL's secret parts is redacted", () => {
  const timeout = `POST ${SLACK} took longer than 30000 ms`;
  const out = redact(timeout, urlSecrets(SLACK, 'webhook'));
  assert.doesNotMatch(out, /XXXXXXXX|T0000000/);
  assert.match(out, /^POST https:\/\/hooks\.slack\.com\[redacted\] took longer/);
  const token = redact(
    'refused http://127.0.0.1:18910/hook?token=abc',
    urlSecrets('http://127.0.0.1:18910/hook?token=abc', 'webhook'),
  );
  assert.doesNotMatch(token, /token=abc/);
  assert.deepEqual(urlSecrets('https://es.example:9200/prefix', 'elastic'), []);
});

test('a password in the URL is refused at add, with the secret option to use instead', () => {
  const input = (type: string, url: string): SinkInput => ({
    name: 's',
    type,
    url,
    secret: null,
    caFile: null,
    filter: {},
    options: {},
  });
  const add = (type: string, url: string) =>
    buildSinkRow(
      input(type, url),
      () => Buffer.alloc(32),
      0,
      () => undefined,
    );
  assert.throws(
    () => add('elastic', 'https://elastic:changeme@es.example:9200'),
    (e: AppError) =>
      e.code === 'BAD_INPUT' &&
      e.message === 'The --url of sink s holds a password (user:password@host)' &&
      /--secret-env VAR with --option auth=basic/.test(e.hint ?? '') &&
      !/changeme/.test(`${e.message} ${e.hint}`),
  );
  assert.throws(() => add('email', 'smtp://u:p@mail.example:587'), /holds a password/);
  const slack = add('webhook', SLACK);
  assert.equal(slack.url, 'https://hooks.slack.com/***', 'stored masked');
  assert.equal(openSecret(slack.urlSecret!, Buffer.alloc(32)), SLACK, 'and whole, sealed: the receiver needs it');
  assert.equal(
    add('elastic', 'https://es.example:9200').urlSecret,
    null,
    'a URL without a credential is kept as it is',
  );
});
