import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delegate, serveDelegatesInProcess } from './invoke.js';
import { PODNET_CNI_BIN_DIR, PODNET_CNI_FAST_DIR } from './bindir.js';
import { CniError } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'podnet-invoke-'));
const ipamConf = (name: string, ipam: object = { ranges: [[{ subnet: '10.99.0.0/24' }]] }): string =>
  JSON.stringify({ cniVersion: '1.0.0', name, type: 'bridge', ipam: { type: 'host-local', dataDir: join(dir, 'ipam'), ...ipam } });
/** The calling plugin's env: delegate replaces CNI_COMMAND with the delegated command. */
const env = (cniPath: string[], id = 'c1'): Record<string, string> =>
  ({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: id, CNI_NETNS: '/run/netns/none', CNI_IFNAME: 'eth0', CNI_PATH: cniPath.join(':') });

// Foreign plugins: plain sh scripts (no Node) reporting the command and container they were given.
const foreign = join(dir, 'foreign');
mkdirSync(foreign);
for (const n of ['fake-ipam', 'host-local']) {
  writeFileSync(join(foreign, n), '#!/bin/sh\ncat >/dev/null\nprintf \'{"cniVersion":"1.0.0","ips":[{"address":"10.7.7.7/24"}],"dns":{"domain":"%s-%s"}}\' "$CNI_COMMAND" "$CNI_CONTAINERID"\n');
  chmodSync(join(foreign, n), 0o755);
}
// A PATH with flock (host-local locks its store) but no node: an exec'd podnet plugin cannot start.
const noNode = join(dir, 'path');
mkdirSync(noNode);
symlinkSync('/usr/bin/flock', join(noNode, 'flock'));

async function withPath<T>(path: string, f: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = path;
  try { return await f(); } finally { process.env.PATH = saved; }
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('outside a CNI server, delegating to podnet\'s own plugin execs it', async () => {
  await withPath(noNode, async () => {
    await assert.rejects(delegate('host-local', 'ADD', ipamConf('outside'), env([PODNET_CNI_BIN_DIR])), (e: unknown) => e instanceof CniError && /failed \(exit 127\)/.test(e.message));
  });
});

test('inside a CNI server, podnet\'s own plugins run in-process with the same env, stdin and result', async () => {
  const stop = serveDelegatesInProcess();
  try {
    await withPath(noNode, async () => {
      for (const bin of [PODNET_CNI_BIN_DIR, PODNET_CNI_FAST_DIR]) {
        const name = bin === PODNET_CNI_BIN_DIR ? 'full' : 'thin';
        const r = await delegate('host-local', 'ADD', ipamConf(name), env([bin])) as { cniVersion: string; ips: { address: string; gateway: string }[] };
        assert.equal(r.cniVersion, '1.0.0');
        assert.deepEqual(r.ips.map((i) => [i.address, i.gateway]), [['10.99.0.2/24', '10.99.0.1']]);
        // the same container again: host-local's own duplicate check answers, as a CniError with its code
        await assert.rejects(delegate('host-local', 'ADD', ipamConf(name), env([bin])), (e: unknown) => e instanceof CniError && /duplicate allocation/.test(e.message));
        assert.equal(await delegate('host-local', 'DEL', ipamConf(name), env([bin])), undefined);
        const again = await delegate('host-local', 'ADD', ipamConf(name), env([bin])) as { ips: { address: string }[] };
        assert.equal(again.ips[0]!.address, '10.99.0.3/24', 'DEL released c1 (host-local goes on from the last address it gave)');
        await delegate('host-local', 'DEL', ipamConf(name), env([bin]));
      }
    });
  } finally { stop(); }
});

test('in-process and exec\'d delegation fail alike on a bad config', async () => {
  const bad = ipamConf('bad', { ranges: [[{ subnet: 'not-a-cidr' }]] });
  const viaExec = await delegate('host-local', 'ADD', bad, env([PODNET_CNI_BIN_DIR])).then(() => undefined, (e: unknown) => e);
  const stop = serveDelegatesInProcess();
  const inProc = await delegate('host-local', 'ADD', bad, env([PODNET_CNI_BIN_DIR])).then(() => undefined, (e: unknown) => e).finally(stop);
  assert.ok(viaExec instanceof CniError && inProc instanceof CniError);
  assert.deepEqual([inProc.code, inProc.message], [viaExec.code, viaExec.message]);
});

test('inside a CNI server, foreign plugins (and ours shadowed by a foreign one in CNI_PATH) are still exec\'d', async () => {
  const stop = serveDelegatesInProcess();
  try {
    const a = await delegate('fake-ipam', 'ADD', ipamConf('f'), env([foreign, PODNET_CNI_BIN_DIR], 'c9')) as { dns: { domain: string } };
    assert.equal(a.dns.domain, 'ADD-c9');
    const b = await delegate('host-local', 'CHECK', ipamConf('f'), env([foreign, PODNET_CNI_BIN_DIR], 'c9')) as { dns: { domain: string } };
    assert.equal(b.dns.domain, 'CHECK-c9', 'the first host-local in CNI_PATH is the foreign one');
  } finally { stop(); }
});
