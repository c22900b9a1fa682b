import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cniChainName, cniComment, ipMasqRestore, portmapRules, splitSavedRule } from './iptables.js';

// Chain names computed independently (python3 hashlib.sha512) for network "cbr0", container "abc123".
const MASQ = 'CNI-3e9a3d0f9583cdc0e7133af3';
const DN = 'CNI-DN-3e9a3d0f9583cdc0e7133';

test('chain names: CNI-[prefix] + sha512(network+id), 28 characters (upstream FormatChainName)', () => {
  assert.equal(cniChainName('cbr0', 'abc123'), MASQ);
  assert.equal(cniChainName('cbr0', 'abc123', 'DN-'), DN);
  assert.equal(MASQ.length, 28);
  assert.equal(cniComment('cbr0', 'abc123'), 'name: "cbr0" id: "abc123"');
});

test('ipMasq restore text: accept the pod subnet, masquerade the rest but multicast, jump from POSTROUTING for the pod IP; IPv6 skipped', () => {
  const c = '"name: \\"cbr0\\" id: \\"abc123\\""';
  assert.equal(ipMasqRestore('cbr0', 'abc123', [{ ip: '10.244.3.7', subnet: '10.244.3.0/24' }, { ip: 'fd00::7', subnet: 'fd00::/64' }]), [
    '*nat',
    `:${MASQ} - [0:0]`,
    `-A ${MASQ} -d 10.244.3.0/24 -m comment --comment ${c} -j ACCEPT`,
    `-A ${MASQ} ! -d 224.0.0.0/4 -m comment --comment ${c} -j MASQUERADE`,
    `-A POSTROUTING -s 10.244.3.7/32 -m comment --comment ${c} -j ${MASQ}`,
    'COMMIT', '',
  ].join('\n'));
  // what iptables-save prints back splits into the same argv
  assert.deepEqual(splitSavedRule(`-A ${MASQ} -d 10.244.3.0/24 -m comment --comment ${c} -j ACCEPT`).slice(4, 8), ['-m', 'comment', '--comment', 'name: "cbr0" id: "abc123"']);
});

test('portmap rules: hairpin + localhost marks when snat, DNAT per mapping, one multiport jump per protocol', () => {
  const p = portmapRules('cbr0', 'abc123', '10.244.3.7', [
    { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostPort: 5353, containerPort: 53, protocol: 'udp', hostIP: '192.168.1.10' },
    { hostPort: 8443, containerPort: 443, protocol: 'tcp', hostIP: '0.0.0.0' },
    { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
  ], { snat: true });
  assert.equal(p.chain, DN);
  const text = p.chainRules.map((r) => r.join(' '));
  assert.deepEqual(text.slice(0, 6), [
    '-p tcp --dport 8080 -s 10.244.3.7/32 -j CNI-HOSTPORT-SETMARK',
    '-p tcp --dport 8080 -s 127.0.0.1/32 -j CNI-HOSTPORT-SETMARK',
    '-p tcp --dport 8080 -j DNAT --to-destination 10.244.3.7:80',
    '-p udp -d 192.168.1.10/32 --dport 5353 -s 10.244.3.7/32 -j CNI-HOSTPORT-SETMARK',
    '-p udp -d 192.168.1.10/32 --dport 5353 -s 127.0.0.1/32 -j CNI-HOSTPORT-SETMARK',
    '-p udp -d 192.168.1.10/32 --dport 5353 -j DNAT --to-destination 10.244.3.7:53',
  ]);
  assert.equal(text[8], '-p tcp --dport 8443 -j DNAT --to-destination 10.244.3.7:443', 'hostIP 0.0.0.0 means any address');
  assert.equal(text.length, 12);
  assert.deepEqual(p.dnatJumps, [
    ['-p', 'tcp', '-m', 'comment', '--comment', 'name: "cbr0" id: "abc123"', '-m', 'multiport', '--destination-ports', '8080,8443', '-j', DN],
    ['-p', 'udp', '-m', 'comment', '--comment', 'name: "cbr0" id: "abc123"', '-m', 'multiport', '--destination-ports', '5353', '-j', DN],
  ]);
  const noSnat = portmapRules('cbr0', 'abc123', '10.244.3.7', [{ hostPort: 30080, containerPort: 8080, protocol: 'sctp' }], { snat: false });
  assert.deepEqual(noSnat.chainRules, [['-p', 'sctp', '--dport', '30080', '-j', 'DNAT', '--to-destination', '10.244.3.7:8080']]);
  assert.deepEqual(portmapRules('cbr0', 'abc123', '10.244.3.7', [], { snat: true }), { chain: DN, chainRules: [], dnatJumps: [] });
});
