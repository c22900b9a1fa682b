import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CniFixture, OUR_BIN, ipFiles, runPlugin, serveCni as serve, vethsIn } from '../support/netns.js';
import { getLink } from '../../src/net/link.js';

const FAST = join(OUR_BIN, 'fast');


test('thin clients: bin/cni/fast/* hand calls to the agent-side server, and fall back to the full plugin', async () => {
  const f = new CniFixture();
  let stop: (() => Promise<void>) | undefined;
  try {
    const node = await f.netns('n'), pod = await f.netns('p');
    const sock = join(f.dir, 'cni.sock');
    stop = await serve(node, sock);
    const conf = { cniVersion: '1.0.0', name: 'pnthin', type: 'bridge', isDefaultGateway: true, ipMasq: true, ipam: { type: 'host-local', dataDir: f.dir, ranges: [[{ subnet: '10.244.40.0/24' }]] } };
    const env = (cmd: string, socket = sock) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: 'thin0001', CNI_NETNS: pod, CNI_IFNAME: 'eth0', CNI_PATH: FAST, PODNET_CNI_SOCKET: socket });
    const add = await runPlugin(join(FAST, 'bridge'), env('ADD'), conf, node);
    assert.equal(add.code, 0, add.raw);
    const res = add.out as { ips: { address: string }[] };
    assert.equal(res.ips[0]!.address, '10.244.40.2/24');
    assert.ok(await getLink(pod, 'eth0'));
    assert.equal((await runPlugin(join(FAST, 'bridge'), env('CHECK'), { ...conf, prevResult: add.out }, node)).code, 0);
    const bad = await runPlugin(join(FAST, 'bridge'), env('ADD'), { ...conf, cniVersion: '0.2.0' }, node);
    assert.equal(bad.code, 1);
    assert.equal((bad.out as { code: number }).code, 1);
    assert.equal((await runPlugin(join(FAST, 'bridge'), env('DEL'), conf, node)).code, 0);
    assert.deepEqual(await vethsIn(node), []);
    assert.deepEqual(ipFiles(f.dir, 'pnthin'), []);
    // no server: the same client runs the full plugin
    const alone = await runPlugin(join(FAST, 'bridge'), env('ADD', join(f.dir, 'absent.sock')), conf, node);
    assert.equal(alone.code, 0, alone.raw);
    assert.equal((await runPlugin(join(FAST, 'bridge'), env('DEL', join(f.dir, 'absent.sock')), conf, node)).code, 0);
    assert.deepEqual(await vethsIn(node), []);
    await stop(); stop = undefined;
    assert.equal(existsSync(sock), false);
  } finally {
    if (stop) await stop();
    await f.cleanup();
  }
});
