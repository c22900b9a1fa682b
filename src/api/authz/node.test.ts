import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../kinds/types.js';
import { NodeAuthorizer } from './node.js';
import { NodeGraph } from './nodegraph.js';
import { nodeRestriction } from './noderestriction.js';
import { impersonate } from './impersonation.js';
import { requestInfo } from './requestinfo.js';
import type { Attributes, Authorizer, UserInfo } from './types.js';

const n1: UserInfo = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const at = (u: UserInfo, m: string, url: string): Attributes => ({ user: u, ...requestInfo(m, url) });

const pod = (name: string, node: string, spec: Record<string, unknown>): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, containers: [], ...spec } }) as KObject;

test('Node authorizer: reads, writes and the configmaps/secrets of its own pods only', () => {
  const g = new NodeGraph();
  g.upsert(pod('a', 'n1', { volumes: [{ name: 'v', configMap: { name: 'cm-a' } }], containers: [{ name: 'c', envFrom: [{ secretRef: { name: 's-a' } }] }] }));
  g.upsert(pod('b', 'n2', { volumes: [{ name: 'v', configMap: { name: 'cm-b' } }] }));
  const z = new NodeAuthorizer(g);
  const d = (m: string, url: string, u = n1): string => z.authorize(at(u, m, url)).decision;
  assert.equal(d('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&watch=true'), 'allow');
  assert.equal(d('GET', '/api/v1/services'), 'allow');
  assert.equal(d('GET', '/apis/discovery.k8s.io/v1/endpointslices'), 'allow');
  assert.equal(d('GET', '/api/v1/namespaces/default/configmaps/cm-a'), 'allow');
  assert.equal(d('GET', '/api/v1/namespaces/default/secrets/s-a'), 'allow');
  assert.equal(d('GET', '/api/v1/namespaces/default/configmaps/cm-b'), 'noOpinion');
  assert.match(z.authorize(at(n1, 'GET', '/api/v1/namespaces/default/configmaps/cm-b')).reason, /no relationship found between node 'n1' and this object/);
  assert.equal(d('GET', '/api/v1/namespaces/default/configmaps'), 'noOpinion');
  assert.equal(d('PATCH', '/api/v1/nodes/n1/status'), 'allow');
  assert.equal(d('PATCH', '/api/v1/namespaces/default/pods/a/status'), 'allow');
  assert.equal(d('POST', '/api/v1/namespaces/default/events'), 'allow');
  assert.equal(d('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1'), 'allow');
  assert.equal(d('POST', '/api/v1/namespaces/default/services'), 'noOpinion');
  assert.equal(d('POST', '/api/v1/namespaces/default/pods'), 'allow', 'NodeRestriction refuses non-mirror pods');
  assert.equal(d('GET', '/api/v1/namespaces/default/configmaps/cm-a', { name: 'system:node:n1', groups: [] }), 'noOpinion', 'the group is required');
  g.remove(pod('a', 'n1', {}));
  assert.equal(d('GET', '/api/v1/namespaces/default/configmaps/cm-a'), 'noOpinion', 'gone with the pod');
});

test('NodeRestriction: own Node and Lease, own pods, no pod creation', async () => {
  const podNode = async (_ns: string, name: string): Promise<string | undefined> => ({ a: 'n1', b: 'n2' } as Record<string, string>)[name];
  const msg = async (m: string, url: string, obj?: KObject): Promise<string | undefined> => (await nodeRestriction(at(n1, m, url), obj, podNode))?.message;
  assert.equal(await msg('PATCH', '/api/v1/nodes/n1/status'), undefined);
  assert.equal(await msg('PATCH', '/api/v1/nodes/n2'), 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
  assert.equal(await msg('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } }), 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
  assert.equal(await msg('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }), undefined);
  assert.match(await msg('POST', '/api/v1/namespaces/default/pods', pod('x', 'n1', {})) ?? '', /^pods "x" is forbidden: pod does not have "kubernetes.io\/config.mirror" annotation, node "n1" can only create mirror pods$/);
  assert.equal(await msg('PATCH', '/api/v1/namespaces/default/pods/a/status'), undefined);
  assert.equal(await msg('PATCH', '/api/v1/namespaces/default/pods/b/status'), 'pods "b" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
  assert.equal(await msg('DELETE', '/api/v1/namespaces/default/pods/b'), 'pods "b" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
  assert.equal(await msg('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2'), 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
  assert.equal(await msg('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1'), undefined);
});

test('impersonation: needs the impersonate verb per user and group; adds system:authenticated', () => {
  const allowAdmin: Authorizer = { authorize: (a) => ({ decision: a.user.name === 'admin' ? 'allow' : 'noOpinion', reason: '' }) };
  const admin = { name: 'admin', groups: ['system:masters'] };
  assert.deepEqual(impersonate(admin, { 'impersonate-user': 'alice' }, allowAdmin), { name: 'alice', groups: ['system:authenticated'] });
  assert.deepEqual(impersonate(admin, { 'impersonate-user': 'alice', 'impersonate-group': ['devs', 'ops'] }, allowAdmin), { name: 'alice', groups: ['devs', 'ops', 'system:authenticated'] });
  assert.deepEqual(impersonate(admin, { 'impersonate-user': 'system:serviceaccount:ns1:bot' }, allowAdmin).groups, ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated']);
  assert.equal(impersonate(admin, {}, allowAdmin), admin);
  assert.throws(() => impersonate({ name: 'alice', groups: [] }, { 'impersonate-user': 'admin' }, allowAdmin),
    (e: Error) => e.message === 'users "admin" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
  assert.throws(() => impersonate(admin, { 'impersonate-group': 'devs' }, allowAdmin), /without impersonating a user/);
});

test('Node authorizer + NodeRestriction: service accounts and tokens only for its own pods', async () => {
  const g = new NodeGraph();
  g.upsert(pod('a', 'n1', { serviceAccountName: 'bot' }));
  g.upsert(pod('b', 'n2', { serviceAccountName: 'other' }));
  const z = new NodeAuthorizer(g);
  const d = (m: string, url: string): string => z.authorize(at(n1, m, url)).decision;
  assert.equal(d('GET', '/api/v1/namespaces/default/serviceaccounts/bot'), 'allow');
  assert.equal(d('POST', '/api/v1/namespaces/default/serviceaccounts/bot/token'), 'allow');
  assert.equal(d('GET', '/api/v1/namespaces/default/serviceaccounts/other'), 'noOpinion');
  assert.equal(d('POST', '/api/v1/namespaces/default/serviceaccounts/other/token'), 'noOpinion');
  assert.equal(d('DELETE', '/api/v1/namespaces/default/serviceaccounts/bot'), 'noOpinion');
  const pods: Record<string, { nodeName: string; uid: string }> = { a: { nodeName: 'n1', uid: 'ua' }, b: { nodeName: 'n2', uid: 'ub' } };
  const podOf = async (_ns: string, name: string): Promise<{ nodeName: string; uid: string } | undefined> => pods[name];
  const tr = (ref?: Record<string, string>): KObject => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { ...(ref ? { boundObjectRef: ref } : {}) } });
  const msg = async (obj: KObject): Promise<string | undefined> =>
    (await nodeRestriction(at(n1, 'POST', '/api/v1/namespaces/default/serviceaccounts/bot/token'), obj, async (ns, n) => (await podOf(ns, n))?.nodeName, podOf))?.message;
  assert.equal(await msg(tr({ kind: 'Pod', apiVersion: 'v1', name: 'a', uid: 'ua' })), undefined);
  assert.match(await msg(tr()) ?? '', /node requested token not bound to a pod/);
  assert.match(await msg(tr({ kind: 'Pod', apiVersion: 'v1', name: 'b' })) ?? '', /bound to a pod scheduled on a different node/);
  assert.match(await msg(tr({ kind: 'Pod', apiVersion: 'v1', name: 'a', uid: 'zz' })) ?? '', /does not match the UID in record/);
});
