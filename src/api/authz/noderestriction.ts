/**
 * NodeRestriction admission (upstream's plugin/pkg/admission/noderestriction, simplified): a node
 * may modify only its own Node and Lease, only the status of pods bound to it, delete only pods
 * bound to it, create no pods (mirror pods are not supported), and request service account tokens
 * only bound to a pod that runs on it.
 */
import type { KObject } from '../kinds/types.js';
import type { ApiStatusError } from '../server/status.js';
import { forbiddenError } from './forbidden.js';
import { nodeNameOf } from './node.js';
import type { Attributes } from './types.js';

const NODE_LEASE_NS = 'kube-node-lease';
const WRITES = new Set(['create', 'update', 'patch', 'delete']);

/** Answers a pod's spec.nodeName ('' unbound, undefined when the pod does not exist). */
export type PodNodeLookup = (namespace: string, name: string) => Promise<string | undefined>;
/** Answers a pod's spec.nodeName and uid (undefined when the pod does not exist). */
export type PodLookup = (namespace: string, name: string) => Promise<{ nodeName: string; uid: string } | undefined>;

/**
 * Undefined when the request may go on, else the 403 to answer. `obj` is the body of a create.
 */
export async function nodeRestriction(a: Attributes, obj: KObject | undefined, podNode: PodNodeLookup, podOf?: PodLookup): Promise<ApiStatusError | undefined> {
  const node = nodeNameOf(a.user);
  if (node === undefined || !a.resourceRequest || !WRITES.has(a.verb)) return undefined;
  const name = a.verb === 'create' ? (obj?.metadata?.name ?? a.name) : a.name;
  const deny = (msg: string): ApiStatusError => forbiddenError(a.apiGroup, a.resource, name, msg);
  if (a.apiGroup === '' && a.resource === 'nodes') {
    if (name !== node) return deny(`node ${JSON.stringify(node)} is not allowed to modify node ${JSON.stringify(name)}`);
    return undefined;
  }
  if (a.apiGroup === '' && a.resource === 'pods') {
    if (a.verb === 'create' && !a.subresource) {
      return deny(`pod does not have "kubernetes.io/config.mirror" annotation, node ${JSON.stringify(node)} can only create mirror pods`);
    }
    if (a.verb === 'delete' && !a.subresource) {
      const bound = await podNode(a.namespace, a.name);
      if (bound !== undefined && bound !== node) return deny(`node ${JSON.stringify(node)} can only delete pods with spec.nodeName set to itself`);
      return undefined;
    }
    if (a.subresource === 'status') {
      const bound = await podNode(a.namespace, a.name);
      if (bound !== undefined && bound !== node) return deny(`node ${JSON.stringify(node)} can only update pod status for pods with spec.nodeName set to itself`);
      return undefined;
    }
    return undefined;
  }
  if (a.apiGroup === '' && a.resource === 'serviceaccounts' && a.subresource === 'token') {
    const ref = (obj?.spec as { boundObjectRef?: { kind?: string; name?: string; uid?: string } } | undefined)?.boundObjectRef;
    if (!ref || ref.kind !== 'Pod' || !ref.name) return deny(`node requested token not bound to a pod`);
    const pod = podOf ? await podOf(a.namespace, ref.name) : undefined;
    if (!pod) return deny(`node requested token bound to a pod that does not exist`);
    if (ref.uid && ref.uid !== pod.uid) return deny(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    if (pod.nodeName !== node) return deny(`node requested token bound to a pod scheduled on a different node`);
    return undefined;
  }
  if (a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') {
    if (a.namespace !== NODE_LEASE_NS) return deny(`can only access leases in the ${JSON.stringify(NODE_LEASE_NS)} system namespace`);
    if (name !== node) return deny('can only access node lease with the same name as the requesting node');
  }
  return undefined;
}
