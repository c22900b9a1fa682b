import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo } from './requestinfo.js';

const pick = (m: string, u: string): string => {
  const r = requestInfo(m, u);
  return r.resourceRequest ? [r.verb, r.apiGroup, r.apiVersion, r.namespace, r.resource, r.subresource, r.name].join('|') : `nonresource ${r.verb} ${r.path}`;
};

test('requestInfo: upstream RequestInfoFactory cases', () => {
  const cases: [string, string, string][] = [
    ['GET', '/api/v1/namespaces', 'list||v1||namespaces||'],
    ['GET', '/api/v1/namespaces/other', 'get||v1|other|namespaces||other'],
    ['GET', '/api/v1/namespaces/other/pods', 'list||v1|other|pods||'],
    ['GET', '/api/v1/namespaces/other/pods/foo', 'get||v1|other|pods||foo'],
    ['HEAD', '/api/v1/namespaces/other/pods/foo', 'get||v1|other|pods||foo'],
    ['GET', '/api/v1/pods', 'list||v1||pods||'],
    ['GET', '/api/v1/namespaces/other/pods/foo/log', 'get||v1|other|pods|log|foo'],
    ['GET', '/api/v1/watch/pods', 'watch||v1||pods||'],
    ['GET', '/api/v1/pods?watch=true', 'watch||v1||pods||'],
    ['GET', '/api/v1/namespaces/other/watch/pods', 'get||v1|other|watch||pods'],
    ['GET', '/api/v1/watch/namespaces/other/pods', 'watch||v1|other|pods||'],
    ['POST', '/api/v1/namespaces/other/pods', 'create||v1|other|pods||'],
    ['PUT', '/api/v1/namespaces/other/pods/foo', 'update||v1|other|pods||foo'],
    ['PATCH', '/api/v1/nodes/n1/status', 'patch||v1||nodes|status|n1'],
    ['DELETE', '/api/v1/namespaces/other/pods/foo', 'delete||v1|other|pods||foo'],
    ['DELETE', '/api/v1/namespaces/other/pods', 'deletecollection||v1|other|pods||'],
    ['PUT', '/api/v1/namespaces/other/finalize', 'update||v1|other|namespaces|finalize|other'],
    ['GET', '/api/v1/namespaces/other/status', 'get||v1|other|namespaces|status|other'],
    ['GET', '/apis/apps/v1/namespaces/other/deployments/d/scale', 'get|apps|v1|other|deployments|scale|d'],
    ['GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', 'get|coordination.k8s.io|v1|kube-node-lease|leases||n1'],
    ['GET', '/api/v1/namespaces/ns/configmaps?fieldSelector=metadata.name%3Dcm1', 'list||v1|ns|configmaps||cm1'],
    ['GET', '/api/v1/namespaces/ns/configmaps?watch=1&fieldSelector=metadata.name%3D%3Dcm1', 'watch||v1|ns|configmaps||cm1'],
    ['GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1', 'list||v1||pods||'],
  ];
  for (const [m, u, want] of cases) assert.equal(pick(m, u), want, `${m} ${u}`);
});

test('requestInfo: discovery and other paths are non-resource requests', () => {
  assert.equal(pick('GET', '/api'), 'nonresource get /api');
  assert.equal(pick('GET', '/api/v1'), 'nonresource get /api/v1');
  assert.equal(pick('GET', '/apis'), 'nonresource get /apis');
  assert.equal(pick('GET', '/apis/apps'), 'nonresource get /apis/apps');
  assert.equal(pick('GET', '/apis/apps/v1'), 'nonresource get /apis/apps/v1');
  assert.equal(pick('GET', '/healthz'), 'nonresource get /healthz');
  assert.equal(pick('POST', '/version'), 'nonresource post /version');
  assert.equal(pick('GET', '/openapi/v3/apis/apps/v1?hash=x'), 'nonresource get /openapi/v3/apis/apps/v1');
});
