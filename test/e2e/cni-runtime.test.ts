import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { CniFixture, OUR_BIN, REF_BIN, ipFiles, natRules, runPlugin, tcpProbe, tcpServe, vethsIn } from '../support/netns.js';
import { CniRuntime } from '../../src/cni/runtime/index.js';
import { CniError } from '../../src/cni/types.js';
import { nsExec } from '../../src/net/exec.js';
import { getLink } from '../../src/net/link.js';

/** The reference bridge's CHECK (1.1.1) wants gateway-less IPAM routes to have no gateway in the kernel, so name it. */
const gwOf = (subnet: string) => subnet.replace(/\.0\/\d+$/, '.1');

function conflist(name: string, dataDir: string, subnet: string, extra: Record<string, unknown> = {}, portmap: Record<string, unknown> = {}) {
  return JSON.stringify({
    cniVersion: '1.0.0', name,
    plugins: [
      { type: 'bridge', bridge: 'cni0', isGateway: true, isDefaultGateway: true, hairpinMode: true, mtu: 1450, ipam: { type: 'host-local', dataDir, ranges: [[{ subnet }]], routes: [{ dst: '10.244.0.0/16', gw: gwOf(subnet) }] }, ...extra },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true, ...portmap },
    ],
  }, null, 2);
}

async function podToPod(binDir: string, tag: string) {
  const f = new CniFixture();
  try {
    const node = await f.netns('n'), p1 = await f.netns('a'), p2 = await f.netns('b');
    const confDir = join(f.dir, 'net.d'), loDir = join(f.dir, 'lo.d'), cacheDir = join(f.dir, 'cache'), ipam = join(f.dir, 'ipam');
    mkdirSync(confDir); mkdirSync(loDir);
    const bytes = conflist('pn' + tag, ipam, '10.244.9.0/24');
    writeFileSync(join(confDir, '10-pod.conflist'), bytes);
    writeFileSync(join(confDir, '99-ignored.conflist'), conflist('other', ipam, '10.250.0.0/24'));
    writeFileSync(join(loDir, '99-loopback.conf'), JSON.stringify({ cniVersion: '1.0.0', name: 'cni-loopback', type: 'loopback' }));
    const rt = new CniRuntime({ confDir, binDirs: [binDir], cacheDir, netns: node });
    const lo = new CniRuntime({ confDir: loDir, binDirs: [binDir], cacheDir, netns: node });
    const pods = [
      { containerId: `${tag}aaaa01`, netnsPath: p1, ifName: 'eth0', podName: 'a', podNamespace: 'default', podUid: 'uid-a', portMappings: [{ hostPort: 18081, containerPort: 8080 }] },
      { containerId: `${tag}bbbb02`, netnsPath: p2, ifName: 'eth0', podName: 'b', podNamespace: 'default', podUid: 'uid-b' },
    ];
    const ips: string[] = [];
    for (const p of pods) {
      await lo.setUp({ ...p, ifName: 'lo' });
      const r = await rt.setUp(p);
      assert.equal(r.ips.length, 1);
      ips.push(r.ips[0]!);
    }
    assert.ok((await getLink(p1, 'lo'))?.flags.includes('UP'));
    // real packets: pod a → pod b and back
    await nsExec(p1, ['ping', '-c', '1', '-W', '2', ips[1]!]);
    await nsExec(p2, ['ping', '-c', '1', '-W', '2', ips[0]!]);
    // libcni's cache format
    const cacheFile = join(cacheDir, 'results', `pn${tag}-${pods[0]!.containerId}-eth0`);
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    assert.equal(cached.kind, 'cniCacheV1');
    assert.equal(cached.containerId, pods[0]!.containerId);
    assert.equal(cached.ifName, 'eth0');
    assert.equal(cached.networkName, `pn${tag}`);
    assert.equal(Buffer.from(cached.config, 'base64').toString(), bytes);
    assert.deepEqual(cached.cniArgs, [['IgnoreUnknown', '1'], ['K8S_POD_NAMESPACE', 'default'], ['K8S_POD_NAME', 'a'], ['K8S_POD_INFRA_CONTAINER_ID', pods[0]!.containerId], ['K8S_POD_UID', 'uid-a']]);
    assert.deepEqual(cached.capabilityArgs, { portMappings: [{ hostPort: 18081, containerPort: 8080, protocol: 'tcp' }] });
    assert.equal(cached.result.ips[0].address, `${ips[0]}/24`);
    assert.ok((await natRules(node, 'DNAT')).some((l) => l.includes(`--to-destination ${ips[0]}:8080`)));
    // the host port really forwards: node → its own bridge address:18081 → pod a:8080
    const stop = await tcpServe(p1, 8080, 'hello from pod a');
    try { assert.equal(await tcpProbe(node, '10.244.9.1', 18081), 'hello from pod a'); } finally { stop(); }
    // (the reference portmap 1.1.1 fails CHECK on hosts with ip6tables but no IPv6 chain: skip pod a there)
    if (binDir === OUR_BIN) await rt.check(pods[0]!);
    await rt.check(pods[1]!);
    // break pod b and CHECK notices
    await nsExec(p2, ['ip', 'addr', 'flush', 'dev', 'eth0']);
    await assert.rejects(rt.check(pods[1]!), CniError);
    for (const p of pods) {
      await rt.tearDown(p); await rt.tearDown(p); // idempotent
      await lo.tearDown({ ...p, ifName: 'lo' });
    }
    assert.deepEqual(await vethsIn(node), []);
    assert.deepEqual(ipFiles(ipam, `pn${tag}`), []);
    assert.deepEqual(readdirSync(join(cacheDir, 'results')), []);
    assert.deepEqual((await natRules(node)).filter((l) => l.includes('CNI-DN-') || l.includes('DNAT --to')), []);
  } finally { await f.cleanup(); }
}

test('our runtime drives the reference plugins (bridge, host-local, loopback, portmap): pod-to-pod ping', () => podToPod(REF_BIN, 'r'));
test('our runtime drives our plugins: pod-to-pod ping, cache, CHECK, DEL', () => podToPod(OUR_BIN, 'o'));

test('a failed ADD in the chain is rolled back: no veth, allocation, cache entry or rule', async () => {
  const f = new CniFixture();
  try {
    const node = await f.netns('n'), pod = await f.netns('p');
    const confDir = join(f.dir, 'net.d'), ipam = join(f.dir, 'ipam'), cacheDir = join(f.dir, 'cache');
    mkdirSync(confDir);
    writeFileSync(join(confDir, '10.conflist'), conflist('pnfail', ipam, '10.244.10.0/24', { ipMasq: true }));
    const rt = new CniRuntime({ confDir, binDirs: [OUR_BIN], cacheDir, netns: node });
    const p = { containerId: 'failadd1', netnsPath: pod, ifName: 'eth0', podName: 'x', podNamespace: 'd', podUid: 'u', portMappings: [{ hostPort: 0, containerPort: 80 }] };
    await assert.rejects(rt.setUp(p), (e: unknown) => e instanceof CniError && e.cniCode === 7);
    assert.deepEqual(await vethsIn(node), []);
    assert.equal(await getLink(pod, 'eth0'), undefined);
    assert.deepEqual(ipFiles(ipam, 'pnfail'), []);
    assert.equal(existsSync(join(cacheDir, 'results', 'pnfail-failadd1-eth0')), false);
    assert.deepEqual(await natRules(node), []);
  } finally { await f.cleanup(); }
});

test('GC (spec 1.1) deletes attachments that are no longer valid; STATUS reports readiness', async () => {
  const f = new CniFixture();
  try {
    const node = await f.netns('n'), p1 = await f.netns('a'), p2 = await f.netns('b');
    const confDir = join(f.dir, 'net.d'), ipam = join(f.dir, 'ipam'), cacheDir = join(f.dir, 'cache');
    mkdirSync(confDir);
    const list = JSON.parse(conflist('pngc', ipam, '10.244.11.0/30'));
    list.cniVersion = '1.1.0';
    writeFileSync(join(confDir, '10.conflist'), JSON.stringify(list));
    const rt = new CniRuntime({ confDir, binDirs: [OUR_BIN], cacheDir, netns: node });
    const a = { containerId: 'gckeep01', netnsPath: p1, ifName: 'eth0', podName: 'a', podNamespace: 'd', podUid: 'ua' };
    const b = { containerId: 'gcdrop02', netnsPath: p2, ifName: 'eth0', podName: 'b', podNamespace: 'd', podUid: 'ub' };
    await rt.status();
    await rt.setUp(a);
    await assert.rejects(rt.status(), (e: unknown) => e instanceof CniError && e.cniCode === 50, '/30 is full: plugin not available');
    // an allocation whose attachment the runtime forgot: GC frees it too
    writeFileSync(join(ipam, 'pngc', '10.244.11.9'), 'ghost\r\neth0');
    const { deleted } = await rt.gc([{ containerId: a.containerId, ifName: 'eth0' }]);
    assert.deepEqual(deleted, []);
    assert.deepEqual(ipFiles(ipam, 'pngc').length, 1);
    await rt.tearDown(a);
    await rt.status();
    await rt.setUp(b);
    const r = await rt.gc([]);
    assert.deepEqual(r.deleted, [b.containerId]);
    assert.deepEqual(await vethsIn(node), []);
    assert.deepEqual(ipFiles(ipam, 'pngc'), []);
    assert.deepEqual(rt.attachments(), []);
  } finally { await f.cleanup(); }
});

test('host-local interop: the reference and our host-local see each other\'s allocations', async () => {
  const f = new CniFixture();
  try {
    const conf = { cniVersion: '1.0.0', name: 'pnx', ipam: { type: 'host-local', dataDir: f.dir, ranges: [[{ subnet: '10.244.12.0/30' }]] } };
    const env = (cmd: string, id: string) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0', CNI_PATH: REF_BIN });
    const ours = join(OUR_BIN, 'host-local'), ref = join(REF_BIN, 'host-local');
    assert.equal((await runPlugin(ours, env('ADD', 'ours0001'), conf)).code, 0);
    const refFull = await runPlugin(ref, env('ADD', 'ref00001'), conf);
    assert.equal((refFull.out as { code: number }).code, 999, 'the reference sees our allocation as taken');
    assert.equal((await runPlugin(ref, env('DEL', 'ours0001'), conf)).code, 0);
    assert.deepEqual(ipFiles(f.dir, 'pnx'), [], 'the reference released our allocation by ID + ifname');
    const refAdd = await runPlugin(ref, env('ADD', 'ref00001'), conf);
    assert.equal(refAdd.code, 0, refAdd.raw);
    const oursFull = await runPlugin(ours, env('ADD', 'ours0002'), conf);
    assert.equal((oursFull.out as { code: number }).code, 999, 'we see the reference allocation as taken');
    assert.equal((await runPlugin(ours, env('DEL', 'ref00001'), conf)).code, 0);
    assert.deepEqual(ipFiles(f.dir, 'pnx'), []);
  } finally { await f.cleanup(); }
});

test('mixed implementations: reference bridge delegates to our host-local, our bridge to the reference host-local', async () => {
  const f = new CniFixture();
  try {
    const node = await f.netns('n'), pod = await f.netns('p');
    for (const [bridgeDir, ipamDir] of [[REF_BIN, OUR_BIN], [OUR_BIN, REF_BIN]] as const) {
      const conf = { cniVersion: '1.0.0', name: 'pnmix', type: 'bridge', bridge: 'cni0', isDefaultGateway: true, ipam: { type: 'host-local', dataDir: f.dir, ranges: [[{ subnet: '10.244.13.0/24' }]] } };
      // CNI_PATH lists the IPAM implementation first: the bridge finds host-local there, as a runtime would arrange
      const env = (cmd: string) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: 'mix00001', CNI_NETNS: pod, CNI_IFNAME: 'eth0', CNI_PATH: `${ipamDir}:${bridgeDir}` });
      const add = await runPlugin(join(bridgeDir, 'bridge'), env('ADD'), conf, node);
      assert.equal(add.code, 0, add.raw);
      const ip = (add.out as { ips: { address: string }[] }).ips[0]!.address.split('/')[0]!;
      assert.deepEqual(ipFiles(f.dir, 'pnmix'), [ip]);
      assert.equal(readFileSync(join(f.dir, 'pnmix', ip), 'utf8'), 'mix00001\r\neth0');
      await nsExec(pod, ['ping', '-c', '1', '-W', '2', '10.244.13.1']);
      const chk = await runPlugin(join(bridgeDir, 'bridge'), env('CHECK'), { ...conf, prevResult: add.out }, node);
      assert.equal(chk.code, 0, chk.raw);
      const del = await runPlugin(join(bridgeDir, 'bridge'), env('DEL'), conf, node);
      assert.equal(del.code, 0, del.raw);
      assert.deepEqual(ipFiles(f.dir, 'pnmix'), []);
      assert.deepEqual(await vethsIn(node), []);
    }
  } finally { await f.cleanup(); }
});

test('seed 003: the flannel + portmap conflist through the runtime gives the seed\'s cached result shape', async () => {
  const f = new CniFixture();
  try {
    const node = await f.netns('n'), pod = await f.netns('p');
    const confDir = join(f.dir, 'net.d'), cacheDir = join(f.dir, 'cache'), subnetFile = join(f.dir, 'subnet.env');
    mkdirSync(confDir);
    writeFileSync(subnetFile, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.0.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
    // the seed's 10-flannel.conflist, plus where this node keeps its state
    const bytes = JSON.stringify({
      name: 'cbr0', cniVersion: '0.3.1',
      plugins: [
        { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true }, subnetFile, dataDir: join(f.dir, 'flannel'), ipam: { dataDir: join(f.dir, 'networks') } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    }, null, 2) + '\n';
    writeFileSync(join(confDir, '10-flannel.conflist'), bytes);
    const rt = new CniRuntime({ confDir, binDirs: [OUR_BIN], cacheDir, netns: node });
    const id = '2fc679ceaa17e33115657688a9b859e89a66c8911bcd9134fad2327830519396';
    const p = { containerId: id, netnsPath: pod, ifName: 'eth0', podName: 'my-nginx-7c79c4bf97-s4jjh', podNamespace: 'default', podUid: '2ab4ed63-1aff-40fc-9e40-ab95e0709cc1' };
    const { ips } = await rt.setUp(p);
    assert.equal(ips[0], '10.244.0.2');
    const cached = JSON.parse(readFileSync(join(cacheDir, 'results', `cbr0-${id}-eth0`), 'utf8'));
    assert.equal(cached.kind, 'cniCacheV1');
    assert.equal(cached.networkName, 'cbr0');
    assert.equal(Buffer.from(cached.config, 'base64').toString(), bytes);
    const r = cached.result;
    assert.equal(r.cniVersion, '0.3.1');
    assert.deepEqual(r.interfaces.map((i: { name: string }) => i.name.replace(/^veth[0-9a-f]{8}$/, 'vethX')), ['cni0', 'vethX', 'eth0']);
    assert.equal(r.interfaces[2].sandbox, pod);
    assert.deepEqual(r.ips, [{ version: '4', address: '10.244.0.2/24', gateway: '10.244.0.1', interface: 2 }]);
    assert.deepEqual(r.routes, [{ dst: '10.244.0.0/16' }, { dst: '0.0.0.0/0', gw: '10.244.0.1' }]);
    const delegateConf = JSON.parse(readFileSync(join(f.dir, 'flannel', id), 'utf8'));
    assert.equal(delegateConf.ipMasq, false);
    assert.equal((await getLink(pod, 'eth0'))?.mtu, 1450);
    await assert.rejects(rt.check(p), (e: unknown) => e instanceof CniError && e.cniCode === 1, 'CHECK needs 0.4.0+');
    await rt.tearDown(p);
    assert.equal(existsSync(join(f.dir, 'flannel', id)), false);
    assert.deepEqual(ipFiles(join(f.dir, 'networks'), 'cbr0'), []);
    assert.deepEqual(await vethsIn(node), []);
  } finally { await f.cleanup(); }
});
