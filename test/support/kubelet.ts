/** Helpers for the kubelet e2e tests: a node netns with a reference-plugin CNI config, ws exec client, socket HTTP. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { exec } from '../../src/util/exec.js';

export interface TestNode { name: string; netnsPath: string; dir: string; confDir: string; cacheDir: string; subnet: string; cleanup(): Promise<void> }

/** A node netns (lo up) plus a bridge+host-local conflist (reference plugins in /usr/lib/cni). */
export async function makeTestNode(): Promise<TestNode> {
  const name = `pn-tkub-${randomBytes(2).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  await exec(['ip', 'netns', 'add', name]);
  await exec(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  const confDir = join(dir, 'net.d');
  const cacheDir = join(dir, 'cni-cache');
  mkdirSync(confDir, { recursive: true });
  const third = 100 + (randomBytes(1)[0]! % 100);
  const subnet = `10.${third}.7.0/24`;
  writeFileSync(join(confDir, '10-test.conflist'), JSON.stringify({
    cniVersion: '1.0.0', name: 'tkub',
    plugins: [{ type: 'bridge', bridge: 'cni0', isGateway: true, isDefaultGateway: true, ipMasq: false, hairpinMode: true,
      ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir: join(dir, 'ipam') } }],
  }));
  return {
    name, netnsPath: `/run/netns/${name}`, dir, confDir, cacheDir, subnet,
    cleanup: async () => {
      await exec(['ip', 'netns', 'delete', name], { allowFail: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** GET over a unix socket; resolves with status and body. */
export function socketGet(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface ExecOutput { stdout: string; stderr: string; status: Record<string, unknown> | undefined; protocol: string }

/** Runs a command through the kubelet exec endpoint as kubectl would (WebSocket, channel.k8s.io). */
export function wsExec(socketPath: string, ns: string, pod: string, container: string, command: string[], opts: { stdin?: string; protocol?: string; tty?: boolean } = {}): Promise<ExecOutput> {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('stdout', '1'); q.set('stderr', '1');
  if (opts.stdin !== undefined) q.set('stdin', '1');
  if (opts.tty) q.set('tty', '1');
  const ws = new WebSocket(`ws+unix://${socketPath}:/exec/${ns}/${pod}/${container}?${q}`, opts.protocol ? [opts.protocol] : ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  const out: ExecOutput = { stdout: '', stderr: '', status: undefined, protocol: '' };
  return new Promise((resolve, reject) => {
    ws.on('open', () => {
      out.protocol = ws.protocol;
      if (opts.stdin !== undefined) {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(opts.stdin)]));
        ws.send(Buffer.from([255, 0]));
      }
    });
    ws.on('message', (d: Buffer) => {
      const ch = d[0];
      const body = d.subarray(1).toString();
      if (ch === 1) out.stdout += body; else if (ch === 2) out.stderr += body; else if (ch === 3 && body) out.status = JSON.parse(body) as Record<string, unknown>;
    });
    ws.on('unexpected-response', (_req, res) => {
      let b = ''; res.on('data', (c: Buffer) => { b += c.toString(); }); res.on('end', () => reject(new Error(`exec refused ${res.statusCode}: ${b}`)));
    });
    ws.on('close', () => resolve(out));
    ws.on('error', reject);
  });
}

/** Processes whose command line mentions `needle` (to check nothing is left running). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes(needle)) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

export async function waitUntil<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function netnsMounted(name: string): boolean { return existsSync(`/run/netns/${name}`); }

/** Kills every process whose command line mentions `needle` (test cleanup of what the test itself started). */
export function killMentioning(needle: string): void {
  for (const p of processesMentioning(needle)) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
}

/** After a failed test: tears down every sandbox recorded under stateDir (CNI DEL, pause, netns mount). */
export async function removeLeftoverSandboxes(stateDir: string, node: TestNode): Promise<void> {
  if (!existsSync(join(stateDir, 'pods'))) return;
  const { PodRuntime } = await import('../../src/kubelet/runtime.js');
  const { CniRuntime } = await import('../../src/cni/runtime/index.js');
  const { createLogger } = await import('../../src/util/log.js');
  const rt = new PodRuntime({
    stateDir, nodeName: 'cleanup', nodeIP: '0.0.0.0', clusterDNS: [], clusterDomain: 'cluster.local', log: createLogger('kubelet-test-cleanup', 'warn'),
    network: new CniRuntime({ confDir: node.confDir, binDirs: ['/usr/lib/cni'], cacheDir: node.cacheDir, netns: node.netnsPath }),
  });
  await rt.gc(new Set());
}
