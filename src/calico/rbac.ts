/**
 * What calico-node and the calico CNI plugin may do (calico's own manifest grants its
 * ServiceAccount the same): everything on crd.projectcalico.org. Podnet's agents use node
 * credentials, so the binding is to the group system:nodes.
 */
import type { KObject } from '../meta/types.js';

export const CALICO_NODE_ROLE = 'calico-node';

export function calicoRbacObjects(): KObject[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: CALICO_NODE_ROLE },
      rules: [{ apiGroups: ['crd.projectcalico.org'], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: CALICO_NODE_ROLE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CALICO_NODE_ROLE },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:nodes' }],
    },
  ];
}
