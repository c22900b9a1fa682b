/**
 * The Node authorizer (upstream's plugin/pkg/auth/authorizer/node, simplified): a kubelet
 * (`system:node:<name>` in group `system:nodes`) may read what its pods need (nodes, services,
 * endpoints, endpointslices, namespaces, pods; ConfigMaps, Secrets and ServiceAccounts only when
 * a pod bound to it uses them), request tokens for the service accounts of its pods, write Nodes, its pods' status, Leases and Events. Which object a write may touch is
 * NodeRestriction's job (./noderestriction.ts). Everything else: no opinion (RBAC decides).
 */
import type { NodeGraph } from './nodegraph.js';
import { NODE_PREFIX, NODES_GROUP, type Attributes, type Authorizer, type AuthzResult, type ResourceRuleInfo, type RuleResolver, type RulesResult, type UserInfo } from './types.js';

const READ = ['get', 'list', 'watch'];
const ALLOW: AuthzResult = { decision: 'allow', reason: '' };
const NO: AuthzResult = { decision: 'noOpinion', reason: '' };

/** The node name of a node credential, or undefined for any other user. */
export function nodeNameOf(u: UserInfo): string | undefined {
  if (!u.groups.includes(NODES_GROUP) || !u.name.startsWith(NODE_PREFIX)) return undefined;
  const n = u.name.slice(NODE_PREFIX.length);
  return n || undefined;
}

/** The rules the Node authorizer grants without looking at objects (system:node's rules). */
const STATIC_RULES: ResourceRuleInfo[] = [
  { verbs: READ, apiGroups: [''], resources: ['nodes', 'services', 'endpoints', 'namespaces', 'pods'], resourceNames: [] },
  { verbs: READ, apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], resourceNames: [] },
  { verbs: ['create', 'update', 'patch'], apiGroups: [''], resources: ['nodes', 'nodes/status'], resourceNames: [] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['pods/status'], resourceNames: [] },
  // create (mirror pods) and delete are narrowed by NodeRestriction, as upstream's system:node rules are
  { verbs: ['create', 'delete'], apiGroups: [''], resources: ['pods'], resourceNames: [] },
  { verbs: ['create', 'update', 'patch'], apiGroups: ['', 'events.k8s.io'], resources: ['events'], resourceNames: [] },
  { verbs: ['get', 'create', 'update', 'patch', 'delete'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [] },
];

export class NodeAuthorizer implements Authorizer, RuleResolver {
  constructor(private readonly graph: NodeGraph) {}

  authorize(a: Attributes): AuthzResult {
    const node = nodeNameOf(a.user);
    if (node === undefined || !a.resourceRequest) return NO;
    const { apiGroup: g, resource: r, subresource: s, verb: v } = a;
    if (g === '' && (r === 'configmaps' || r === 'secrets') && !s) {
      if (!READ.includes(v)) return NO;
      if (!a.name) return { decision: 'noOpinion', reason: `can only read individual ${r}` };
      if (this.graph.references(node, r, a.namespace, a.name)) return ALLOW;
      return { decision: 'noOpinion', reason: `no relationship found between node '${node}' and this object` };
    }
    if (g === '' && r === 'serviceaccounts' && (!s || s === 'token')) {
      if (s === 'token' ? v !== 'create' : v !== 'get') return NO;
      if (!a.name) return NO;
      if (this.graph.references(node, 'serviceaccounts', a.namespace, a.name)) return ALLOW;
      return { decision: 'noOpinion', reason: `no relationship found between node '${node}' and this object` };
    }
    const combined = s ? `${r}/${s}` : r;
    for (const rule of STATIC_RULES) {
      if (rule.verbs.includes(v) && rule.apiGroups.includes(g) && rule.resources.includes(combined)) return ALLOW;
    }
    return NO;
  }

  rulesFor(user: UserInfo): RulesResult {
    if (nodeNameOf(user) === undefined) return { resourceRules: [], nonResourceRules: [], incomplete: false };
    return { resourceRules: STATIC_RULES.map((r) => ({ ...r })), nonResourceRules: [], incomplete: true };
  }
}
