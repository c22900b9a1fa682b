import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { R } from '../client/resources.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { InformerFactory } from '../client/informerfactory.js';
import type { Logger } from '../util/log.js';
import { WorkQueue } from './queue.js';
import type { K } from './util.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/**
 * The root-ca-cert-publisher (upstream's pkg/controller/certificates/rootcacertpublisher): a
 * `kube-root-ca.crt` ConfigMap with key `ca.crt` = the cluster CA in every active namespace, put
 * back when deleted and restored when its data is changed.
 */
export class RootCACertPublisher {
  private readonly queue: WorkQueue;
  private readonly namespaces;
  private readonly configMaps;

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly caPem: string, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'root_ca_cert_publisher', log, workers: 2 });
    this.namespaces = informers.get<K<Namespace>>(R.namespaces);
    this.configMaps = informers.get<K<ConfigMap>>(R.configmaps, { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
    this.namespaces.on({ onAdd: (n) => this.queue.add(n.metadata.name!), onUpdate: (_o, n) => this.queue.add(n.metadata.name!) });
    const mine = (c: K<ConfigMap>): void => { if (c.metadata.name === ROOT_CA_CONFIGMAP) this.queue.add(c.metadata.namespace!); };
    this.configMaps.on({ onUpdate: (_o, c) => mine(c), onDelete: mine });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(nsName: string): Promise<void> {
    const ns = this.namespaces.get(undefined, nsName);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const cur = this.configMaps.get(nsName, ROOT_CA_CONFIGMAP);
    const data = { 'ca.crt': this.caPem };
    const annotations = { 'kubernetes.io/description': DESCRIPTION };
    try {
      if (!cur) {
        await this.client.create(R.configmaps(nsName), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace: nsName, annotations }, data } as K<ConfigMap>);
        this.log?.debug({ namespace: nsName }, 'published the root CA');
        return;
      }
      const sameData = Object.keys(cur.data ?? {}).length === 1 && cur.data?.['ca.crt'] === this.caPem && !Object.keys(cur.binaryData ?? {}).length;
      if (sameData && cur.metadata.annotations?.['kubernetes.io/description'] === DESCRIPTION) return;
      await this.client.update(R.configmaps(nsName), { ...cur, data, binaryData: undefined, metadata: { ...cur.metadata, annotations: { ...(cur.metadata.annotations ?? {}), ...annotations } } } as K<ConfigMap>);
    } catch (e) {
      if (isAlreadyExists(e) || isConflict(e)) { this.queue.addAfter(nsName, 100); return; }
      if (isNotFound(e) || (e as { httpStatus?: number }).httpStatus === 403) return;
      throw e;
    }
  }
}
