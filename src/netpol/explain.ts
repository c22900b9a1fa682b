/** `podnet netpol explain`: the evaluator's verdict for one flow, from the API's objects, as text. */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { KubeClient } from '../client/types.js';
import { R } from '../client/resources.js';
import type { KObject } from '../meta/types.js';
import { PodnetError } from '../util/errors.js';
import { buildModel } from './cluster.js';
import { evaluate, type Endpoint, type Verdict } from './evaluate.js';
import { type ClusterModel, type Protocol, PROTOCOLS } from './model.js';

export class ExplainError extends PodnetError {}

/** "ns/name" → that pod; an IPv4 address → that address (or the pod that has it). */
export function resolveEndpoint(m: ClusterModel, s: string): Endpoint {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s)) {
    const pod = m.pods.find((p) => p.ip === s && !p.hostNetwork);
    return pod ? { pod } : { ip: s };
  }
  const [ns, name] = s.includes('/') ? s.split('/', 2) as [string, string] : ['default', s];
  const pod = m.pods.find((p) => p.namespace === ns && p.name === name);
  if (!pod) throw new ExplainError('ENOPOD', `no pod ${ns}/${name} (give namespace/name or an IPv4 address)`);
  return { pod };
}

export function renderVerdict(from: string, to: string, protocol: Protocol, port: number, v: Verdict): string {
  const line = (dir: string, d: Verdict['egress']): string =>
    `  ${dir.padEnd(8)}${d.allowed ? 'allowed' : 'DENIED '}  ${d.reason}`;
  return [`${from} → ${to} ${protocol}/${port}: ${v.allowed ? 'allowed' : 'DENIED'}`, line('egress', v.egress), line('ingress', v.ingress)].join('\n') + '\n';
}

export async function explainFlow(client: KubeClient, o: { from: string; to: string; port: number; protocol: string }): Promise<{ verdict: Verdict; text: string }> {
  const protocol = o.protocol.toUpperCase() as Protocol;
  if (!PROTOCOLS.includes(protocol)) throw new ExplainError('EFLAG', `--protocol must be one of ${PROTOCOLS.join(', ')}, not "${o.protocol}"`);
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new ExplainError('EFLAG', `--port must be 1-65535, not "${o.port}"`);
  const [ns, pods, pols, nodes] = await Promise.all([
    client.list<Namespace & KObject>(R.namespaces), client.list<Pod & KObject>(R.pods), client.list<NetworkPolicy & KObject>(R.networkpolicies), client.list<Node & KObject>(R.nodes),
  ]);
  const m = buildModel(ns.items, pods.items, pols.items, nodes.items);
  const verdict = evaluate(m, { src: resolveEndpoint(m, o.from), dst: resolveEndpoint(m, o.to), protocol, port: o.port });
  return { verdict, text: renderVerdict(o.from, o.to, protocol, o.port, verdict) };
}
