/**
 * The plain-veth reference the throughput benches share: two fresh network namespaces joined by a
 * veth pair (10.98.0.1 ↔ 10.98.0.2), an iperf3 server in the second, and iperf3's JSON read back.
 */
import { spawn } from 'node:child_process';
import { exec } from '../src/util/exec.js';
import { run, until } from '../test/support/lab.js';

export interface Iperf { bitsPerSecond: number; retransmits: number }

export function parseIperf(json: string): Iperf {
  const j = JSON.parse(json) as { end?: { sum_received?: { bits_per_second?: number }; sum_sent?: { retransmits?: number } }; error?: string };
  if (j.error || !j.end?.sum_received?.bits_per_second) throw new Error(`iperf3: ${j.error ?? json.slice(0, 300)}`);
  return { bitsPerSecond: j.end.sum_received.bits_per_second, retransmits: j.end.sum_sent?.retransmits ?? 0 };
}

export const VETH_SERVER_IP = '10.98.0.2';

/**
 * Builds the pair (names `<tag>-a`/`<tag>-b`, added to `track` first so a failed run still removes
 * them), starts iperf3 -s -1 in b, runs `measure(clientNetns)`, then stops the server and calls
 * `remove` for both namespaces.
 */
export async function withPlainVeth<T>(tag: string, track: Set<string>, remove: (names: string[]) => Promise<void>, measure: (clientNetns: string) => Promise<T>): Promise<T> {
  const a = `${tag}-a`, b = `${tag}-b`;
  track.add(a); track.add(b);
  try {
    await exec(['bash', '-ec', [
      `ip netns add ${a}`, `ip netns add ${b}`,
      `ip -n ${a} link add eth0 type veth peer name eth0 netns ${b}`,
      `ip -n ${a} addr add 10.98.0.1/24 dev eth0`, `ip -n ${b} addr add ${VETH_SERVER_IP}/24 dev eth0`,
      `ip -n ${a} link set eth0 up`, `ip -n ${b} link set eth0 up`, `ip -n ${a} link set lo up`, `ip -n ${b} link set lo up`,
    ].join('\n')]);
    const srv = spawn('ip', ['netns', 'exec', b, 'iperf3', '-s', '-1'], { stdio: 'ignore' });
    try {
      await until('veth iperf3 server', async () => (await run('ss', ['-N', b, '-ltn', 'sport = :5201'])).stdout.includes('LISTEN'), 30_000);
      return await measure(a);
    } finally { srv.kill('SIGKILL'); }
  } finally { await remove([a, b]); }
}

/** iperf3 from the client namespace to the pair's server for `seconds`. */
export async function iperfOverVeth(clientNetns: string, seconds: number): Promise<Iperf> {
  return parseIperf((await exec(['ip', 'netns', 'exec', clientNetns, 'iperf3', '-c', VETH_SERVER_IP, '-t', String(seconds), '-J'])).stdout);
}

export const HAND_VXLAN_SERVER_IP = '10.97.0.2';

/**
 * The hand-built VXLAN reference: the same veth pair as the plain one for the underlay
 * (192.168.97.1 ↔ .2), and in each namespace a VXLAN device as flannel makes it (VNI 1, UDP 8472, local
 * VTEP, no learning, the all-zero FDB entry to the other VTEP), with 10.97.0.1/.2 on top. No bridge, no
 * pod veth, no netfilter rules: only the encapsulation. iperf3 -s -1 runs in b; `measure(a)` as above.
 */
export async function withHandVxlan<T>(tag: string, track: Set<string>, remove: (names: string[]) => Promise<void>, measure: (clientNetns: string) => Promise<T>): Promise<T> {
  const a = `${tag}-a`, b = `${tag}-b`;
  track.add(a); track.add(b);
  try {
    const side = (n: string, me: number, peer: number): string[] => [
      `ip -n ${n} addr add 192.168.97.${me}/24 dev eth0`, `ip -n ${n} link set eth0 up`, `ip -n ${n} link set lo up`,
      `ip -n ${n} link add vx0 type vxlan id 1 dstport 8472 local 192.168.97.${me} dev eth0 nolearning`,
      `ip -n ${n} addr add 10.97.0.${me}/24 dev vx0`, `ip -n ${n} link set vx0 up`,
      `bridge -n ${n} fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.97.${peer}`,
    ];
    await exec(['bash', '-ec', [
      `ip netns add ${a}`, `ip netns add ${b}`,
      `ip -n ${a} link add eth0 type veth peer name eth0 netns ${b}`,
      ...side(a, 1, 2), ...side(b, 2, 1),
    ].join('\n')]);
    const srv = spawn('ip', ['netns', 'exec', b, 'iperf3', '-s', '-1'], { stdio: 'ignore' });
    try {
      await until('hand vxlan iperf3 server', async () => (await run('ss', ['-N', b, '-ltn', 'sport = :5201'])).stdout.includes('LISTEN'), 30_000);
      return await measure(a);
    } finally { srv.kill('SIGKILL'); }
  } finally { await remove([a, b]); }
}
