/**
 * The bootstrap policy, named as upstream's (plugin/pkg/auth/authorizer/rbac/bootstrappolicy):
 * cluster-admin (bound to system:masters), admin/edit/view with their aggregate-to-* parts,
 * system:basic-user, system:discovery, system:public-info-viewer, and the DNS add-on's role.
 * Created at start when missing; a cluster admin's later edits are kept.
 */
import type { Logger } from 'pino';
import { clusterRoleBindingKind, clusterRoleKind, RBAC_GROUP, type PolicyRule, type Subject } from '../kinds/rbac.js';
import type { KObject } from '../kinds/types.js';
import type { Registry } from '../server/registry.js';
import { ApiStatusError } from '../server/status.js';
import { AUTHENTICATED, SYSTEM_MASTERS, UNAUTHENTICATED } from './types.js';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const AGG = (r: string): string => `rbac.authorization.k8s.io/aggregate-to-${r}`;

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

const VIEW: PolicyRule[] = [
  rule(READ, [''], ['podtemplates', 'configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];
const EDIT: PolicyRule[] = [
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
];
const ADMIN: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule([...WRITE, ...READ], [RBAC_GROUP], ['rolebindings', 'roles']),
];

/** The DNS add-on reads what CoreDNS's kubernetes plugin reads. */
export const DNS_ROLE = 'system:podnet-dns';
export const DNS_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'podnet-dns' };
/**
 * The node agent's NetworkPolicy part reads policies, pods, namespaces and nodes (as Calico's and
 * kube-router's node daemons do through their ClusterRole); bound to the nodes' group.
 */
export const NETPOL_ROLE = 'system:podnet-network-policy';

const META = (name: string, labels: Record<string, string> = {}): KObject['metadata'] => ({
  name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}, aggregateFrom?: string): KObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: META(name, labels), rules,
    ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGG(aggregateFrom)]: 'true' } }] } } : {}),
  };
}
function binding(name: string, role: string, subjects: Subject[]): KObject {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding', metadata: META(name), roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role }, subjects };
}
const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name });

export function bootstrapClusterRoles(): KObject[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('admin', [...ADMIN, ...EDIT, ...VIEW], {}, 'admin'),
    clusterRole('edit', [...EDIT, ...VIEW], { [AGG('admin')]: 'true' }, 'edit'),
    clusterRole('view', VIEW, { [AGG('admin')]: 'true', [AGG('edit')]: 'true' }, 'view'),
    clusterRole('system:aggregate-to-admin', ADMIN, { [AGG('admin')]: 'true' }),
    clusterRole('system:aggregate-to-edit', EDIT, { [AGG('edit')]: 'true' }),
    clusterRole('system:aggregate-to-view', VIEW, { [AGG('view')]: 'true' }),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    clusterRole('system:discovery', [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])]),
    clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    clusterRole(NETPOL_ROLE, [rule(READ, ['networking.k8s.io'], ['networkpolicies']), rule(READ, [''], ['pods', 'namespaces', 'nodes'])]),
    clusterRole(DNS_ROLE, [rule(READ, [''], ['endpoints', 'services', 'pods', 'namespaces']), rule(READ, ['discovery.k8s.io'], ['endpointslices'])]),
  ];
}

export function bootstrapClusterRoleBindings(): KObject[] {
  return [
    binding('cluster-admin', 'cluster-admin', [group(SYSTEM_MASTERS)]),
    binding('system:basic-user', 'system:basic-user', [group(AUTHENTICATED)]),
    binding('system:discovery', 'system:discovery', [group(AUTHENTICATED)]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [group(AUTHENTICATED), group(UNAUTHENTICATED)]),
    binding(NETPOL_ROLE, NETPOL_ROLE, [group('system:nodes')]),
    binding(DNS_ROLE, DNS_ROLE, [{ kind: 'ServiceAccount', name: DNS_SERVICE_ACCOUNT.name, namespace: DNS_SERVICE_ACCOUNT.namespace }]),
  ];
}

/** Creates every bootstrap ClusterRole and ClusterRoleBinding that does not exist yet. */
export async function ensureBootstrapPolicy(reg: Registry, log: Logger): Promise<void> {
  const pairs = [
    ...bootstrapClusterRoles().map((o) => [clusterRoleKind, o] as const),
    ...bootstrapClusterRoleBindings().map((o) => [clusterRoleBindingKind, o] as const),
  ];
  let created = 0;
  for (const [k, o] of pairs) {
    if (await reg.tryGet(k, undefined, o.metadata.name!)) continue;
    try { await reg.create(k, undefined, o); created++; } catch (e) {
      if (!(e instanceof ApiStatusError && e.httpCode === 409)) throw e;
    }
  }
  if (created) log.info({ created }, 'bootstrap RBAC policy created');
}
