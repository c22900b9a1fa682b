import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INIT_NETNS_ID, OwnNetnsError, SELF, isInHost, mayChangeNetns, mountNsToEnter, ownChangeableNetns, pickNamedNetns,
} from './whereami.js';

const HOST = INIT_NETNS_ID;
const NODE = 'net:[4026532500]';

test('in the host when our id is the host\'s, or when either cannot be read', () => {
  assert.equal(isInHost({ host: HOST, own: HOST }), true);
  assert.equal(isInHost({ host: HOST, own: NODE }), false);
  assert.equal(isInHost({ host: undefined, own: NODE }), true);
  assert.equal(isInHost({ host: HOST, own: undefined }), true);
});

test('the host namespace may never be changed; SELF only outside it; paths by their id', () => {
  assert.equal(mayChangeNetns('', { host: HOST, own: NODE }), false);
  assert.equal(mayChangeNetns(SELF, { host: HOST, own: NODE }), true);
  assert.equal(mayChangeNetns(SELF, { host: HOST, own: HOST }), false);
  assert.equal(mayChangeNetns(SELF, { own: NODE }), false);
  assert.equal(mayChangeNetns('/run/netns/pn-n1', { host: HOST, target: NODE }), true);
  assert.equal(mayChangeNetns('/proc/self/ns/net', { host: HOST, target: HOST }), false);
  assert.equal(mayChangeNetns('/run/netns/pn-n1', { target: NODE }), false, 'unknown host: refused');
  // an unreadable path is not the host's (nsenter then fails on it)
  assert.equal(mayChangeNetns('/run/netns/gone', { host: HOST, target: undefined }), true);
});

test('a process\'s own side: refused in the initial or PID 1\'s namespace, else SELF or its /proc path', () => {
  const reason = (f: Parameters<typeof ownChangeableNetns>[0]): string => {
    try { ownChangeableNetns(f); return 'ok'; } catch (e) { assert.ok(e instanceof OwnNetnsError); return e.reason; }
  };
  assert.equal(reason({ own: undefined, inHost: false, pid: 7 }), 'unreadable');
  assert.equal(reason({ own: INIT_NETNS_ID, inHost: false, pid: 7 }), 'initial');
  assert.equal(reason({ own: 'net:[1]', pid1: 'net:[1]', inHost: true, pid: 7 }), 'host');
  assert.equal(ownChangeableNetns({ own: NODE, pid1: HOST, inHost: false, pid: 7 }), SELF);
  assert.equal(ownChangeableNetns({ own: NODE, pid1: undefined, inHost: true, pid: 7 }), '/proc/7/ns/net');
});

test('our named namespace is the entry with the same inode and device', () => {
  const entries = [{ path: '/run/netns/a', ino: 10, dev: 4 }, { path: '/run/netns/b', ino: 11, dev: 4 }];
  assert.equal(pickNamedNetns({ ino: 11, dev: 4 }, entries), '/run/netns/b');
  assert.equal(pickNamedNetns({ ino: 11, dev: 5 }, entries), undefined);
  assert.equal(pickNamedNetns({ ino: 12, dev: 4 }, entries), undefined);
});

test('the host mount namespace is entered only when ours differs from PID 1\'s', () => {
  assert.equal(mountNsToEnter('mnt:[1]', 'mnt:[2]'), '/proc/1/ns/mnt');
  assert.equal(mountNsToEnter('mnt:[1]', 'mnt:[1]'), undefined);
  assert.equal(mountNsToEnter('mnt:[1]', undefined), undefined);
  assert.equal(mountNsToEnter(undefined, 'mnt:[2]'), undefined);
});
