import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientAddress } from './client-address.js';

test('the quick IPv4 reading gives what the general path gives', () => {
  // A leading space skips the quick path (it wants the exact shape), so it is the reference.
  const samples = [
    '203.0.113.9',
    '203.0.113.9:63070',
    '0.0.0.0',
    '255.255.255.255',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.04',
    '1.2.3.4:',
    '1.2.3.4:0',
    '1.2.3.4:65535',
    '1.2.3.4:65536',
    '1.2.3.4:123456',
    '1.2.3.4:8a',
    '1.2.3.4 ',
    '1.2.3.4x',
    '1..3.4',
    '1234.1.1.1',
    '10.0.0.1:443',
    '192.168.1.1:08080',
  ];
  for (const s of samples) assert.deepEqual(parseClientAddress(s), parseClientAddress(` ${s}`), s);
  assert.deepEqual(parseClientAddress('203.0.113.9:63070'), { ip: '203.0.113.9', port: 63070 });
});
