import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../util/exec.js';
import { ISOLATION_FAILED, isolatedProcessArgv } from './nsproc.js';

const p = { netnsPath: '/run/netns/cni-x', hostname: 'web-0', binds: [{ source: '/s/hosts', target: '/etc/hosts' }, { source: '/s/resolv', target: '/etc/resolv.conf' }], argv: ['sh', '-c', 'echo "ran $0"', 'it'] };

test('the isolated process joins the netns, then unshares pid (forked, /proc remounted), mount (private) and uts', () => {
  const argv = isolatedProcessArgv(p);
  assert.deepEqual(argv.slice(0, 13), ['nsenter', '--net=/run/netns/cni-x', '--', 'unshare', '--pid', '--fork', '--mount', '--uts', '--mount-proc', '--propagation', 'private', '--', 'bash']);
  assert.deepEqual(argv.slice(-4), p.argv);
});

/** Runs the set-up shell of isolatedProcessArgv with `hostname` and `mount` replaced by recorders (no namespaces, no root). */
async function runSetup(failMount: boolean): Promise<{ code: number; stdout: string; calls: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-nsproc-'));
  try {
    const rec = join(dir, 'calls');
    writeFileSync(join(dir, 'hostname'), `#!/bin/sh\necho "hostname $*" >> ${rec}\n`);
    writeFileSync(join(dir, 'mount'), `#!/bin/sh\necho "mount $*" >> ${rec}\n${failMount ? 'exit 32\n' : ''}`);
    chmodSync(join(dir, 'hostname'), 0o755);
    chmodSync(join(dir, 'mount'), 0o755);
    const argv = isolatedProcessArgv(p);
    const setup = argv.slice(argv.indexOf('bash'));
    const r = await exec(setup, { allowFail: true, env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}` } });
    let calls: string[] = [];
    try { calls = readFileSync(rec, 'utf8').trim().split('\n'); } catch { /* none */ }
    return { code: r.code, stdout: r.stdout, calls };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('set-up: hostname, each bind mount in order, then the command exec\'d with its own arguments', async () => {
  const r = await runSetup(false);
  assert.deepEqual(r.calls, ['hostname web-0', 'mount --bind /s/hosts /etc/hosts', 'mount --bind /s/resolv /etc/resolv.conf']);
  assert.equal(r.stdout, 'ran it\n');
  assert.equal(r.code, 0);
});

test('set-up: a failed mount stops before the command with ISOLATION_FAILED', async () => {
  const r = await runSetup(true);
  assert.deepEqual(r.calls, ['hostname web-0', 'mount --bind /s/hosts /etc/hosts']);
  assert.equal(r.stdout, '');
  assert.equal(r.code, ISOLATION_FAILED);
});
