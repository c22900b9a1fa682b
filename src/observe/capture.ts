/**
 * `podnet capture TARGET`: tcpdump in the right network namespace — a pod's eth0 inside its netns
 * (`pod/NAME`), a node's interface (`node/NODE[/IFACE]`, eth0 by default) or the lab's underlay
 * bridge (`underlay`) — live decode on stdout, or pcap files with tcpdump's ring buffer.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UNDERLAY_BRIDGE } from '../lab/topology.js';
import { POD_IFNAME } from '../kubelet/podnetwork.js';
import type { NetnsPath } from '../net/exec.js';
import { startTcpdump, tcpdumpArgv, tcpdumpNotes, timedName, type TcpdumpOptions } from '../net/tcpdump.js';
import { fetchPod } from './inspectpod.js';
import { labNodeNetns, locateNode, underlayNetns } from './locate.js';
import { ObserveError, RuntimeState } from './runtimestate.js';

export type CaptureTarget = { kind: 'pod'; name: string } | { kind: 'node'; node: string; iface: string } | { kind: 'underlay' };

/** `pod/NAME`, `node/NODE[/IFACE]`, `underlay` (pure). */
export function parseTarget(s: string): CaptureTarget {
  const [kind, ...rest] = s.split('/');
  if ((kind === 'pod' || kind === 'pods' || kind === 'po') && rest.length === 1 && rest[0]) return { kind: 'pod', name: rest[0] };
  if ((kind === 'node' || kind === 'nodes' || kind === 'no') && rest[0] && rest.length <= 2) return { kind: 'node', node: rest[0], iface: rest[1] || 'eth0' };
  if (s === 'underlay') return { kind: 'underlay' };
  throw new ObserveError('EFLAG', `capture target "${s}" must be pod/NAME, node/NODE[/IFACE] or underlay`);
}

export interface CaptureOptions extends Omit<TcpdumpOptions, 'iface'> {
  namespace: string;
  lab: string;
  kubeconfig: string;
  stateDir?: string;
  /** Stop (SIGINT, so files are flushed) after this many seconds. */
  timeoutSeconds?: number;
}

export interface ResolvedTarget { netns: NetnsPath; iface: string; what: string }

/** The namespace and interface of a target. */
export async function resolveTarget(t: CaptureTarget, o: CaptureOptions): Promise<ResolvedTarget> {
  if (t.kind === 'underlay') return { netns: underlayNetns(o.lab), iface: UNDERLAY_BRIDGE, what: `the underlay bridge of lab ${o.lab}` };
  if (t.kind === 'node') return { netns: labNodeNetns(o.lab, t.node), iface: t.iface, what: `${t.iface} of node ${t.node}` };
  const pod = await fetchPod(o.kubeconfig, o.namespace, t.name);
  const node = pod.spec?.nodeName;
  if (!node) throw new ObserveError('ENOTSCHEDULED', `pod ${o.namespace}/${t.name} is not scheduled to a node yet`);
  const loc = locateNode({ node, lab: o.lab, stateDir: o.stateDir });
  const sb = new RuntimeState(loc.paths.kubeletDir).sandboxOfPod(o.namespace, t.name, pod.metadata.uid);
  if (!sb || sb.state !== 'SANDBOX_READY') throw new ObserveError('ENOTREADY', `pod ${o.namespace}/${t.name} has no ready sandbox on node ${node}`);
  if (sb.hostNetwork) return { netns: loc.netns, iface: 'eth0', what: `eth0 of node ${node} (pod ${t.name} uses the node's network)` };
  return { netns: sb.netnsPath, iface: POD_IFNAME, what: `${POD_IFNAME} of pod ${o.namespace}/${t.name} (netns ${sb.netnsName}, node ${node})` };
}

/** The files a capture wrote: FILE, FILE<digits> (-C), or the -G names (timedName: the part before the first %). */
export function writtenFiles(file: string): string[] {
  const dir = dirname(file);
  const base = basename(file);
  const timed = basename(timedName(file));
  const prefix = timed.slice(0, timed.indexOf('%'));
  const numbered = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\d+$`);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f === base || numbered.test(f) || (prefix.length > 0 && f.startsWith(prefix) && /\d/.test(f.slice(prefix.length, prefix.length + 1))))
    .sort().map((f) => `${dir}/${f}`);
}

/** Runs the capture to its end (count, timeout, SIGINT/SIGTERM); returns tcpdump's exit status. */
export async function runCapture(targetText: string, filter: readonly string[], o: CaptureOptions, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const t = await resolveTarget(parseTarget(targetText), o);
  const write = o.write ? resolve(o.write) : undefined;
  const opts: TcpdumpOptions = { ...o, iface: t.iface, filter, ...(write ? { write } : {}) };
  tcpdumpArgv(opts); // refuse bad options before anything starts
  for (const n of tcpdumpNotes(opts)) err.write(`podnet: ${n}\n`);
  err.write(`podnet: capturing on ${t.what}\n`);
  const child = startTcpdump(t.netns, opts, ['ignore', 'inherit', 'inherit']);
  const stop = (): void => { child.kill('SIGINT'); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const timer = o.timeoutSeconds ? setTimeout(stop, o.timeoutSeconds * 1000) : undefined;
  try {
    return await new Promise<number>((res, rej) => {
      child.once('error', rej);
      child.once('exit', (code, sig) => res(code ?? (sig === 'SIGINT' ? 0 : 1)));
    });
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (write) for (const f of writtenFiles(write)) err.write(`podnet: wrote ${f}\n`);
  }
}
