/**
 * Which ConfigMaps and Secrets the pods bound to each node use (upstream's node authorizer graph,
 * reduced to pods → configmaps/secrets/serviceaccounts): the pod's service account, volumes (configMap, secret, projected), env valueFrom,
 * envFrom and imagePullSecrets of every container, init and ephemeral container.
 */
import type { KObject } from '../kinds/types.js';
import { asArr, asObj, asStr } from '../validation/index.js';

export interface PodRefs { node: string; namespace: string; configMaps: Set<string>; secrets: Set<string>; serviceAccounts: Set<string> }

export function podRefs(pod: KObject): PodRefs {
  const spec = asObj(pod.spec);
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const add = (set: Set<string>, v: unknown): void => { const s = asStr(v); if (s) set.add(s); };
  for (const v of asArr(spec.volumes)) {
    const vol = asObj(v);
    add(configMaps, asObj(vol.configMap).name);
    add(secrets, asObj(vol.secret).secretName);
    for (const src of asArr(asObj(vol.projected).sources)) {
      add(configMaps, asObj(asObj(src).configMap).name);
      add(secrets, asObj(asObj(src).secret).name);
    }
  }
  for (const c of [...asArr(spec.containers), ...asArr(spec.initContainers), ...asArr(spec.ephemeralContainers)]) {
    const ctr = asObj(c);
    for (const e of asArr(ctr.env)) {
      const from = asObj(asObj(e).valueFrom);
      add(configMaps, asObj(from.configMapKeyRef).name);
      add(secrets, asObj(from.secretKeyRef).name);
    }
    for (const e of asArr(ctr.envFrom)) {
      add(configMaps, asObj(asObj(e).configMapRef).name);
      add(secrets, asObj(asObj(e).secretRef).name);
    }
  }
  for (const s of asArr(spec.imagePullSecrets)) add(secrets, asObj(s).name);
  const serviceAccounts = new Set<string>();
  add(serviceAccounts, asStr(spec.serviceAccountName) || asStr(spec.serviceAccount));
  return { node: asStr(spec.nodeName), namespace: pod.metadata.namespace ?? '', configMaps, secrets, serviceAccounts };
}

/** Pods by node, with what they reference; fed by the pod cache's events. */
export class NodeGraph {
  private readonly byNode = new Map<string, Map<string, PodRefs>>();
  private readonly nodeOfPod = new Map<string, string>();

  private static key(o: KObject): string { return `${o.metadata.namespace}/${o.metadata.name}`; }

  remove(pod: KObject): void {
    const k = NodeGraph.key(pod);
    const node = this.nodeOfPod.get(k);
    if (node === undefined) return;
    this.nodeOfPod.delete(k);
    const m = this.byNode.get(node);
    m?.delete(k);
    if (m && !m.size) this.byNode.delete(node);
  }

  upsert(pod: KObject): void {
    this.remove(pod);
    const refs = podRefs(pod);
    if (!refs.node) return;
    const k = NodeGraph.key(pod);
    this.nodeOfPod.set(k, refs.node);
    const m = this.byNode.get(refs.node) ?? new Map<string, PodRefs>();
    m.set(k, refs);
    this.byNode.set(refs.node, m);
  }

  /** The node a pod is bound to ('' when unbound or unknown). */
  nodeOf(namespace: string, name: string): string { return this.nodeOfPod.get(`${namespace}/${name}`) ?? ''; }

  /** Does a pod bound to `node` use this ConfigMap / Secret / ServiceAccount? */
  references(node: string, what: 'configmaps' | 'secrets' | 'serviceaccounts', namespace: string, name: string): boolean {
    for (const p of this.byNode.get(node)?.values() ?? []) {
      if (p.namespace !== namespace) continue;
      const set = what === 'configmaps' ? p.configMaps : what === 'secrets' ? p.secrets : p.serviceAccounts;
      if (set.has(name)) return true;
    }
    return false;
  }
}
