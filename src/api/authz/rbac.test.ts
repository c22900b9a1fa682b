import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRule } from '../kinds/rbac.js';
import { forbidden } from './forbidden.js';
import { effectiveClusterRoleRules } from './policycache.js';
import { PrivilegedGroupAuthorizer, RbacAuthorizer, UnionAuthorizer, type BindingView, type PolicySource } from './rbac.js';
import { requestInfo } from './requestinfo.js';
import { ruleAllows } from './rules.js';
import type { Attributes, UserInfo } from './types.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap.js';
import { bindingOf } from './policycache.js';

const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
const at = (user: UserInfo, method: string, url: string): Attributes => ({ user, ...requestInfo(method, url) });
const attr = (o: Partial<Attributes>): Attributes => ({
  user: alice, verb: 'get', resourceRequest: true, path: '', namespace: '', apiGroup: '', apiVersion: 'v1', resource: '', subresource: '', name: '', ...o,
});

test('ruleAllows: verbs, groups, resources, subresources, names and URLs as upstream', () => {
  const cases: [PolicyRule, Partial<Attributes>, boolean][] = [
    [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { resource: 'pods' }, true],
    [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }, { verb: 'deletecollection', resource: 'pods' }, true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verb: 'list', resource: 'pods' }, false],
    [{ verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, { resource: 'pods' }, false],
    [{ verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] }, { apiGroup: 'apps', resource: 'deployments' }, true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { resource: 'pods', subresource: 'log' }, false],
    [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { resource: 'pods', subresource: 'log' }, true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { resource: 'pods' }, false],
    [{ verbs: ['get'], apiGroups: [''], resources: ['*'] }, { resource: 'pods', subresource: 'log' }, true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['*/log'] }, { resource: 'pods', subresource: 'log' }, true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['*/log'] }, { resource: 'pods' }, false],
    [{ verbs: ['get'], apiGroups: [''], resources: ['*/status'] }, { resource: 'pods', subresource: 'log' }, false],
    [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, { resource: 'configmaps', name: 'a' }, true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, { resource: 'configmaps', name: 'b' }, false],
    [{ verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, { verb: 'list', resource: 'configmaps' }, false],
    [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }, { resourceRequest: false, path: '/healthz' }, true],
    [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }, { resourceRequest: false, path: '/healthz/etcd' }, false],
    [{ verbs: ['get'], nonResourceURLs: ['/api*'] }, { resourceRequest: false, path: '/apis/apps/v1' }, true],
    [{ verbs: ['get'], nonResourceURLs: ['/api/*'] }, { resourceRequest: false, path: '/api' }, false],
    [{ verbs: ['get'], nonResourceURLs: ['*'] }, { resourceRequest: false, path: '/anything' }, true],
    [{ verbs: ['post'], nonResourceURLs: ['*'] }, { resourceRequest: false, path: '/anything' }, false],
    [{ verbs: ['get'], nonResourceURLs: ['*'] }, { resource: 'pods' }, false],
  ];
  for (const [r, a, want] of cases) assert.equal(ruleAllows(attr(a), r), want, JSON.stringify([r, a]));
});

function policy(o: { crbs?: BindingView[]; rbs?: BindingView[]; clusterRoles?: Record<string, PolicyRule[]>; roles?: Record<string, PolicyRule[]> }): PolicySource {
  return {
    clusterRoleBindings: () => o.crbs ?? [],
    roleBindings: (ns) => (o.rbs ?? []).filter((b) => b.namespace === ns),
    clusterRoleRules: (n) => o.clusterRoles?.[n],
    roleRules: (ns, n) => o.roles?.[`${ns}/${n}`],
  };
}
const VIEW_PODS: PolicyRule[] = [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] }];

test('RBAC: a RoleBinding to a ClusterRole grants inside its namespace only', () => {
  const z = new RbacAuthorizer(policy({
    clusterRoles: { view: VIEW_PODS },
    rbs: [{ name: 'alice-view', namespace: 'team', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }] }],
  }));
  assert.equal(z.authorize(at(alice, 'GET', '/api/v1/namespaces/team/pods')).decision, 'allow');
  assert.match(z.authorize(at(alice, 'GET', '/api/v1/namespaces/team/pods/p/log')).reason, /RBAC: allowed by RoleBinding "alice-view\/team" of ClusterRole "view" to User "alice"/);
  assert.equal(z.authorize(at(alice, 'POST', '/api/v1/namespaces/team/pods')).decision, 'noOpinion');
  assert.equal(z.authorize(at(alice, 'GET', '/api/v1/namespaces/other/pods')).decision, 'noOpinion');
  assert.equal(z.authorize(at(alice, 'GET', '/api/v1/pods')).decision, 'noOpinion', 'all namespaces needs a cluster-wide grant');
  assert.equal(z.authorize(at({ name: 'bob', groups: [] }, 'GET', '/api/v1/namespaces/team/pods')).decision, 'noOpinion');
});

test('RBAC: Roles, groups, service accounts (namespace defaulted from the RoleBinding), missing roles', () => {
  const z = new RbacAuthorizer(policy({
    roles: { 'team/cm': [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] }] },
    rbs: [
      { name: 'b1', namespace: 'team', roleRef: { apiGroup: '', kind: 'Role', name: 'cm' }, subjects: [{ kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'bot' }] },
      { name: 'b2', namespace: 'team', roleRef: { apiGroup: '', kind: 'Role', name: 'missing' }, subjects: [{ kind: 'User', name: 'alice' }] },
    ],
  }));
  const dev = { name: 'carol', groups: ['devs'] };
  const bot = { name: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts'] };
  const otherBot = { name: 'system:serviceaccount:other:bot', groups: ['system:serviceaccounts'] };
  assert.equal(z.authorize(at(dev, 'GET', '/api/v1/namespaces/team/configmaps/settings')).decision, 'allow');
  assert.equal(z.authorize(at(dev, 'GET', '/api/v1/namespaces/team/configmaps/other')).decision, 'noOpinion');
  assert.equal(z.authorize(at(bot, 'GET', '/api/v1/namespaces/team/configmaps/settings')).decision, 'allow');
  assert.equal(z.authorize(at(otherBot, 'GET', '/api/v1/namespaces/team/configmaps/settings')).decision, 'noOpinion');
  const rules = z.rulesFor(alice, 'team');
  assert.equal(rules.incomplete, true);
  assert.match(rules.evaluationError ?? '', /role.rbac.authorization.k8s.io "missing" not found/);
});

test('bootstrap policy: masters, discovery, basic-user, view/edit/admin aggregation, DNS', () => {
  const roles = effectiveClusterRoleRules(bootstrapClusterRoles());
  const src: PolicySource = {
    clusterRoleBindings: () => bootstrapClusterRoleBindings().map(bindingOf),
    roleBindings: (ns) => (ns === 'team' ? [{ name: 'v', namespace: 'team', roleRef: { apiGroup: '', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }] }] : []),
    clusterRoleRules: (n) => roles.get(n),
    roleRules: () => undefined,
  };
  const z = new UnionAuthorizer([new PrivilegedGroupAuthorizer(['system:masters']), new RbacAuthorizer(src)]);
  const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
  const dns = { name: 'system:serviceaccount:kube-system:podnet-dns', groups: ['system:serviceaccounts', 'system:authenticated'] };
  const ok = (u: UserInfo, m: string, url: string): boolean => z.authorize(at(u, m, url)).decision === 'allow';
  assert.ok(ok(admin, 'DELETE', '/api/v1/nodes/n1'));
  assert.ok(ok(alice, 'GET', '/apis'));
  assert.ok(ok(alice, 'GET', '/openapi/v3/apis/apps/v1'));
  assert.ok(ok(alice, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'));
  assert.ok(ok(alice, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews'));
  assert.ok(!ok(alice, 'GET', '/metrics'));
  assert.ok(ok(alice, 'GET', '/api/v1/namespaces/team/pods/p/log'));
  assert.ok(ok(alice, 'GET', '/apis/apps/v1/namespaces/team/deployments'));
  assert.ok(!ok(alice, 'GET', '/api/v1/namespaces/team/secrets'), 'view does not read secrets');
  assert.ok(!ok(alice, 'DELETE', '/api/v1/namespaces/team/pods/p'));
  for (const p of ['/api/v1/services', '/api/v1/pods', '/api/v1/namespaces', '/apis/discovery.k8s.io/v1/endpointslices']) assert.ok(ok(dns, 'GET', `${p}?watch=true`), p);
  assert.ok(!ok(dns, 'GET', '/api/v1/configmaps'));
  assert.ok(!ok(dns, 'POST', '/api/v1/namespaces/default/services'));
  const editRules = roles.get('edit')!;
  const adminRules = roles.get('admin')!;
  assert.ok(editRules.some((r) => r.resources?.includes('secrets') && r.verbs.includes('create')));
  assert.ok(adminRules.some((r) => r.resources?.includes('rolebindings')));
});

test('forbidden: upstream 403 Status wording', () => {
  const ns = forbidden(at(alice, 'GET', '/api/v1/namespaces/default/pods'), '').body();
  assert.deepEqual(ns, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden', details: { kind: 'pods' },
    message: 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"',
  });
  assert.equal(forbidden(at(alice, 'PATCH', '/api/v1/nodes/n2/status'), '').message,
    'nodes "n2" is forbidden: User "alice" cannot patch resource "nodes/status" in API group "" at the cluster scope');
  const d = forbidden(at(alice, 'GET', '/apis/apps/v1/namespaces/x/deployments/d'), 'some reason').body();
  assert.equal(d.message, 'deployments.apps "d" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "x": some reason');
  assert.deepEqual(d.details, { name: 'd', group: 'apps', kind: 'deployments' });
  assert.equal(forbidden(at(alice, 'GET', '/metrics'), '').message, 'forbidden: User "alice" cannot get path "/metrics"');
});
