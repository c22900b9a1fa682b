// Network-namespace topology for proxy e2e tests: one "node" netns with a bridge and three pods,
// a client pod on its own routed veth, and an external client on the node's "eth0" link.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { exec } from '../../src/util/exec.js';
import { createNamedNetns, deleteNamedNetns, netnsPath } from '../../src/net/netns.js';

const here = (f: string): string => new URL(f, import.meta.url).pathname;

export interface ProxyTopo {
  node: string; client: string; ext: string; pods: string[];
  podIPs: string[]; nodeIP: string; extIP: string; clientIP: string;
  /** runs argv inside netns `name` */
  run(name: string, argv: string[], input?: string): Promise<string>;
  /** runs proxyClient inside a netns and parses its JSON */
  probe(name: string, proto: 'tcp' | 'udp', host: string, port: number, count?: number, timeoutMs?: number): Promise<ProbeResult>;
  spawnIn(name: string, argv: string[]): ChildProcessWithoutNullStreams;
  destroy(): Promise<void>;
}
export interface ProbeResult { answers: Record<string, number>; errors: Record<string, number>; sources: Record<string, number>; firstErrorMs?: number }

export async function createProxyTopo(): Promise<ProxyTopo> {
  const id = randomBytes(2).toString('hex');
  const pfx = `pn-tpx-${id}`;
  const node = `${pfx}-n`, client = `${pfx}-c`, ext = `${pfx}-x`;
  const pods = [1, 2, 3].map((i) => `${pfx}-p${i}`);
  const made: string[] = [];
  const procs: ChildProcessWithoutNullStreams[] = [];
  const ipn = (ns: string, ...a: string[]): Promise<unknown> => exec(['ip', '-n', ns, ...a]);
  const topo: ProxyTopo = {
    node, client, ext, pods, podIPs: ['10.244.1.11', '10.244.1.12', '10.244.1.13'], nodeIP: '192.168.77.1', extIP: '192.168.77.2', clientIP: '10.244.2.10',
    run: async (name, argv, input) => (await exec(['ip', 'netns', 'exec', name, ...argv], input !== undefined ? { input } : {})).stdout,
    probe: async (name, proto, host, port, count = 1, timeoutMs = 10_000) =>
      JSON.parse(await topo.run(name, [process.execPath, here('./proxyClient.js'), proto, host, String(port), String(count), String(timeoutMs)])) as ProbeResult,
    spawnIn: (name, argv) => { const c = spawn('ip', ['netns', 'exec', name, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] }); procs.push(c); return c; },
    destroy: async () => {
      for (const p of procs) if (p.exitCode === null && p.pid) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
      for (const n of made) await deleteNamedNetns(n);
    },
  };
  try {
    for (const n of [node, client, ext, ...pods]) { made.push(n); await createNamedNetns(n); }
    await exec(['ip', 'netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await ipn(node, 'link', 'add', 'br0', 'type', 'bridge');
    await ipn(node, 'addr', 'add', '10.244.1.1/24', 'dev', 'br0');
    await ipn(node, 'link', 'set', 'br0', 'up');
    for (let i = 0; i < 3; i++) {
      await ipn(node, 'link', 'add', `vp${i + 1}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netnsPath(pods[i]!));
      await ipn(node, 'link', 'set', `vp${i + 1}`, 'master', 'br0', 'up');
      // As the bridge CNI plugin's hairpinMode (kubelet's hairpin-veth): with br_netfilter, a pod's packet
      // DNATed back to the same pod is bridged out of the port it came in on.
      await ipn(node, 'link', 'set', `vp${i + 1}`, 'type', 'bridge_slave', 'hairpin', 'on');
      await ipn(pods[i]!, 'addr', 'add', `${topo.podIPs[i]}/24`, 'dev', 'eth0');
      await ipn(pods[i]!, 'link', 'set', 'eth0', 'up');
      await ipn(pods[i]!, 'route', 'add', 'default', 'via', '10.244.1.1');
    }
    await ipn(node, 'link', 'add', 'vc', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netnsPath(client));
    await ipn(node, 'addr', 'add', '10.244.2.1/24', 'dev', 'vc');
    await ipn(node, 'link', 'set', 'vc', 'up');
    await ipn(client, 'addr', 'add', `${topo.clientIP}/24`, 'dev', 'eth0');
    await ipn(client, 'link', 'set', 'eth0', 'up');
    await ipn(client, 'route', 'add', 'default', 'via', '10.244.2.1');
    await ipn(node, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netnsPath(ext));
    await ipn(node, 'addr', 'add', `${topo.nodeIP}/24`, 'dev', 'eth0');
    await ipn(node, 'link', 'set', 'eth0', 'up');
    await ipn(ext, 'addr', 'add', `${topo.extIP}/24`, 'dev', 'eth0');
    await ipn(ext, 'link', 'set', 'eth0', 'up');
    // The lab's LoadBalancer pool / external IPs are routed to this node.
    for (const vip of ['192.168.77.100', '192.168.77.101']) await ipn(ext, 'route', 'add', `${vip}/32`, 'via', topo.nodeIP);
    // Like a real node, the node has a default route (towards the "outside").
    await ipn(node, 'route', 'add', 'default', 'via', topo.extIP);
    // Backends: p1..p3 answer with their name on TCP and UDP 8080.
    await Promise.all(pods.map((ns, i) => new Promise<void>((resolve, reject) => {
      const c = topo.spawnIn(ns, [process.execPath, here('./proxyEcho.js'), `p${i + 1}`, '8080']);
      const rl = createInterface({ input: c.stdout });
      rl.once('line', () => resolve());
      c.once('exit', (code) => reject(new Error(`echo server in ${ns} exited ${code}`)));
    })));
    return topo;
  } catch (e) {
    await topo.destroy();
    throw e;
  }
}

/** A proxyDriver process inside the node netns. */
export class ProxyDriverProc {
  private readonly lines: string[] = [];
  private waiters: ((l: string) => void)[] = [];
  readonly stderr: string[] = [];
  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (l) => { const w = this.waiters.shift(); if (w) w(l); else this.lines.push(l); });
    proc.stderr.on('data', (d: Buffer) => { this.stderr.push(d.toString()); if (this.stderr.length > 200) this.stderr.shift(); });
  }
  static start(topo: ProxyTopo): ProxyDriverProc {
    return new ProxyDriverProc(topo.spawnIn(topo.node, [process.execPath, here('./proxyDriver.js'), netnsPath(topo.node)]));
  }
  async request<T = Record<string, unknown>>(req: Record<string, unknown>): Promise<T & { ok: boolean; error?: string }> {
    this.proc.stdin.write(JSON.stringify(req) + '\n');
    const line = this.lines.shift() ?? await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`driver did not answer ${req.op}: ${this.stderr.join('').slice(-2000)}`)), 60_000);
      this.waiters.push((l) => { clearTimeout(t); resolve(l); });
    });
    return JSON.parse(line) as T & { ok: boolean; error?: string };
  }
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    await this.request({ op: 'stop' }).catch(() => undefined);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  }
}
