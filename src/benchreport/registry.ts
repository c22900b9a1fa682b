/**
 * Every benchmark `podnet bench` runs, with the arguments of a full and a --quick run and how to
 * turn what it writes under bench/results into report rows and charts. The scripts stay the
 * source of truth for what is measured; this only reads their JSON.
 */
import { count, list, num, ratioOf, type Json } from './read.js';
import type { BenchSpec, ChartPoint, ChartSpec, ReportRow } from './types.js';
import { PodnetError } from '../util/errors.js';

/** `--only` named a benchmark that does not exist. */
export class BenchSelectError extends PodnetError {
  constructor(message: string) { super('EBENCHNAME', message); }
}

type RowInput = Omit<ReportRow, 'bench' | 'ratio' | 'podnet'> & { podnet: number | undefined };

/** Rows whose podnet figure exists, with their ratio filled in. */
function rows(bench: string, input: RowInput[]): ReportRow[] {
  const out: ReportRow[] = [];
  for (const r of input) {
    if (r.podnet === undefined) continue;
    out.push({ ...r, bench, podnet: r.podnet, ratio: ratioOf(r.podnet, r.reference) });
  }
  return out;
}

const proxyLabel = (r: Json): string => r.mode === 'nftables' && typeof r.lbStyle === 'string' && r.lbStyle !== 'cascade' ? `nftables (${r.lbStyle})` : String(r.mode);

const proxy: BenchSpec = {
  name: 'proxy',
  script: 'proxy.bench.js',
  result: 'proxy.json',
  what: 'kube-proxy full sync, one-service change and first connect, iptables/nftables/userspace',
  args: ['10', '1000', '10000'],
  quickArgs: ['10', '1000'],
  rows(res) {
    const out: RowInput[] = [];
    for (const r of list(res, 'results')) {
      const services = num(r, 'services');
      if (services === undefined || typeof r.mode !== 'string' || r.mode.includes('throughput')) continue;
      const label = proxyLabel(r);
      const size = `${count(services)} services × ${num(r, 'endpointsPerService') ?? 2} endpoints`;
      const rawName = r.mode === 'iptables' ? 'iptables-restore --noflush of the same rules' : 'nft -f of the same rules';
      out.push({ metric: `${label}: full sync`, size, unit: 'ms', podnet: num(r, 'fullSyncMs'), reference: num(r, 'rawLoadMs'), referenceName: num(r, 'rawLoadMs') === undefined ? undefined : rawName, better: 'lower' });
      out.push({ metric: `${label}: one changed service`, size, unit: 'ms', podnet: num(r, 'oneChangeMs'), reference: num(r, 'rawOneChangeMs'), referenceName: num(r, 'rawOneChangeMs') === undefined ? undefined : 'raw incremental load', better: 'lower' });
      out.push({ metric: `${label}: first TCP connect to the last ClusterIP, p50`, size, unit: 'µs', podnet: num(r, 'connectUs.p50'), reference: num(r, 'connectNoRulesUs.p50'), referenceName: num(r, 'connectNoRulesUs.p50') === undefined ? undefined : 'no rules', better: 'lower' });
    }
    return rows('proxy', out);
  },
  charts(res) {
    const sync: ChartPoint[] = [];
    const connect: ChartPoint[] = [];
    for (const r of list(res, 'results')) {
      const x = num(r, 'services');
      if (x === undefined || typeof r.mode !== 'string' || r.mode.includes('throughput')) continue;
      const label = proxyLabel(r);
      const full = num(r, 'fullSyncMs');
      if (full !== undefined) sync.push({ series: `podnet ${label}`, x, y: full });
      const raw = num(r, 'rawLoadMs');
      if (raw !== undefined) sync.push({ series: `raw load (${label})`, x, y: raw });
      const c = num(r, 'connectUs.p50');
      if (c !== undefined) connect.push({ series: label, x, y: c });
    }
    return [
      { id: 'proxy-sync', title: 'kube-proxy full sync time against the number of Services', xTitle: 'services (2 endpoints each)', yTitle: 'ms', logX: true, logY: true, points: sync },
      { id: 'proxy-connect', title: 'First TCP connect to a ClusterIP (p50) against the number of Services', xTitle: 'services', yTitle: 'µs', logX: true, points: connect },
    ];
  },
};

const dns: BenchSpec = {
  name: 'dns',
  script: 'dns.bench.js',
  result: 'dns.json',
  what: 'cluster DNS with dnsperf against bind9 (and dnsmasq) serving the same names',
  args: [],
  quickArgs: ['--seconds', '2', '--rounds', '1', '--outstanding-sweep', '100', '--sweep-seconds', '1'],
  rows(res) {
    const load = num(res, 'dnsperf.clients') === undefined ? '' : `, ${num(res, 'dnsperf.clients')} clients × ${num(res, 'dnsperf.outstanding')} outstanding`;
    const size = `${count(num(res, 'services') ?? 0)} Services${load}`;
    return rows('dns', [
      { metric: 'DNS queries per second (dnsperf)', size, unit: 'qps', podnet: num(res, 'podnet.qps'), reference: num(res, 'bind9.qps'), referenceName: 'bind9', better: 'higher' },
      { metric: 'DNS latency p99', size, unit: 'ms', podnet: num(res, 'podnet.p99LatencyMs'), reference: num(res, 'bind9.p99LatencyMs'), referenceName: 'bind9', better: 'lower' },
      { metric: 'DNS queries lost', size, unit: 'queries', podnet: num(res, 'podnet.lost'), reference: num(res, 'bind9.lost'), referenceName: 'bind9', better: 'lower' },
    ]);
  },
  charts(res) {
    const pts: ChartPoint[] = [];
    // a sweep over dnsperf client counts when the bench ran one (the cells at the headline's
    // outstanding queries, when it swept those too); else the single point it measured
    const headlineQ = num(res, 'dnsperf.outstanding');
    for (const s of list(res, 'clientsSweep')) {
      const x = num(s, 'clients');
      const q = num(s, 'outstanding');
      if (x === undefined || (q !== undefined && headlineQ !== undefined && q !== headlineQ)) continue;
      for (const who of ['podnet', 'bind9', 'dnsmasq']) { const y = num(s, `${who}.qps`); if (y !== undefined) pts.push({ series: who, x, y }); }
    }
    if (!pts.length) {
      const x = num(res, 'dnsperf.clients');
      if (x !== undefined) for (const who of ['podnet', 'bind9', 'dnsmasq']) { const y = num(res, `${who}.qps`); if (y !== undefined) pts.push({ series: who, x, y }); }
    }
    return [{ id: 'dns-qps', title: 'DNS queries per second against dnsperf clients', xTitle: 'dnsperf clients', yTitle: 'qps', points: pts }];
  },
};

const cni: BenchSpec = {
  name: 'cni',
  script: 'cni.bench.js',
  result: 'cni.json',
  what: 'CNI ADD/DEL of bridge + host-local against the reference plugins in /usr/lib/cni',
  args: [],
  quickArgs: ['10'],
  rows(res) {
    const size = `${num(res, 'iterations') ?? '?'} ADD/DEL`;
    const ref = 'reference plugins (/usr/lib/cni)';
    return rows('cni', [
      { metric: 'CNI ADD p50 (exec\'d plugin)', size, unit: 'ms', podnet: num(res, 'podnet.add.p50Ms'), reference: num(res, 'reference.add.p50Ms'), referenceName: ref, better: 'lower' },
      { metric: 'CNI ADD p50 (thin client to the agent)', size, unit: 'ms', podnet: num(res, 'podnetThin.add.p50Ms'), reference: num(res, 'reference.add.p50Ms'), referenceName: ref, better: 'lower' },
      { metric: 'CNI ADD p50 (in the agent)', size, unit: 'ms', podnet: num(res, 'inAgent.add.p50Ms'), reference: num(res, 'reference.add.p50Ms'), referenceName: ref, better: 'lower' },
      { metric: 'CNI DEL p50 (exec\'d plugin)', size, unit: 'ms', podnet: num(res, 'podnet.del.p50Ms'), reference: num(res, 'reference.del.p50Ms'), referenceName: ref, better: 'lower' },
    ]);
  },
};

const lab: BenchSpec = {
  name: 'lab',
  script: 'lab.bench.js',
  result: 'lab.json',
  what: 'lab up/down, pod create → Ready and pod-to-pod throughput against the same by hand',
  args: [],
  quickArgs: ['--pods', '5', '--iperf-seconds', '1', '--big-nodes', '3'],
  rows(res) {
    const out: RowInput[] = [];
    const labUp = (res as Json)?.labUp;
    if (labUp && typeof labUp === 'object') {
      for (const [k, v] of Object.entries(labUp as Json)) {
        const m = /^nodes(\d+)$/.exec(k); // baselineNodes3 etc. are another build's figures
        if (!m) continue;
        const n = Number(m[1]);
        const size = `${n} nodes`;
        out.push({ metric: 'lab up', size, unit: 'ms', podnet: num(v, 'upMs'), reference: num(v, 'plumbingByHandMs'), referenceName: 'the same namespaces and veths by hand', better: 'lower' });
        out.push({ metric: 'lab down', size, unit: 'ms', podnet: num(v, 'downMs'), reference: num(v, 'plumbingDownByHandMs'), referenceName: num(v, 'plumbingDownByHandMs') === undefined ? undefined : 'deleting them by hand', better: 'lower' });
      }
    }
    const pods = `${num(res, 'params.pods') ?? '?'} pods`;
    out.push({ metric: 'pod create → Ready p50, one at a time', size: pods, unit: 'ms', podnet: num(res, 'podCreateToReady.oneAtATime.p50Ms'), reference: num(res, 'podCreateToReady.podByHandReference.p50Ms'), referenceName: 'a pod by hand (seed 003\'s steps)', better: 'lower' });
    out.push({ metric: 'pod create → all Ready, burst', size: pods, unit: 'ms', podnet: num(res, 'podCreateToReady.burst.allReadyMs'), better: 'lower' });
    for (const be of ['vxlan', 'hostGw']) {
      out.push({ metric: `pod→pod TCP across nodes, ${be === 'hostGw' ? 'host-gw' : be}`, size: 'iperf3, 1 stream', unit: 'Gbit/s', podnet: num(res, `iperf3.${be}PodToPod.gbitPerSec`), reference: num(res, `iperf3.${be}LabNodeToNode.gbitPerSec`), referenceName: 'the lab underlay', better: 'higher' });
    }
    return rows('lab', out);
  },
};

const runtime: BenchSpec = {
  name: 'runtime',
  script: 'runtime.bench.js',
  result: 'runtime.json',
  what: 'container start in a root filesystem against runc and the host view',
  args: [],
  quickArgs: ['--pods', '5'],
  rows(res) {
    const v = list(res, 'variants');
    const rootfs = v.find((x) => String(x.name).startsWith('rootfs'));
    const host = v.find((x) => String(x.name).startsWith('host view'));
    const size = `${num(res, 'pods') ?? '?'} pods`;
    return rows('runtime', [
      { metric: 'container start p50 (rootfs)', size, unit: 'ms', podnet: num(rootfs, 'startP50Ms'), reference: num(host, 'startP50Ms'), referenceName: 'host view, no rootfs', better: 'lower' },
      { metric: 'container launch p50', size: '20 launches', unit: 'ms', podnet: num(res, 'launch.oursLaunchP50Ms'), reference: num(res, 'launch.runcLaunchP50Ms'), referenceName: 'runc run', better: 'lower' },
    ]);
  },
};

const netpol: BenchSpec = {
  name: 'netpol',
  script: 'netpol.bench.js',
  result: 'netpol.json',
  what: 'NetworkPolicy sync against a raw nft load, and the data path with policies',
  args: [],
  quickArgs: ['--small'],
  rows(res) {
    const out: RowInput[] = [];
    for (const s of list(res, 'sync')) {
      const size = `${count(num(s, 'policies') ?? 0)} policies × ${count(num(s, 'pods') ?? 0)} pods`;
      out.push({ metric: 'NetworkPolicy first apply', size, unit: 'ms', podnet: num(s, 'firstApplyMs'), reference: num(s, 'rawLoadMs'), referenceName: 'nft -f of the same rules', better: 'lower' });
      out.push({ metric: 'NetworkPolicy one pod relabelled', size, unit: 'ms', podnet: num(s, 'oneChangeMs'), reference: num(s, 'oneChangeFullMs'), referenceName: 'a full rewrite', better: 'lower' });
    }
    for (const d of list(res, 'datapath')) {
      const n = num(d, 'policiesSelectingServer');
      if (!n) continue;
      out.push({ metric: 'connect p50 with policies', size: `${n} policies`, unit: 'ratio to none', podnet: num(d, 'connectP50VsNoPolicy'), better: 'lower' });
    }
    return rows('netpol', out);
  },
};

const backends: BenchSpec = {
  name: 'backends',
  script: 'backends.bench.js',
  result: 'backends.json',
  what: 'pod-to-pod throughput and RTT over flannel udp, vxlan and host-gw',
  args: [],
  quickArgs: ['--iperf-seconds', '1', '--pings', '20'],
  rows(res) {
    const out: RowInput[] = [];
    const lab: Record<string, string> = { udp: 'inUdpLab', vxlan: 'inVxlanLab', hostGw: 'inHostGwLab' };
    for (const be of ['udp', 'vxlan', 'hostGw']) {
      const name = be === 'hostGw' ? 'host-gw' : be;
      out.push({ metric: `pod→pod TCP, flannel ${name}`, size: 'iperf3, 1 stream', unit: 'Gbit/s', podnet: num(res, `podToPod.${be}.gbitPerSec`), reference: num(res, `references.underlayNodeToNode.${lab[be]}.gbitPerSec`), referenceName: 'the lab underlay', better: 'higher' });
      out.push({ metric: `pod→pod RTT, flannel ${name}`, size: 'ping', unit: 'ms', podnet: num(res, `podToPod.${be}.rttAvgMs`), reference: num(res, `references.underlayNodeToNode.${lab[be]}.rttAvgMs`), referenceName: 'the lab underlay', better: 'lower' });
    }
    return rows('backends', out);
  },
};

const calico: BenchSpec = {
  name: 'calico',
  script: 'calico.bench.js',
  result: 'calico.json',
  what: 'Calico routed and vxlan throughput, BGP convergence',
  args: [],
  quickArgs: ['--iperf-seconds', '1', '--blocks', '1'],
  skipQuick: true,
  rows(res) {
    return rows('calico', [
      { metric: 'pod→pod TCP, calico routed (BGP)', size: 'iperf3, 1 stream', unit: 'Gbit/s', podnet: num(res, 'iperf3.routedPodToPod.gbitPerSec'), reference: num(res, 'iperf3.routedLabNodeToNode.gbitPerSec'), referenceName: 'the lab underlay', better: 'higher' },
      { metric: 'pod→pod TCP, calico vxlan', size: 'iperf3, 1 stream', unit: 'Gbit/s', podnet: num(res, 'iperf3.vxlanPodToPod.gbitPerSec'), reference: num(res, 'iperf3.vxlanLabNodeToNode.gbitPerSec'), referenceName: 'the lab underlay', better: 'higher' },
      { metric: 'new block → route on the other node, p50', size: 'BGP', unit: 'ms', podnet: num(res, 'bgpConvergence.podCreateToRemoteBlockRouteMs.p50'), better: 'lower' },
    ]);
  },
};

const storage: BenchSpec = {
  name: 'storage',
  script: 'storage.bench.js',
  result: 'storage.json',
  what: 'SQLite and etcd stores against etcdctl and the raw etcd3 client',
  args: [],
  quickArgs: ['--entries', '2000', '--puts', '300', '--watchers', '20', '--events', '50'],
  rows(res) {
    const size = `${count(num(res, 'params.entries') ?? 0)} entries`;
    return rows('storage', [
      { metric: 'etcd store: list all', size, unit: 'ms', podnet: num(res, 'etcd.list10kMs'), reference: num(res, 'etcdReferences.rawEtcd3List10kMs'), referenceName: 'raw etcd3 client', better: 'lower' },
      { metric: 'etcd store: sequential creates', size, unit: 'per s', podnet: num(res, 'etcd.createSequentialPerSec'), reference: num(res, 'etcdReferences.rawEtcd3PutSequentialPerSec'), referenceName: 'raw etcd3 puts', better: 'higher' },
      { metric: 'SQLite store: watch delivery p99', size: `${num(res, 'params.watchers') ?? '?'} watchers`, unit: 'ms', podnet: num(res, 'sqlite.watch.deliveryP99Ms'), better: 'lower' },
    ]);
  },
};

const api: BenchSpec = {
  name: 'api',
  script: 'api.bench.js',
  result: 'api.json',
  what: 'API server create/list/watch on SQLite and etcd, with the real kubectl',
  args: [],
  quickArgs: ['--pods', '2000', '--sequential', '300', '--watchers', '20', '--events', '50'],
  rows(res) {
    const size = `${count(num(res, 'params.pods') ?? 0)} pods`;
    return rows('api', [
      { metric: 'API on etcd: list all pods, one request', size, unit: 'ms', podnet: num(res, 'etcd.listAllOneRequestMs'), reference: num(res, 'etcdReferences.etcdctlGetPrefixPodsJsonMs'), referenceName: 'etcdctl get --prefix -w json', better: 'lower' },
      { metric: 'API on SQLite: pod creates, 16 in flight', size, unit: 'per s', podnet: num(res, 'sqlite.createConcurrent16PerSec'), better: 'higher' },
      { metric: 'API watch delivery p99', size: `${num(res, 'params.watchers') ?? '?'} watchers`, unit: 'ms', podnet: num(res, 'sqlite.watch.deliveryP99Ms'), better: 'lower' },
    ]);
  },
};

const apiscale: BenchSpec = {
  name: 'apiscale',
  script: 'apiscale.bench.js',
  result: 'apiscale.json',
  what: 'API server at scale: watch fan-out to 1,000 watchers, list of 50,000 pods (paged, Table, kubectl)',
  args: [],
  quickArgs: ['--watchers', '200', '--events', '50', '--pods', '5000'],
  rows(res) {
    const size = `${count(num(res, 'params.pods') ?? 0)} pods`;
    const watchers = `${count(num(res, 'params.watchers') ?? 0)} watchers`;
    const raw = 'SQLite SELECT + JSON.parse + JSON.stringify of the same rows';
    return rows('apiscale', [
      { metric: 'API watch fan-out: delivery p99 from the write\'s ack', size: watchers, unit: 'ms', podnet: num(res, 'sqlite.watch.paced.fromAckP99Ms'), better: 'lower' },
      { metric: 'API watch fan-out: events delivered per second (burst)', size: watchers, unit: 'per s', podnet: num(res, 'sqlite.watch.burst.deliveriesPerSec'), better: 'higher' },
      { metric: 'API list of every pod, one request', size, unit: 'ms', podnet: num(res, 'sqlite.list.listOneRequest.ms'), reference: num(res, 'sqlite.reference.selectParseStringifyMs'), referenceName: raw, better: 'lower' },
      { metric: 'API list of every pod, pages of 500', size, unit: 'ms', podnet: num(res, 'sqlite.list.listPagedJson.totalMs'), reference: num(res, 'sqlite.reference.selectParseStringifyMs'), referenceName: raw, better: 'lower' },
      { metric: 'kubectl get pods -A --chunk-size=500 | wc -l', size, unit: 'ms', podnet: num(res, 'sqlite.list.kubectlGetPodsChunked.ms'), reference: num(res, 'sqlite.reference.selectParseStringifyMs'), referenceName: raw, better: 'lower' },
    ]);
  },
};

const serviceaccount: BenchSpec = {
  name: 'serviceaccount',
  script: 'serviceaccount.bench.js',
  result: 'serviceaccount.json',
  what: 'bearer-token authentication against client certificates',
  args: [],
  quickArgs: ['--requests', '500', '--tokens', '100'],
  rows(res) {
    return rows('serviceaccount', [
      { metric: 'request authenticated by a bound token, p50', size: `${num(res, 'requests') ?? '?'} requests`, unit: 'ms', podnet: num(res, 'bearerTokenBoundToPod.p50Ms'), reference: num(res, 'reference.clientCertificate.p50Ms'), referenceName: 'client certificate', better: 'lower' },
    ]);
  },
};

const protobuf: BenchSpec = {
  name: 'protobuf',
  script: 'protobuf.bench.js',
  result: 'protobuf.json',
  what: 'Kubernetes protobuf bodies through the pinned generated.proto against JSON of the same object',
  args: [],
  quickArgs: ['--iterations', '500'],
  rows(res) {
    const out: RowInput[] = [];
    for (const r of list(res, 'rows')) {
      const size = `${String(r.body)} (${count(num(r, 'protobufBytes') ?? 0)} B)`;
      out.push({ metric: 'protobuf body → object', size, unit: 'µs', podnet: num(r, 'decodeUs'), reference: num(r, 'jsonParseUs'), referenceName: 'JSON.parse of the same object', better: 'lower' });
      out.push({ metric: 'object → protobuf body', size, unit: 'µs', podnet: num(r, 'encodeUs'), reference: num(r, 'jsonStringifyUs'), referenceName: 'JSON.stringify of the same object', better: 'lower' });
    }
    return rows('protobuf', out);
  },
};

const scale: BenchSpec = {
  name: 'scale',
  script: 'scale.bench.js',
  result: 'scale.json',
  what: 'a 50-node lab (shared agent) with 1,000 Services and 1,000 pods: all Ready, agent memory, endpoint-change propagation',
  args: ['--configs', 'shared:50', '--pods', '1000', '--services', '1000', '--changes', '5'],
  quickArgs: [],
  skipQuick: true,
  rows(res) {
    const out: RowInput[] = [];
    const runs = (res as Json)?.runs;
    for (const r of runs && typeof runs === 'object' ? Object.values(runs as Json) : []) {
      const size = `${num(r, 'nodes')} nodes (${String((r as Json).mode)} agent), ${count(num(r, 'pods') ?? 0)} pods, ${count(num(r, 'services') ?? 0)} Services`;
      out.push({ metric: 'all pods Ready (from the first create)', size, unit: 'ms', podnet: num(r, 'allReadyMs'), better: 'lower' });
      out.push({ metric: 'agent memory per node (RSS, loaded)', size, unit: 'MiB', podnet: num(r, 'memory.loaded.perNodeMiB'), better: 'lower' });
      out.push({ metric: 'API server memory (RSS, loaded)', size, unit: 'MiB', podnet: num(r, 'memory.loaded.apiserver.rssMiB'), better: 'lower' });
      out.push({ metric: 'endpoint change → every node\'s rules, p99', size, unit: 'ms', podnet: num(r, 'propagation.fromSliceChangeMs.p99'), reference: num(r, 'propagation.syncDurationMs.p50'), referenceName: 'the rule sync itself (p50)', better: 'lower' });
      out.push({ metric: 'lab up', size, unit: 'ms', podnet: num(r, 'labUpMs'), better: 'lower' });
      out.push({ metric: 'lab down', size, unit: 'ms', podnet: num(r, 'labDownMs'), better: 'lower' });
    }
    return rows('scale', out);
  },
};

/** In the order they run: quick and cheap first, so a --quick report has the headline figures early. */
export const BENCHES: readonly BenchSpec[] = [proxy, dns, cni, protobuf, runtime, lab, netpol, serviceaccount, storage, api, apiscale, backends, calico, scale];

/** The benches named (all when none), or an error naming the unknown ones. */
export function selectBenches(names: string[] | undefined, quick: boolean): BenchSpec[] {
  if (names && names.length) {
    const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
    if (unknown.length) throw new BenchSelectError(`unknown benchmark(s) ${unknown.join(', ')}: choose from ${BENCHES.map((b) => b.name).join(', ')}`);
    return BENCHES.filter((b) => names.includes(b.name));
  }
  return BENCHES.filter((b) => !(quick && b.skipQuick));
}

/** Every chart the results give (charts with no points left out). */
export function chartsOf(results: Map<string, unknown>): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const b of BENCHES) {
    const r = results.get(b.name);
    if (r === undefined || !b.charts) continue;
    for (const c of b.charts(r)) if (c.points.length) out.push(c);
  }
  return out;
}
