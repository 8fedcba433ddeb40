import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storedRecord, sinkRow } from '../testing/records.js';
import { syslogConfig } from './config.js';
import { cefHeader, cefValue, encodeMessage, frame } from './encoder.js';

const config = syslogConfig(sinkRow({ kind: 'syslog', url: 'tls://127.0.0.1', options: { hostname: 'tw1' } }));

test('RFC 5424: PRI from facility 13, CreationTime, record type as MSGID, tenant and Id as structured data', () => {
  const r = storedRecord({ operation: 'FileAccessed' });
  const m = encodeMessage({ kind: 'record', record: r }, config);
  assert.equal(
    m,
    `<110>1 ${new Date(r.creationTime).toISOString()} tw1 tenantwatch - SharePointFileOperation [tenantwatch@32473 tenant="${r.tenant}" id="${r.id}"] ${r.raw}`,
  );
  assert.equal(config.port, 6514);
});

test('octet counting frames count bytes, not characters', () => {
  assert.equal(frame('é').toString('utf8'), '2 é');
});

test('CEF escapes | and \\ in the header, = \\ and line breaks in extension values', () => {
  assert.equal(cefHeader('a|b\\c'), 'a\\|b\\\\c');
  assert.equal(cefValue('x=1\\2\nz'), 'x\\=1\\\\2\\nz');
  const m = encodeMessage({ kind: 'record', record: storedRecord() }, { ...config, format: 'cef' });
  assert.match(
    m,
    /\] CEF:0\|Microsoft\|Office 365\|1\.0\|6:FileAccessed\|FileAccessed\|3\|rt=\d+ act=FileAccessed externalId=/,
  );
});
