import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { isDeadLocalOwner, leaseOwner, ownerHost } from './lease-owner.js';

/** A process id that no longer exists: a child that ran and ended. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid;
}

test("a holder in another container's process id namespace on the same host name is not taken for dead", () => {
  const pid = endedPid();
  // Kubernetes pods with hostNetwork share the node's host name, each with a namespace of its own.
  const mine = ownerHost('node-1', '4026532198');
  const theirs = ownerHost('node-1', '4026532555');
  assert.notEqual(mine, theirs);
  assert.equal(isDeadLocalOwner(`${theirs}:${pid}:0123abcd`, mine), false, 'their pid means nothing here');
  assert.equal(isDeadLocalOwner(`${mine}:${pid}:0123abcd`, mine), true, 'one of ours that ended');
  // A holder named before namespaces counted (the host name alone) is not judged from inside a container.
  assert.equal(isDeadLocalOwner(`node-1:${pid}:0123abcd`, mine), false);
});

test("outside containers the host part is the host name alone, as before; this process's owner reads as local", () => {
  assert.equal(ownerHost('build-7', '4026531836'), 'build-7');
  assert.equal(ownerHost('build-7', null), 'build-7');
  const owner = leaseOwner();
  assert.match(owner, /:\d+:[0-9a-f]{8}$/);
  assert.ok(owner.startsWith(hostname()));
  assert.equal(isDeadLocalOwner(owner), false, 'this very process');
  const ended = owner.replace(/:\d+:/, `:${endedPid()}:`);
  assert.equal(isDeadLocalOwner(ended), true);
});
