import type { KubeClient } from '../client/types.js';
import { createLogger, type Logger } from '../util/log.js';
import { DeploymentController } from './deployment.js';
import { EndpointsController } from './endpoints.js';
import { EndpointSliceController } from './endpointslice.js';
import { EventRecorder } from './events.js';
import { GarbageCollector } from './gc.js';
import { InformerFactory } from '../client/informerfactory.js';
import { NodeIpamController } from './nodeipam.js';
import { ReplicaSetController } from './replicaset.js';
import { Scheduler } from './scheduler.js';
import { DisruptionController } from './disruption.js';
import { NodeTaintController } from './nodetaints.js';
import { DaemonSetController } from './daemonset.js';
import { StatefulSetController } from './statefulset.js';
import { JobController } from './job.js';

import { LoadBalancerIpamController } from './lbipam.js';
import { RootCACertPublisher } from './rootcacert.js';
import { ServiceAccountsController } from './serviceaccounts.js';

export interface ControllerOptions {
  clusterCidr: string;
  nodeCidrMaskSize: number;
  /** Service CIDR; ClusterIPs are allocated by the API server in the Service create path. */
  serviceCidr: string;
  log?: Logger;
  /** Subset to run (default: all): nodeipam, endpoints, endpointslice, scheduler, replicaset, deployment, gc, serviceaccount, root-ca-cert-publisher. */
  controllers?: string[];
  /** LoadBalancer address pool (A.B.C.D-E.F.G.H or CIDR); the lbipam controller runs when set. */
  loadBalancerPool?: string;
  /** The cluster CA (PEM) the root-ca-cert-publisher puts into every namespace's kube-root-ca.crt; it runs when set. */
  rootCA?: string;
}

export const ALL_CONTROLLERS = ['nodeipam', 'endpoints', 'endpointslice', 'scheduler', 'replicaset', 'deployment', 'gc', 'serviceaccount', 'root-ca-cert-publisher', 'disruption', 'nodelifecycle', 'daemonset', 'statefulset', 'job'] as const;


export interface ControllerManager { done: Promise<void>; nodeIpam?: NodeIpamController; scheduler?: Scheduler }

export async function startControllerManager(client: KubeClient, opts: ControllerOptions, signal: AbortSignal): Promise<ControllerManager> {
  const log = opts.log ?? createLogger('controller-manager');
  const want = new Set(opts.controllers ?? ALL_CONTROLLERS);
  for (const c of want) if (!(ALL_CONTROLLERS as readonly string[]).includes(c)) throw new Error(`unknown controller "${c}" (known: ${ALL_CONTROLLERS.join(', ')})`);
  const informers = new InformerFactory(client, log);
  // each controller reports under upstream's component name (kubectl describe: "From")
  const recorder = (component: string): EventRecorder => new EventRecorder(client, component, log);
  const events = recorder('node-controller');
  const schedEvents = recorder('default-scheduler');
  const runners: { name: string; run(signal: AbortSignal): Promise<void> }[] = [];
  const m: ControllerManager = { done: Promise.resolve() };
  if (want.has('nodeipam')) { m.nodeIpam = new NodeIpamController(client, informers, { clusterCidr: opts.clusterCidr, nodeCidrMaskSize: opts.nodeCidrMaskSize, log: log.child({ controller: 'nodeipam' }), events }); runners.push({ name: 'nodeipam', run: (s) => m.nodeIpam!.run(s) }); }
  if (want.has('endpoints')) { const c = new EndpointsController(client, informers, log.child({ controller: 'endpoints' })); runners.push({ name: 'endpoints', run: (s) => c.run(s) }); }
  if (want.has('endpointslice')) { const c = new EndpointSliceController(client, informers, log.child({ controller: 'endpointslice' })); runners.push({ name: 'endpointslice', run: (s) => c.run(s) }); }
  if (want.has('scheduler')) { m.scheduler = new Scheduler(client, informers, schedEvents, log.child({ controller: 'scheduler' })); runners.push({ name: 'scheduler', run: (s) => m.scheduler!.run(s) }); }
  if (want.has('replicaset')) { const c = new ReplicaSetController(client, informers, recorder('replicaset-controller'), log.child({ controller: 'replicaset' })); runners.push({ name: 'replicaset', run: (s) => c.run(s) }); }
  if (want.has('deployment')) { const c = new DeploymentController(client, informers, recorder('deployment-controller'), log.child({ controller: 'deployment' })); runners.push({ name: 'deployment', run: (s) => c.run(s) }); }
  if (opts.loadBalancerPool) { const c = new LoadBalancerIpamController(client, informers, opts.loadBalancerPool, recorder('service-lb-controller'), log.child({ controller: 'lbipam' })); runners.push({ name: 'lbipam', run: (sig) => c.run(sig) }); }
  if (want.has('daemonset')) { const c = new DaemonSetController(client, informers, recorder('daemonset-controller'), log.child({ controller: 'daemonset' })); runners.push({ name: 'daemonset', run: (s) => c.run(s) }); }
  if (want.has('statefulset')) { const c = new StatefulSetController(client, informers, recorder('statefulset-controller'), log.child({ controller: 'statefulset' })); runners.push({ name: 'statefulset', run: (s) => c.run(s) }); }
  if (want.has('job')) { const c = new JobController(client, informers, recorder('job-controller'), log.child({ controller: 'job' })); runners.push({ name: 'job', run: (s) => c.run(s) }); }
  if (want.has('disruption')) { const c = new DisruptionController(client, informers, log.child({ controller: 'disruption' })); runners.push({ name: 'disruption', run: (s) => c.run(s) }); }
  if (want.has('nodelifecycle')) { const c = new NodeTaintController(client, informers, log.child({ controller: 'nodelifecycle' })); runners.push({ name: 'nodelifecycle', run: (s) => c.run(s) }); }
  if (want.has('serviceaccount')) { const c = new ServiceAccountsController(client, informers, log.child({ controller: 'serviceaccount' })); runners.push({ name: 'serviceaccount', run: (s) => c.run(s) }); }
  if (want.has('root-ca-cert-publisher') && opts.rootCA) { const c = new RootCACertPublisher(client, informers, opts.rootCA, log.child({ controller: 'root-ca-cert-publisher' })); runners.push({ name: 'root-ca-cert-publisher', run: (s) => c.run(s) }); }
  if (want.has('gc')) { const c = new GarbageCollector(client, informers, log.child({ controller: 'gc' })); runners.push({ name: 'gc', run: (s) => c.run(s) }); }
  await informers.start(signal);
  log.info({ controllers: runners.map((r) => r.name) }, 'caches synced, controllers running');
  m.done = Promise.all(runners.map((r) => r.run(signal).catch((e: unknown) => log.error({ err: e, controller: r.name }, 'controller stopped')))).then(() => undefined);
  return m;
}
