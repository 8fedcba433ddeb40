import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../core/errors.js';
import type { SinkKind, SinkRow } from '../core/sink.js';
import { checkSinkRow } from './registry.js';

function row(
  kind: SinkKind,
  url: string,
  options: Record<string, unknown>,
  secret: string | null = 'env:TOKEN',
): SinkRow {
  return {
    name: 'siem',
    id: 'sink-siem',
    kind,
    url,
    urlSecret: null,
    takes: 'records',
    filter: {},
    options,
    secret,
    caFile: null,
    enabled: true,
    addedAt: 0,
    updatedAt: 0,
  };
}

function refused(r: SinkRow, message: RegExp, hint: RegExp): void {
  assert.throws(
    () => checkSinkRow(r),
    (e: unknown) =>
      // What `sink add` was given: bad input (exit 2), not a broken stored sink (CONFIG_INVALID, exit 1).
      e instanceof AppError && e.code === 'BAD_INPUT' && message.test(e.message) && hint.test(e.hint ?? ''),
  );
}

test('an option the sink does not use is refused, naming the ones it does (and the close one)', () => {
  checkSinkRow(row('elastic', 'https://127.0.0.1:9200', { index: 'o365', namespace: 'prod', gzip: 'false' }));
  refused(
    row('elastic', 'https://127.0.0.1:9200', { idnex: 'o365' }),
    /Sink siem \(elastic\) does not use the option idnex \(idnex → index\?\)/,
    /alertIndex, auth, batch, gzip, inFlight, index, namespace/,
  );
  refused(
    row('splunk', 'https://127.0.0.1:8088', { index: 'o365', sourcetipe: 'x', colour: 'red' }),
    /options sourcetipe, colour/,
    /sourcetype/,
  );
  // One that does not apply as the sink is set up: STARTTLS on an smtps: connection, a batch for a chat webhook.
  checkSinkRow(row('email', 'smtp://127.0.0.1', { to: 'soc@example.com', starttls: 'false' }));
  refused(
    row('email', 'smtps://127.0.0.1', { to: 'soc@example.com', starttls: 'false' }),
    /does not use the option starttls/,
    /from, to, user/,
  );
  refused(
    row('webhook', 'https://127.0.0.1/hook', { style: 'teams', batch: '5' }),
    /does not use the option batch/,
    /style/,
  );
});

test('a sink that cannot send without its secret is refused when added without one', () => {
  const missing = (r: SinkRow, what: RegExp): void =>
    assert.throws(
      () => checkSinkRow(r),
      (e: unknown) =>
        e instanceof AppError && e.code === 'BAD_INPUT' && what.test(e.message) && /--token-env/.test(e.hint ?? ''),
    );
  missing(row('splunk', 'https://127.0.0.1:8088', {}, null), /Sink siem has no HEC token/);
  missing(row('elastic', 'https://127.0.0.1:9200', {}, null), /has no API key/);
  missing(row('elastic', 'https://127.0.0.1:9200', { auth: 'basic' }, null), /has no user:password/);
  checkSinkRow(row('elastic', 'https://127.0.0.1:9200', { auth: 'none' }, null));
  checkSinkRow(row('syslog', 'tcp://127.0.0.1:514', {}, null));
  checkSinkRow(row('webhook', 'https://127.0.0.1/hook', {}, null));
});

test('a file sink URL that is not an absolute file path is refused with one that is, not a Node error or /out.ndjson', () => {
  checkSinkRow(row('file', 'file:///var/log/tenantwatch/records.ndjson', {}, null));
  checkSinkRow(row('file', 'file://localhost/var/log/tenantwatch/records.ndjson', {}, null));
  // file://out.ndjson said only 'File URL host must be "localhost" or empty on linux' (exit 1).
  refused(row('file', 'file://out.ndjson', {}, null), /--url "file:\/\/out\.ndjson" of sink siem/, /file:\/\/\/var\//);
  // file:out.ndjson was taken as /out.ndjson, a file at the root of the disk.
  refused(row('file', 'file:out.ndjson', {}, null), /--url "file:out\.ndjson" of sink siem/, /file:\/\/\/var\//);
  refused(row('file', 'file:///var/log/', {}, null), /names a folder/, /file:\/\/\/var\//);
  // A plain path was told "Give e.g. file://host:port".
  refused(row('file', '/var/log/records.ndjson', {}, null), /is not a URL/, /file:\/\/\/var\//);
});

test('a sink URL with port 0 is refused: nothing listens there', () => {
  refused(row('splunk', 'https://127.0.0.1:0', {}), /port 0/, /https:\/\/host:port/);
  refused(row('syslog', 'tls://siem.example:0', {}, null), /port 0/, /tls:\/\/host:port/);
});

test('an email sink refuses a recipient or sender that is not an e-mail address, at sink add', () => {
  checkSinkRow(row('email', 'smtp://127.0.0.1', { to: 'soc@example.com, SOC Desk <desk@example.com>' }, null));
  checkSinkRow(row('email', 'smtp://127.0.0.1', { to: 'soc@example.com', from: 'tenantwatch@localhost' }, null));
  // Both were stored, and each alert mail then failed at the mail server.
  refused(
    row('email', 'smtp://127.0.0.1', { to: 'soc@example.com,notanemail' }, null),
    /Sink siem: to=.*"notanemail" is not an e-mail address/,
    /--option to=soc@example\.com/,
  );
  refused(
    row('email', 'smtp://127.0.0.1', { to: 'soc@example.com', from: 'tenantwatch' }, null),
    /Sink siem: from="tenantwatch" is not an e-mail address/,
    /--option from=tenantwatch@example\.com/,
  );
});

test('a file or syslog sink refuses a secret: it would be stored and never sent', () => {
  // --token-env on a syslog sink said "secret from $HEC" and the receiver never saw it.
  refused(
    row('syslog', 'tls://siem.example:6514', {}),
    /Sink siem \(syslog\) sends no secret/,
    /Leave out --token-env/,
  );
  refused(row('file', 'file:///var/log/tw.ndjson', {}), /Sink siem \(file\) sends no secret/, /Leave out --token-env/);
  checkSinkRow(row('webhook', 'https://127.0.0.1/hook', {})); // a webhook signs with its secret
});
