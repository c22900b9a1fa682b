/**
 * `podnet netpol drops`: listens on the nflog group the agents' policy tables log denied packets to
 * (`--netpol-log-drops`, on by default in a lab), in every node's netns (or one), and prints each
 * denied packet with pod names and the policies that isolate the pod — as it happens: the kernel keeps
 * no history (the per-pod drop counts are in the agents' /metrics).
 */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { KubeClient } from '../client/types.js';
import { R } from '../client/resources.js';
import type { KObject } from '../meta/types.js';
import type { NetnsPath } from '../net/exec.js';
import { listenNflog, type NflogListener, type NflogRecord } from '../net/nflog.js';
import { PodnetError } from '../util/errors.js';
import { buildModel } from './cluster.js';
import { decodeIPv4, dropHeader, dropLine, dropRecord, parseDropLogPrefix, type DropRecord } from './droplog.js';
import type { ClusterModel } from './model.js';
import { DROP_LOG_GROUP } from './rules.js';

export class DropsError extends PodnetError {}

export interface DropsOptions {
  /** the nodes to listen on, each with its netns */
  nodes: { name: string; netns: NetnsPath }[];
  follow: boolean;
  /** without follow: stop after this many seconds */
  timeoutSeconds: number;
  /** stop after this many packets */
  count?: number;
  json: boolean;
  group?: number;
}

async function loadModel(client: KubeClient): Promise<ClusterModel> {
  const [ns, pods, pols, nodes] = await Promise.all([
    client.list<Namespace & KObject>(R.namespaces), client.list<Pod & KObject>(R.pods), client.list<NetworkPolicy & KObject>(R.networkpolicies), client.list<Node & KObject>(R.nodes),
  ]);
  return buildModel(ns.items, pods.items, pols.items, nodes.items);
}

/** The cluster's node names (for listening on all of them). */
export async function clusterNodes(client: KubeClient): Promise<string[]> {
  return (await client.list<Node & KObject>(R.nodes)).items.map((n) => n.metadata.name ?? '').filter(Boolean).sort();
}

/** Runs until follow stops (SIGINT/SIGTERM), the timeout or the count; returns how many drops were printed. */
export async function runDrops(client: KubeClient, o: DropsOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  if (!o.nodes.length) throw new DropsError('ENONODE', 'no node to listen on');
  let model = await loadModel(client);
  let loadedAt = Date.now();
  let printed = 0;
  let chain = Promise.resolve();
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });
  const listeners: NflogListener[] = [];
  const handle = async (node: string, rec: NflogRecord): Promise<void> => {
    const prefix = parseDropLogPrefix(rec.prefix);
    const pkt = rec.family === 2 ? decodeIPv4(rec.payload) : undefined;
    if (!prefix || !pkt) return;
    // names and policies as they are now: reload when the model is older than a second
    if (Date.now() - loadedAt > 1000) { model = await loadModel(client); loadedAt = Date.now(); }
    const r: DropRecord = dropRecord(model, node, rec.timeMs, prefix, pkt);
    if (o.count !== undefined && printed >= o.count) return;
    if (printed === 0 && !o.json) out.write(dropHeader());
    out.write(o.json ? JSON.stringify(r) + '\n' : dropLine(r));
    printed++;
    if (o.count !== undefined && printed >= o.count) finish();
  };
  for (const n of o.nodes) {
    listeners.push(listenNflog(n.netns, o.group ?? DROP_LOG_GROUP, (rec) => { chain = chain.then(() => handle(n.name, rec)).catch((e: Error) => { err.write(`podnet: ${e.message}\n`); }); }));
  }
  const stop = (): void => finish();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const timer = o.follow ? undefined : setTimeout(stop, o.timeoutSeconds * 1000);
  try {
    await Promise.race([Promise.all(listeners.map((l) => l.ready)), done]);
    err.write(`podnet: listening for denied packets (nflog group ${o.group ?? DROP_LOG_GROUP}) on ${o.nodes.map((n) => n.name).join(', ')}${o.follow ? '' : ` for ${o.timeoutSeconds}s`}\n`);
    await Promise.race([done, ...listeners.map((l) => l.ready.then(() => new Promise<void>((_, rej) => l.child.once('exit', (c) => rej(new DropsError('ENFLOG', `the listener exited (${c})`))))))]);
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    for (const l of listeners) if (l.child.exitCode === null) l.child.kill('SIGINT');
    await Promise.all(listeners.map((l) => (l.child.exitCode === null && l.child.signalCode === null ? new Promise((r) => l.child.once('exit', r)) : undefined)));
    await chain;
  }
  if (printed === 0 && !o.json) err.write('podnet: no denied packet seen\n');
  return printed;
}
