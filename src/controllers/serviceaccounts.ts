import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { R } from '../client/resources.js';
import { isAlreadyExists, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { InformerFactory } from '../client/informerfactory.js';
import type { Logger } from '../util/log.js';
import { WorkQueue } from './queue.js';
import type { K } from './util.js';

/** The service accounts every namespace gets (upstream's --service-account controller: just `default`). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'] as const;

/**
 * The serviceaccounts controller (upstream's pkg/controller/serviceaccount): every active
 * namespace has a `default` ServiceAccount; created with the namespace and again whenever it is
 * deleted. Terminating namespaces are left alone.
 */
export class ServiceAccountsController {
  private readonly queue: WorkQueue;
  private readonly namespaces;
  private readonly accounts;

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'serviceaccount', log, workers: 2 });
    this.namespaces = informers.get<K<Namespace>>(R.namespaces);
    this.accounts = informers.get<K<ServiceAccount>>(R.serviceaccounts);
    this.namespaces.on({ onAdd: (n) => this.queue.add(n.metadata.name!), onUpdate: (_o, n) => this.queue.add(n.metadata.name!) });
    this.accounts.on({ onDelete: (sa) => { if ((DEFAULT_SERVICE_ACCOUNTS as readonly string[]).includes(sa.metadata.name!)) this.queue.add(sa.metadata.namespace!); } });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(nsName: string): Promise<void> {
    const ns = this.namespaces.get(undefined, nsName);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    for (const name of DEFAULT_SERVICE_ACCOUNTS) {
      if (this.accounts.get(nsName, name)) continue;
      try {
        await this.client.create(R.serviceaccounts(nsName), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: nsName } } as K<ServiceAccount>);
        this.log?.debug({ namespace: nsName, name }, 'created service account');
      } catch (e) {
        if (isAlreadyExists(e)) continue;
        // the namespace went away or started terminating meanwhile (403 NamespaceTerminating)
        if (isNotFound(e) || (e as { httpStatus?: number }).httpStatus === 403) return;
        throw e;
      }
    }
  }
}
