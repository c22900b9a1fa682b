/**
 * `podnet flows`, the running part: the conntrack table (or, with follow, its events) of every node's
 * network namespace, named from informer caches of Pods, Services and Nodes, plus the NetworkPolicy drop
 * log (nflog group 7, what `podnet netpol drops` reads) as DROPPED lines. Only src/net spawns (conntrack,
 * tcpdump); only src/client speaks to the API.
 */
import type { Namespace, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { InformerFactory, R, type KubeClient } from '../client/index.js';
import type { KObject } from '../meta/types.js';
import { conntrackList, streamConntrackEvents, type ConntrackEventStream } from '../net/conntrack.js';
import type { NetnsPath } from '../net/exec.js';
import { listenNflog, type NflogListener } from '../net/nflog.js';
import { buildModel } from '../netpol/cluster.js';
import { decodeIPv4, dropRecord, parseDropLogPrefix } from '../netpol/droplog.js';
import { DROP_LOG_GROUP } from '../netpol/rules.js';
import { PodnetError } from '../util/errors.js';
import {
  buildNameIndex, flowCells, flowHeader, flowLine, flowOf, flowOfDrop, FLOW_COLUMNS, FlowDeduper, matchesFilter, parseConntrackLine, parseConntrackTable,
  type ConntrackEntry, type Flow, type FlowFilter, type NameIndex,
} from './flows.js';
import { renderTable } from './table.js';

export class FlowsError extends PodnetError {}

export interface FlowsOptions {
  nodes: { name: string; netns: NetnsPath }[];
  follow: boolean;
  filter: FlowFilter;
  json: boolean;
  /** with follow: stop after this many seconds (default: until interrupted) */
  timeoutSeconds?: number;
  /** with follow: stop after this many flow lines */
  count?: number;
  /** listen to the NetworkPolicy drop log too (default true) */
  drops?: boolean;
}

interface Caches { index(): NameIndex; stop(): void; factory: InformerFactory }

async function startCaches(client: KubeClient): Promise<Caches> {
  const factory = new InformerFactory(client);
  const pods = factory.get<Pod & KObject>(R.pods);
  const svcs = factory.get<Service & KObject>(R.services);
  const nodes = factory.get<Node & KObject>(R.nodes);
  const ac = new AbortController();
  let dirty = true;
  let idx: NameIndex | undefined;
  for (const inf of [pods, svcs, nodes] as const) (inf as { on(h: object): void }).on({ onAdd: () => { dirty = true; }, onUpdate: () => { dirty = true; }, onDelete: () => { dirty = true; } });
  await factory.start(ac.signal);
  return {
    factory,
    index: () => { if (dirty || !idx) { idx = buildNameIndex(pods.list(), svcs.list(), nodes.list()); dirty = false; } return idx; },
    stop: () => ac.abort(),
  };
}

/** The table now: every node's conntrack entries, named, one line per connection (a copy seen on two nodes once). */
export async function listFlows(client: KubeClient, o: FlowsOptions): Promise<Flow[]> {
  const [pods, svcs, nodes] = await Promise.all([client.list<Pod & KObject>(R.pods), client.list<Service & KObject>(R.services), client.list<Node & KObject>(R.nodes)]);
  const idx = buildNameIndex(pods.items, svcs.items, nodes.items);
  const tables = await Promise.all(o.nodes.map(async (n) => ({ node: n.name, entries: parseConntrackTable(await conntrackList(n.netns)) })));
  const dedup = new FlowDeduper(Number.POSITIVE_INFINITY);
  const out: Flow[] = [];
  // the node that did the DNAT names the Service: take those first so their copy is the one kept
  const all = tables.flatMap((t) => t.entries.map((e) => ({ e, f: flowOf(idx, t.node, e) })));
  all.sort((a, b) => Number(!!b.f.service) - Number(!!a.f.service));
  for (const { e, f } of all) if (matchesFilter(f, o.filter) && dedup.admit(f, e, 0)) out.push(f);
  const key = (f: Flow): string => `${f.src.name ?? f.src.ip}|${f.dst.name ?? f.dst.ip}|${f.node}`;
  return out.sort((a, b) => key(a).localeCompare(key(b)));
}

/** The table without follow: kubectl-aligned columns (TIME is '-': the table has no event times). */
export function renderFlowTable(flows: Flow[]): string {
  const cols = [...FLOW_COLUMNS.slice(1), 'EXPIRES'];
  return renderTable(cols, flows.map((f) => [...flowCells(f).slice(1), f.timeout !== undefined ? `${f.timeout}s` : '-']));
}

/**
 * Follows conntrack events (and the drop log) on every node until interrupted, the timeout or the
 * count; returns how many lines were printed.
 */
export async function followFlows(client: KubeClient, o: FlowsOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  if (!o.nodes.length) throw new FlowsError('ENONODE', 'no node to watch');
  const caches = await startCaches(client);
  const nsInf = caches.factory.get<Namespace & KObject>(R.namespaces);
  const polInf = caches.factory.get<NetworkPolicy & KObject>(R.networkpolicies);
  const ac = new AbortController();
  await Promise.all([nsInf.start(ac.signal), polInf.start(ac.signal)]);
  const dedup = new FlowDeduper();
  let printed = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });
  const emit = (f: Flow, e: ConntrackEntry | undefined): void => {
    if (o.count !== undefined && printed >= o.count) return;
    if (!matchesFilter(f, o.filter) || !dedup.admit(f, e, Date.now())) return;
    if (printed === 0 && !o.json) out.write(flowHeader());
    out.write(o.json ? JSON.stringify(f) + '\n' : flowLine(f));
    printed++;
    if (o.count !== undefined && printed >= o.count) finish();
  };
  const streams: ConntrackEventStream[] = [];
  const nflogs: NflogListener[] = [];
  for (const n of o.nodes) {
    streams.push(streamConntrackEvents(n.netns, (line) => {
      try {
        const e = parseConntrackLine(line);
        if (e) emit(flowOf(caches.index(), n.name, e), e);
      } catch (x) { err.write(`podnet: ${(x as Error).message}\n`); }
    }, (text) => err.write(`podnet: conntrack on ${n.name}: ${text.trim()}\n`)));
    if (o.drops !== false) {
      const l = listenNflog(n.netns, DROP_LOG_GROUP, (rec) => {
        const prefix = parseDropLogPrefix(rec.prefix);
        const pkt = rec.family === 2 ? decodeIPv4(rec.payload) : undefined;
        if (!prefix || !pkt) return;
        const model = buildModel(nsInf.list(), caches.factory.get<Pod & KObject>(R.pods).list(), polInf.list(), caches.factory.get<Node & KObject>(R.nodes).list());
        emit(flowOfDrop(caches.index(), dropRecord(model, n.name, rec.timeMs, prefix, pkt)), undefined);
      });
      // the group binds once per netns: with another reader (`podnet netpol drops`) there, go on without drops
      l.ready.catch((e: Error) => err.write(`podnet: no drop log on ${n.name} (${e.message.split('\n')[0]}); flows only\n`));
      nflogs.push(l);
    }
  }
  const stop = (): void => finish();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const timer = o.timeoutSeconds !== undefined ? setTimeout(stop, o.timeoutSeconds * 1000) : undefined;
  try {
    await Promise.race([Promise.all([...streams.map((s) => s.ready), ...nflogs.map((l) => l.ready.catch(() => undefined))]), done]);
    err.write(`podnet: watching flows (conntrack events${o.drops !== false ? ' and the NetworkPolicy drop log' : ''}) on ${o.nodes.map((n) => n.name).join(', ')}\n`);
    const died = streams.map((s, i) => new Promise<void>((_, rej) => s.child.once('close', (c) => rej(new FlowsError('ECONNTRACK', `conntrack -E on ${o.nodes[i]!.name} exited (${c})`)))));
    await Promise.race([done, ...died]);
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await Promise.all(streams.map((s) => s.stop()));
    for (const l of nflogs) if (l.child.exitCode === null && l.child.signalCode === null) l.child.kill('SIGINT');
    await Promise.all(nflogs.map((l) => (l.child.exitCode === null && l.child.signalCode === null ? new Promise((r) => l.child.once('exit', r)) : undefined)));
    ac.abort();
    caches.stop();
  }
  return printed;
}
