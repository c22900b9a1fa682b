import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CniFixture, OUR_BIN, ipFiles, natRules, runPlugin, vethsIn } from '../support/netns.js';
import { getLink } from '../../src/net/link.js';

const VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];
const atLeast = (v: string, m: string) => v.localeCompare(m, undefined, { numeric: true }) >= 0;

function env(cmd: string, netns: string, id = 'c0ffee01', ifName = 'eth0'): Record<string, string> {
  return { CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: netns, CNI_IFNAME: ifName, CNI_PATH: OUR_BIN };
}

function bridgeConf(v: string, dataDir: string, extra: Record<string, unknown> = {}) {
  return {
    cniVersion: v, name: 'pnt', type: 'bridge', bridge: 'cni0', isGateway: true, isDefaultGateway: true, hairpinMode: true, mtu: 1450,
    ipam: { type: 'host-local', dataDir, ranges: [[{ subnet: '10.244.7.0/24' }]], routes: [{ dst: '10.244.0.0/16' }] }, ...extra,
  };
}

test('VERSION of every plugin lists the five spec versions', async () => {
  for (const p of ['bridge', 'host-local', 'loopback', 'portmap', 'flannel']) {
    const r = await runPlugin(join(OUR_BIN, p), { CNI_COMMAND: 'VERSION' }, { cniVersion: '1.1.0' });
    assert.equal(r.code, 0, r.raw);
    assert.deepEqual((r.out as { supportedVersions: string[] }).supportedVersions, VERSIONS);
  }
});

for (const v of VERSIONS) {
  test(`bridge+host-local+loopback+portmap ADD/CHECK/DEL at ${v}`, async () => {
    const f = new CniFixture();
    try {
      const node = await f.netns('n'), pod = await f.netns('p');
      const conf = bridgeConf(v, f.dir);
      const add = await runPlugin(join(OUR_BIN, 'bridge'), env('ADD', pod), conf, node);
      assert.equal(add.code, 0, add.raw);
      const res = add.out as Record<string, any>;
      assert.equal(res.cniVersion, v);
      assert.equal(res.interfaces.length, 3);
      assert.equal(res.interfaces[2].name, 'eth0');
      assert.equal(res.interfaces[2].sandbox, pod);
      assert.equal(res.ips.length, 1);
      assert.match(res.ips[0].address, /^10\.244\.7\.\d+\/24$/);
      assert.equal(res.ips[0].gateway, '10.244.7.1');
      assert.equal(res.ips[0].interface, 2);
      if (atLeast(v, '1.0.0')) assert.equal('version' in res.ips[0], false);
      else assert.equal(res.ips[0].version, '4');
      assert.deepEqual(res.routes, [{ dst: '10.244.0.0/16' }, { dst: '0.0.0.0/0', gw: '10.244.7.1' }]);
      // the kernel agrees with the result
      const eth0 = await getLink(pod, 'eth0');
      assert.equal(eth0?.address, res.interfaces[2].mac);
      assert.equal(eth0?.mtu, 1450);
      assert.equal((await getLink(node, res.interfaces[1].name))?.master, 'cni0');
      assert.deepEqual(ipFiles(f.dir, 'pnt'), [res.ips[0].address.split('/')[0]]);
      assert.equal(readFileSync(join(f.dir, 'pnt', res.ips[0].address.split('/')[0]), 'utf8'), 'c0ffee01\r\neth0');

      const lo = await runPlugin(join(OUR_BIN, 'loopback'), env('ADD', pod, 'c0ffee01', 'lo'), { cniVersion: v, name: 'lo', type: 'loopback' }, node);
      assert.equal(lo.code, 0, lo.raw);
      assert.ok((await getLink(pod, 'lo'))?.flags.includes('UP'));

      const pm = { cniVersion: v, name: 'pnt', type: 'portmap', capabilities: { portMappings: true }, runtimeConfig: { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }] }, prevResult: res };
      const pmAdd = await runPlugin(join(OUR_BIN, 'portmap'), env('ADD', pod), pm, node);
      assert.equal(pmAdd.code, 0, pmAdd.raw);
      assert.deepEqual((pmAdd.out as Record<string, unknown>).ips, res.ips);
      assert.ok((await natRules(node, 'DNAT')).some((l) => l.includes(`--to-destination ${res.ips[0].address.split('/')[0]}:80`)));

      if (atLeast(v, '0.4.0')) {
        const chk = await runPlugin(join(OUR_BIN, 'bridge'), env('CHECK', pod), { ...conf, prevResult: res }, node);
        assert.equal(chk.code, 0, chk.raw);
        const pmChk = await runPlugin(join(OUR_BIN, 'portmap'), env('CHECK', pod), pm, node);
        assert.equal(pmChk.code, 0, pmChk.raw);
        // CHECK notices a broken attachment
        const bad = await runPlugin(join(OUR_BIN, 'bridge'), env('CHECK', pod), { ...conf, prevResult: { ...res, ips: [{ ...res.ips[0], address: '10.244.7.250/24' }] } }, node);
        assert.notEqual(bad.code, 0);
      } else {
        const chk = await runPlugin(join(OUR_BIN, 'bridge'), env('CHECK', pod), { ...conf, prevResult: res }, node);
        assert.equal((chk.out as { code: number }).code, 1, 'CHECK before 0.4.0 is an incompatible-version error');
      }
      for (let i = 0; i < 2; i++) { // DEL is idempotent
        const pmDel = await runPlugin(join(OUR_BIN, 'portmap'), env('DEL', pod), { ...pm, ...(atLeast(v, '0.4.0') ? {} : { prevResult: undefined }) }, node);
        assert.equal(pmDel.code, 0, pmDel.raw);
        const del = await runPlugin(join(OUR_BIN, 'bridge'), env('DEL', pod), conf, node);
        assert.equal(del.code, 0, del.raw);
      }
      assert.deepEqual(await vethsIn(node), []);
      assert.equal(await getLink(pod, 'eth0'), undefined);
      assert.deepEqual(ipFiles(f.dir, 'pnt'), []);
      assert.deepEqual((await natRules(node)).filter((l) => l.includes('CNI-DN-') || l.includes('DNAT --to')), []);
    } finally { await f.cleanup(); }
  });
}

test('flannel reads subnet.env, saves the seed-003 delegate config and delegates to bridge', async () => {
  const f = new CniFixture();
  try {
    const node = await f.netns('n'), pod = await f.netns('p');
    const subnetFile = join(f.dir, 'subnet.env');
    writeFileSync(subnetFile, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
    const dataDir = join(f.dir, 'flannel');
    const conf = { cniVersion: '0.3.1', name: 'cbr0', type: 'flannel', subnetFile, dataDir, delegate: { hairpinMode: true, isDefaultGateway: true }, ipam: { dataDir: join(f.dir, 'ipam') } };
    const id = 'f1a2b3c4';
    const add = await runPlugin(join(OUR_BIN, 'flannel'), env('ADD', pod, id), conf, node);
    assert.equal(add.code, 0, add.raw);
    const saved = JSON.parse(readFileSync(join(dataDir, id), 'utf8'));
    assert.deepEqual({ ...saved, ipam: { ...saved.ipam, dataDir: undefined } }, {
      cniVersion: '0.3.1', hairpinMode: true, ipMasq: false, isDefaultGateway: true, isGateway: true, mtu: 1450, name: 'cbr0', type: 'bridge',
      ipam: { type: 'host-local', dataDir: undefined, ranges: [[{ subnet: '10.244.3.0/24' }]], routes: [{ dst: '10.244.0.0/16' }] },
    });
    const res = add.out as Record<string, any>;
    assert.match(res.ips[0].address, /^10\.244\.3\.\d+\/24$/);
    assert.equal(res.ips[0].version, '4');
    assert.equal((await getLink(pod, 'eth0'))?.mtu, 1450);
    assert.equal((await getLink(node, 'cni0'))?.linkinfo?.info_kind, 'bridge');
    const del = await runPlugin(join(OUR_BIN, 'flannel'), env('DEL', pod, id), conf, node);
    assert.equal(del.code, 0, del.raw);
    assert.equal(existsSync(join(dataDir, id)), false);
    assert.deepEqual(await vethsIn(node), []);
    assert.deepEqual(ipFiles(join(f.dir, 'ipam'), 'cbr0'), []);
    const again = await runPlugin(join(OUR_BIN, 'flannel'), env('DEL', pod, id), conf, node);
    assert.equal(again.code, 0, again.raw);
  } finally { await f.cleanup(); }
});
