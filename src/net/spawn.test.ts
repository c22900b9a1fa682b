import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvInNetns, argvInNewNetns } from './spawn.js';
import { HostNamespaceError, SELF, inHostNetns } from './whereami.js';

test('argvInNetns enters a namespace by nsenter and refuses the host\'s', () => {
  assert.deepEqual(argvInNetns('/run/netns/pn-x-node1', ['dnsmasq', '-k']), ['nsenter', '--net=/run/netns/pn-x-node1', '--', 'dnsmasq', '-k']);
  // kthreadd (PID 2) lives in the initial namespace
  assert.throws(() => argvInNetns('/proc/2/ns/net', ['true']), HostNamespaceError);
  if (inHostNetns()) assert.throws(() => argvInNetns(SELF, ['true']), HostNamespaceError);
  else assert.deepEqual(argvInNetns(SELF, ['true']), ['true']);
});

test('argvInNewNetns runs in a throwaway namespace', () => {
  assert.deepEqual(argvInNewNetns(['podnet', 'lab', 'node-cleanup']), ['unshare', '--net', '--', 'podnet', 'lab', 'node-cleanup']);
});
