import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipKey, ipKeyBounds } from './ip-key.js';

test('ipKey: fixed-width ordered keys for IPv4 and every IPv6 spelling; anything else has none', () => {
  assert.equal(ipKey('203.0.113.7'), '4:cb007107');
  assert.equal(ipKey('0.0.0.0'), '4:00000000');
  assert.equal(ipKey('255.255.255.255'), '4:ffffffff');
  assert.equal(ipKey('2001:db8::1'), '6:20010db8000000000000000000000001');
  assert.equal(ipKey('2001:DB8:0:0:0:0:0:1'), '6:20010db8000000000000000000000001');
  assert.equal(ipKey('::ffff:1.2.3.4'), '6:00000000000000000000ffff01020304');
  assert.equal(ipKey('::'), '6:00000000000000000000000000000000');
  for (const bad of ['', 'contoso.com', '1.2.3', '1.2.3.4:443', '<null>']) assert.equal(ipKey(bad), null, bad);
  assert.equal(ipKey(null), null);
  assert.ok(ipKey('9.255.255.255')! < ipKey('10.0.0.0')!, 'keys sort as the addresses do');
  for (let i = 0; i < 3; i++) assert.equal(ipKey('198.51.100.20'), '4:c6336414', 'the same key from the memo');
});

test('ipKeyBounds: an address is one key, a CIDR block the range of its keys', () => {
  assert.deepEqual(ipKeyBounds({ kind: 'address', address: '10.1.2.3' }), ['4:0a010203', '4:0a010203']);
  assert.deepEqual(ipKeyBounds({ kind: 'cidr', network: '10.1.0.0', prefix: 16, family: 4 }), [
    '4:0a010000',
    '4:0a01ffff',
  ]);
  assert.deepEqual(ipKeyBounds({ kind: 'cidr', network: '2001:db8::', prefix: 32, family: 6 }), [
    '6:20010db8000000000000000000000000',
    '6:20010db8ffffffffffffffffffffffff',
  ]);
  assert.equal(ipKeyBounds({ kind: 'cidr', network: '10.0.0.0', prefix: 33, family: 4 }), null);
});
