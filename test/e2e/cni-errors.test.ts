import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CniFixture, OUR_BIN, ipFiles, runPlugin, vethsIn } from '../support/netns.js';
import { getLink } from '../../src/net/link.js';

const env = (cmd: string, netns: string, id = 'bad00001') => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: netns, CNI_IFNAME: 'eth0', CNI_PATH: OUR_BIN });
const code = (r: { out: unknown }) => (r.out as { code?: number } | undefined)?.code;

function conf(dataDir: string, ipam: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { cniVersion: '1.0.0', name: 'pnbad', type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', dataDir, ...ipam }, ...extra };
}

test('bad configs give the spec error code and leave no interface or allocation', async () => {
  const f = new CniFixture();
  try {
    const node = await f.netns('n'), pod = await f.netns('p');
    const bridge = join(OUR_BIN, 'bridge');
    const ranges = [[{ subnet: '10.99.0.0/24' }]];
    const cases: [string, unknown, Record<string, string>, number][] = [
      ['missing ipam', { cniVersion: '1.0.0', name: 'pnbad', type: 'bridge' }, env('ADD', pod), 7],
      ['missing subnet', conf(f.dir, { ranges: [[{}]] }), env('ADD', pod), 7],
      ['bad CIDR', conf(f.dir, { ranges: [[{ subnet: '10.99.0.300/24' }]] }), env('ADD', pod), 7],
      ['host bits set', conf(f.dir, { ranges: [[{ subnet: '10.99.0.1/24' }]] }), env('ADD', pod), 7],
      ['rangeStart outside subnet', conf(f.dir, { ranges: [[{ subnet: '10.99.0.0/24', rangeStart: '10.98.0.5' }]] }), env('ADD', pod), 7],
      ['bad mtu', conf(f.dir, { ranges }, { mtu: 'big' }), env('ADD', pod), 7],
      ['unsupported version', { ...conf(f.dir, { ranges }), cniVersion: '0.2.0' }, env('ADD', pod), 1],
      ['unknown version', { ...conf(f.dir, { ranges }), cniVersion: '7.0.0' }, env('ADD', pod), 1],
      ['missing name', { ...conf(f.dir, { ranges }), name: undefined }, env('ADD', pod), 7],
      ['undecodable JSON', '{"cniVersion":', env('ADD', pod), 6],
      ['missing CNI_NETNS', conf(f.dir, { ranges }), { ...env('ADD', pod), CNI_NETNS: '' }, 4],
      ['bad CNI_IFNAME', conf(f.dir, { ranges }), { ...env('ADD', pod), CNI_IFNAME: 'a/b' }, 4],
      ['unknown CNI_COMMAND', conf(f.dir, { ranges }), { ...env('FROB', pod) }, 4],
      ['unknown ipam plugin', { ...conf(f.dir, { ranges }), ipam: { type: 'nope' } }, env('ADD', pod), 7],
      ['netns that does not exist', conf(f.dir, { ranges }), { ...env('ADD', pod), CNI_NETNS: '/run/netns/pn-tcni-absent' }, 4],
    ];
    for (const [what, c, e, want] of cases) {
      const r = await runPlugin(bridge, e, c, node);
      assert.equal(r.code, 1, `${what}: exit code (${r.raw})`);
      assert.equal(code(r), want, `${what}: CNI code (${r.raw})`);
      assert.equal(typeof (r.out as { msg?: string }).msg, 'string');
      assert.deepEqual(await vethsIn(node), [], `${what}: veth left behind`);
      assert.equal(await getLink(pod, 'eth0'), undefined, `${what}: eth0 left behind`);
      assert.deepEqual(ipFiles(f.dir, 'pnbad'), [], `${what}: allocation left behind`);
    }
    // exhausted range: /30 has one usable address besides the gateway
    const small = conf(f.dir, { ranges: [[{ subnet: '10.99.1.0/30' }]] });
    const ok = await runPlugin(bridge, env('ADD', pod, 'first'), small, node);
    assert.equal(ok.code, 0, ok.raw);
    const pod2 = await f.netns('p2');
    const full = await runPlugin(bridge, env('ADD', pod2, 'second'), small, node);
    assert.equal(code(full), 999, full.raw); // upstream host-local's code for an exhausted range
    assert.match((full.out as { msg: string }).msg, /no IP addresses available in range set: 10\.99\.1\.1-10\.99\.1\.2/);
    assert.equal(await getLink(pod2, 'eth0'), undefined, 'rolled back');
    assert.equal((await vethsIn(node)).length, 1, 'only the first pod has a veth');
    assert.deepEqual(ipFiles(f.dir, 'pnbad'), ['10.99.1.2']);
    assert.equal((await runPlugin(bridge, env('DEL', pod, 'first'), small, node)).code, 0);
    assert.deepEqual(ipFiles(f.dir, 'pnbad'), []);
    assert.deepEqual(await vethsIn(node), []);

    // the container's interface name is taken: ADD fails, releases the IP, keeps the foreign link
    await runPlugin(bridge, env('ADD', pod, 'first'), small, node);
    const dup = await runPlugin(bridge, env('ADD', pod, 'other'), small, node);
    assert.notEqual(dup.code, 0);
    assert.ok(await getLink(pod, 'eth0'));
    assert.deepEqual(ipFiles(f.dir, 'pnbad'), ['10.99.1.2']);
    assert.equal((await runPlugin(bridge, env('DEL', pod, 'first'), small, node)).code, 0);

    // chained plugins without what they need
    const pm = await runPlugin(join(OUR_BIN, 'portmap'), env('ADD', pod), { cniVersion: '1.0.0', name: 'pnbad', type: 'portmap', runtimeConfig: { portMappings: [{ hostPort: 1, containerPort: 2 }] } }, node);
    assert.equal(code(pm), 7, pm.raw);
    const fl = await runPlugin(join(OUR_BIN, 'flannel'), env('ADD', pod), { cniVersion: '1.0.0', name: 'cbr0', type: 'flannel', subnetFile: join(f.dir, 'missing.env'), dataDir: join(f.dir, 'fl') }, node);
    assert.equal(code(fl), 11, fl.raw);
    // STATUS/GC need 1.1.0
    const st = await runPlugin(bridge, { CNI_COMMAND: 'STATUS', CNI_PATH: OUR_BIN }, conf(f.dir, { ranges }), node);
    assert.equal(code(st), 1, st.raw);
  } finally { await f.cleanup(); }
});
