import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, ipMatches, parseIpFilter, ipv4CidrBounds } from './ip.js';

test('addresses are canonical: mapped IPv6 folds to IPv4, IPv6 is compressed', () => {
  assert.equal(canonicalIp('::ffff:192.0.2.10'), '192.0.2.10');
  assert.equal(canonicalIp('::FFFF:192.0.2.10'), '192.0.2.10');
  assert.equal(canonicalIp('[2001:DB8:0:0:0:0:0:1]'), '2001:db8::1');
  assert.equal(canonicalIp('2001:db8::1%eth0'), '2001:db8::1');
  assert.equal(canonicalIp('not an ip'), null);
  assert.equal(canonicalIp(''), null);
});

test('IP filters take addresses with ports and CIDR blocks', () => {
  assert.deepEqual(parseIpFilter('192.0.2.1:443'), { kind: 'address', address: '192.0.2.1' });
  assert.deepEqual(parseIpFilter('[2001:db8::1]:443'), { kind: 'address', address: '2001:db8::1' });
  const cidr = parseIpFilter('10.1.0.0/16');
  assert.ok(cidr && cidr.kind === 'cidr');
  assert.ok(ipMatches('10.1.200.3', cidr));
  assert.ok(!ipMatches('10.2.0.1', cidr));
  assert.ok(!ipMatches('2001:db8::1', cidr));
  assert.equal(parseIpFilter('10.0.0.0/33'), null);
  assert.equal(parseIpFilter("1.2.3.4' OR 1=1"), null);
  assert.deepEqual(ipv4CidrBounds('10.1.2.3', 16), [167837696, 167903231]);
});
