import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../storage/sqlite.js';
import { ApiMetrics, requestInfo } from './metrics.js';

const u = (p: string): URL => new URL(p, 'https://apiserver');

test('requestInfo: upstream verbs and scopes', () => {
  assert.deepEqual(requestInfo('GET', u('/api/v1/namespaces/default/pods')), { verb: 'LIST', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'namespace' });
  assert.equal(requestInfo('GET', u('/api/v1/pods?watch=true')).verb, 'WATCH');
  assert.equal(requestInfo('GET', u('/api/v1/pods')).scope, 'cluster');
  assert.deepEqual(requestInfo('PATCH', u('/apis/apps/v1/namespaces/a/deployments/d/scale')), { verb: 'PATCH', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale', scope: 'resource' });
  assert.equal(requestInfo('GET', u('/api/v1/namespaces/a/pods/p/exec'), true).verb, 'CONNECT');
  assert.deepEqual(requestInfo('GET', u('/version')), { verb: 'GET', group: '', version: '', resource: '', subresource: '', scope: '' });
});

test('request counter, duration histogram, etcd timings and stored objects in Prometheus text', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tmetrics-'));
  const raw = new SqliteStore(join(dir, 'store.db'), { compactIntervalMs: 0 });
  try {
    const m = new ApiMetrics(raw);
    const store = m.instrument(raw);
    await store.create('/registry/pods/default/a', new TextEncoder().encode('{}'));
    await store.create('/registry/apps/deployments/default/d', new TextEncoder().encode('{}'));
    await store.get('/registry/pods/default/a');
    m.observeRequest(requestInfo('GET', u('/api/v1/namespaces/default/pods/a')), 200, 0.01);
    m.observeRequest(requestInfo('GET', u('/api/v1/namespaces/default/pods/zz')), 404, 0.01);
    const text = await m.registry.metrics();
    assert.match(text, /apiserver_request_total\{verb="GET",group="",version="v1",resource="pods",subresource="",scope="resource",component="apiserver",code="200"\} 1/);
    assert.match(text, /apiserver_request_total\{[^}]*code="404"\} 1/);
    assert.match(text, /apiserver_request_duration_seconds_bucket\{le="0.025",verb="GET"[^}]*resource="pods"[^}]*\} 2/);
    assert.match(text, /etcd_request_duration_seconds_count\{operation="create",type="pods"\} 1/);
    assert.match(text, /etcd_request_duration_seconds_count\{operation="create",type="deployments.apps"\} 1/);
    assert.match(text, /etcd_request_duration_seconds_count\{operation="get",type="pods"\} 1/);
    assert.match(text, /apiserver_storage_objects\{resource="pods"\} 1/);
    assert.match(text, /apiserver_storage_objects\{resource="deployments.apps"\} 1/);
    assert.match(text, /apiserver_storage_objects\{resource="services"\} 0/);
  } finally {
    await raw.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
