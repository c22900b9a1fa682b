import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootfsProcessArgv } from '../../net/nsproc.js';
import { lookPath } from './container.js';

test('lookPath: the image PATH inside the image tree, symlinks followed inside it; names with a slash kept', () => {
  const root = mkdtempSync(join(tmpdir(), 'podnet-rootfs-'));
  try {
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    writeFileSync(join(root, 'bin/busybox'), '');
    symlinkSync('busybox', join(root, 'bin/sh'));
    symlinkSync('../../bin/busybox', join(root, 'usr/bin/wget'));
    symlinkSync('/bin/busybox', join(root, 'usr/bin/abs'));  // absolute: resolved in the tree, not the host
    symlinkSync('/nonexistent', join(root, 'usr/bin/dangling'));
    const PATH = '/usr/local/bin:/usr/bin:/bin';
    assert.equal(lookPath(root, 'sh', PATH), '/bin/sh');
    assert.equal(lookPath(root, 'wget', PATH), '/usr/bin/wget');
    assert.equal(lookPath(root, 'abs', PATH), '/usr/bin/abs');
    assert.equal(lookPath(root, 'dangling', PATH), 'dangling');
    assert.equal(lookPath(root, 'node', PATH), 'node', 'not in the image: left as is (exec fails in the container)');
    assert.equal(lookPath(root, './run.sh', PATH), './run.sh');
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('rootfsProcessArgv: joins the pod netns (and a target PID namespace), unshares the rest, passes binds and argv[0]', () => {
  const base = { netnsPath: '/run/netns/cni-x', hostname: 'h', lower: '/img', upper: '/s/u', work: '/s/w', merged: '/s/r', workingDir: '/srv', user: '', argv: ['sleep', '1'], path: '/bin/sleep',
    binds: [{ source: '/s/etc/hosts', target: '/etc/hosts' }, { source: '/v/cfg', target: '/etc/app', readOnly: true }] };
  const a = rootfsProcessArgv(base);
  assert.match(a[0]!, /nsenter$/);
  assert.equal(a[1], '--net=/run/netns/cni-x');
  const u = a.findIndex((x) => x.endsWith('unshare'));
  assert.deepEqual(a.slice(u + 1, a.indexOf('--', u)), ['--pid', '--fork', '--mount', '--uts', '--ipc', '--propagation', 'private']);
  const init = a.indexOf('container-init');
  assert.deepEqual(a.slice(init + 1, init + 13), ['h', '/img', '/s/u', '/s/w', '/s/r', '2', '/s/etc/hosts', '/etc/hosts', 'rw', '/v/cfg', '/etc/app', 'ro']);
  assert.deepEqual(a.slice(-5), ['/srv', '', '/bin/sleep', 'sleep', '1']);
  const e = rootfsProcessArgv({ ...base, pidOf: 42, ipcOf: 42 });
  assert.ok(e.includes('--pid=/proc/42/ns/pid') && e.includes('--ipc=/proc/42/ns/ipc'));
  const eu = e.findIndex((x) => x.endsWith('unshare'));
  assert.deepEqual(e.slice(eu + 1, e.indexOf('--', eu)), ['--fork', '--mount', '--uts', '--propagation', 'private'], 'no new PID/IPC namespace when joining the target\'s');
});
