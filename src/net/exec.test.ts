import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { exec } from '../util/exec.js';
import { nsArgv, nsExec, SELF, HostNamespaceError } from './exec.js';
import { hostNetnsId, inHostNetns } from './whereami.js';

test('the host namespace is recognised and refused', async () => {
  assert.match(hostNetnsId() ?? '', /^net:\[\d+\]$/);
  assert.equal(inHostNetns(), true);
  assert.throws(() => nsExec(SELF, ['true']), HostNamespaceError);
  assert.throws(() => nsExec('', ['true']), HostNamespaceError);
  assert.throws(() => nsExec('/proc/self/ns/net', ['true']), HostNamespaceError);
});

test('a lab namespace is allowed, by bind-mount path and from inside it as SELF', async () => {
  const name = `pn-texec-${randomBytes(2).toString('hex')}`;
  await exec(['ip', 'netns', 'add', name]);
  try {
    const r = await nsExec(`/run/netns/${name}`, ['ip', '-o', 'link']);
    assert.match(r.stdout, /lo:/);
    // A child started inside the namespace may use SELF.
    const code = `import('${new URL('./exec.js', import.meta.url).href}').then(async (m) => { await m.nsExec(m.SELF, ['true']); console.log('ok'); })`;
    const inner = await exec(['ip', 'netns', 'exec', name, process.execPath, '--input-type=module', '-e', code]);
    assert.equal(inner.stdout.trim(), 'ok');
  } finally {
    await exec(['ip', 'netns', 'delete', name], { allowFail: true });
  }
});

test('nsArgv: ip in a named namespace is `ip -n NAME` (one process); anything else, and other paths, go through nsenter', () => {
  assert.deepEqual(nsArgv(SELF, ['ip', 'link']), ['ip', 'link']);
  assert.deepEqual(nsArgv('/run/netns/cni-1f2e', ['ip', '-json', 'link', 'show']), ['ip', '-n', 'cni-1f2e', '-json', 'link', 'show']);
  assert.deepEqual(nsArgv('/run/netns/pn-lab-node1', ['ip', '-batch', '-']), ['ip', '-n', 'pn-lab-node1', '-batch', '-']);
  assert.deepEqual(nsArgv('/run/netns/x', ['ip', 'netns', 'identify']), ['nsenter', '--net=/run/netns/x', '--', 'ip', 'netns', 'identify']);
  assert.deepEqual(nsArgv('/run/netns/x', ['sysctl', '-q', '-w', 'a=1']), ['nsenter', '--net=/run/netns/x', '--', 'sysctl', '-q', '-w', 'a=1']);
  assert.deepEqual(nsArgv('/proc/42/ns/net', ['ip', 'link']), ['nsenter', '--net=/proc/42/ns/net', '--', 'ip', 'link']);
  assert.deepEqual(nsArgv('/run/netns/a/b', ['ip', 'link']), ['nsenter', '--net=/run/netns/a/b', '--', 'ip', 'link']);
});
