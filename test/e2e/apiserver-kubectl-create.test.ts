/**
 * kubectl's imperative commands (`create namespace|deployment|configmap|service`, `expose`,
 * `scale`, `set image`) send protobuf bodies from client-go's typed clients: the API server must
 * decode them into the same objects a JSON manifest gives, and refuse bad ones with the field named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type ApiServerHandle } from '../support/apiserver.js';

test('kubectl create/expose/scale/set image (protobuf bodies) make the objects a manifest would', { timeout: 120_000 }, async () => {
  let api: ApiServerHandle | undefined;
  try {
    api = await startApiServer({ serviceCidr: '10.96.0.0/16', nodePortRange: '30000-32767' });
    const k = async (...a: string[]): Promise<string> => (await api!.kubectl(a)).stdout;
    const json = async <T>(...a: string[]): Promise<T> => JSON.parse(await k(...a, '-o', 'json')) as T;

    assert.match(await k('create', 'namespace', 'team-a'), /namespace\/team-a created/);
    assert.equal((await json<{ status: { phase: string } }>('get', 'ns', 'team-a')).status.phase, 'Active');

    assert.match(await k('-n', 'team-a', 'create', 'deployment', 'web', '--image=podnet/echo', '--replicas=2', '--port=8080'), /deployment.apps\/web created/);
    type Deploy = { spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: { name: string; image: string; ports: { containerPort: number; protocol: string }[] }[] } } } };
    let d = await json<Deploy>('-n', 'team-a', 'get', 'deploy', 'web');
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.selector.matchLabels, { app: 'web' });
    assert.deepEqual(d.spec.template.metadata.labels, { app: 'web' });
    assert.deepEqual(d.spec.template.spec.containers.map((c) => [c.name, c.image, c.ports[0]?.containerPort, c.ports[0]?.protocol]), [['echo', 'podnet/echo', 8080, 'TCP']]);

    assert.match(await k('-n', 'team-a', 'scale', 'deployment', 'web', '--replicas=0'), /scaled/);
    assert.equal((await json<Deploy>('-n', 'team-a', 'get', 'deploy', 'web')).spec.replicas, 0, 'replicas 0 survives the protobuf round trip');
    assert.match(await k('-n', 'team-a', 'set', 'image', 'deployment/web', 'echo=podnet/shell'), /image updated/);
    d = await json<Deploy>('-n', 'team-a', 'get', 'deploy', 'web');
    assert.equal(d.spec.template.spec.containers[0]!.image, 'podnet/shell');

    assert.match(await k('-n', 'team-a', 'expose', 'deployment', 'web', '--port=80', '--target-port=8080'), /service\/web exposed/);
    assert.match(await k('-n', 'team-a', 'create', 'service', 'nodeport', 'np', '--tcp=80:http', '--node-port=30080'), /service\/np created/);
    type Svc = { spec: { type: string; clusterIP: string; selector?: Record<string, string>; ports: { port: number; targetPort: number | string; nodePort?: number; protocol: string }[] } };
    const web = await json<Svc>('-n', 'team-a', 'get', 'svc', 'web');
    assert.equal(web.spec.type, 'ClusterIP');
    assert.match(web.spec.clusterIP, /^10\.96\./);
    assert.deepEqual(web.spec.selector, { app: 'web' });
    assert.deepEqual(web.spec.ports.map((p) => [p.port, p.targetPort, p.protocol]), [[80, 8080, 'TCP']]);
    const np = await json<Svc>('-n', 'team-a', 'get', 'svc', 'np');
    assert.deepEqual(np.spec.ports.map((p) => [p.port, p.targetPort, p.nodePort]), [[80, 'http', 30080]]);

    assert.match(await k('-n', 'team-a', 'create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two'), /configmap\/cfg created/);
    assert.deepEqual((await json<{ data: Record<string, string> }>('-n', 'team-a', 'get', 'cm', 'cfg')).data, { a: '1', b: 'two' });

    // refusals name the field, and nothing is stored
    const bad = await api.kubectlRaw(['create', 'namespace', 'Bad_Name']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /metadata\.name: Invalid value: "Bad_Name"/);
    const dup = await api.kubectlRaw(['-n', 'team-a', 'create', 'service', 'nodeport', 'np2', '--tcp=80:8080', '--node-port=30080']);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
    const names = (await k('get', 'ns,svc', '-A', '-o', 'name')).split('\n');
    assert.ok(!names.includes('namespace/Bad_Name') && !names.includes('service/np2'), names.join(' '));
  } finally {
    await api?.stop();
  }
});
