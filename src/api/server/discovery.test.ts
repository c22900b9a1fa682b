import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allKinds } from '../kinds/index.js';
import { aggregatedDiscovery, apiGroupList, apiResourceList } from './discovery.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only traversal of JSON documents

test('discovery lists the create-only review resources: tokenreviews, selfsubjectreviews, access reviews', () => {
  const groups = (apiGroupList(allKinds) as J).groups as J[];
  const authn = groups.find((g) => g.name === 'authentication.k8s.io');
  assert.deepEqual(authn?.versions.map((v: J) => v.version), ['v1', 'v1beta1', 'v1alpha1']);
  assert.ok(groups.some((g) => g.name === 'authorization.k8s.io'));
  const v1 = apiResourceList(allKinds, 'authentication.k8s.io', 'v1') as J;
  assert.deepEqual(v1.resources.map((r: J) => r.name).sort(), ['selfsubjectreviews', 'tokenreviews']);
  const tr = v1.resources.find((r: J) => r.name === 'tokenreviews');
  assert.deepEqual(tr, { name: 'tokenreviews', singularName: 'tokenreview', namespaced: false, kind: 'TokenReview', verbs: ['create'] });
  assert.equal(apiResourceList(allKinds, 'authentication.k8s.io', 'v2'), undefined);
  const agg = aggregatedDiscovery(allKinds, false, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList') as J;
  const aggAuthn = (agg.items as J[]).find((g) => g.metadata.name === 'authentication.k8s.io');
  const res = aggAuthn!.versions.find((v: J) => v.version === 'v1').resources.find((r: J) => r.resource === 'tokenreviews');
  assert.deepEqual(res, { resource: 'tokenreviews', responseKind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview' }, scope: 'Cluster', singularResource: 'tokenreview', verbs: ['create'] });
  // built-in kinds are listed as before
  assert.ok((apiResourceList(allKinds, 'apps', 'v1') as J).resources.some((r: J) => r.name === 'deployments/scale'));
});
