/**
 * Kubernetes protobuf on the wire with the real kubectl and a plain HTTPS client: kubectl's typed
 * clients send protobuf and read the server's protobuf answers; `GET` of a pod and a pod list with
 * `Accept: application/vnd.kubernetes.protobuf` return bodies that protobufjs decodes with the
 * pinned upstream generated.proto (loaded here on their own, not through the server's converter);
 * a type the server cannot produce in protobuf (a Table, a watch stream, a custom resource) is 406
 * when the client accepts nothing else, and JSON when it also accepts JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { rawGet, startApiServer, type ApiServerHandle, type RawResponse } from '../support/apiserver.js';
import { CASES, requestBodies, withFlags } from '../support/record-protobuf.js';
import { kubernetesProtoDir } from '../../src/api/protobuf/schema.js';

const PB = 'application/vnd.kubernetes.protobuf';
const KUBECTL_133 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';


/** The Content-Type of the first response headers kubectl logged at -v=9 after a POST (1.32 and 1.33 log formats). */
function postResponseType(stderr: string): string | undefined {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => /"Response" verb="POST"|\] POST https:\/\/\S+ \d{3} /.test(l));
  if (at < 0) return undefined;
  for (const l of lines.slice(at, at + 15)) {
    const m = /^\s*(?:I\d{4} [^\]]*\]\s*)?Content-Type: ([\w./+-]+)/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

/** The pinned schema, loaded independently of the server's modules. */
function pinnedRoot(): protobuf.Root {
  const dir = kubernetesProtoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_o: string, target: string): string => join(dir, target);
  root.loadSync(['k8s.io/api/core/v1/generated.proto'], { keepCase: true });
  return root;
}

/** magic + runtime.Unknown → [typeMeta, raw]. */
function unwrap(root: protobuf.Root, body: Buffer): { apiVersion: string; kind: string; raw: Uint8Array } {
  assert.deepEqual([...body.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00], 'the k8s\\0 magic');
  const u = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown').decode(body.subarray(4)) as unknown as { typeMeta: { apiVersion: string; kind: string }; raw: Uint8Array };
  return { apiVersion: u.typeMeta.apiVersion, kind: u.typeMeta.kind, raw: u.raw };
}

test('protobuf responses: kubectl typed clients, GET pod and pod list decoded with the pinned proto, 406 for what cannot be protobuf', { timeout: 120_000 }, async () => {
  let api: ApiServerHandle | undefined;
  try {
    api = await startApiServer();
    const created = await api.kubectlRaw(['run', 'web', '--image=podnet/echo', '--labels=app=web', '--port=8080']);
    assert.equal(created.code, 0, created.stderr);

    // kubectl 1.33's typed client: protobuf request, protobuf answer it reads back
    const { execFile } = await import('node:child_process');
    const v9 = await new Promise<string>((resolve, reject) => execFile(KUBECTL_133, ['create', 'configmap', 'cfg', '--from-literal=a=1', '-v=9'], { env: { ...process.env, KUBECONFIG: api!.kubeconfigPath } }, (e, stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(`${stdout}\n${stderr}`))));
    assert.match(v9, /Content-Type: application\/vnd\.kubernetes\.protobuf" .*-XPOST|-XPOST .*-H "Content-Type: application\/vnd\.kubernetes\.protobuf"/, 'kubectl sent protobuf');
    assert.match(v9, /status="201 Created"/);
    assert.match(v9, /^\s+Content-Type: application\/vnd\.kubernetes\.protobuf\s*$/m, 'the server answered protobuf');
    assert.match(v9, /configmap\/cfg created/);

    const root = pinnedRoot();
    const one = await rawGet(api, '/api/v1/namespaces/default/pods/web', PB);
    assert.equal(one.status, 200, one.body.toString());
    assert.equal(one.type, PB);
    const env = unwrap(root, one.body);
    assert.deepEqual([env.apiVersion, env.kind], ['v1', 'Pod']);
    const pod = root.lookupType('k8s.io.api.core.v1.Pod').toObject(root.lookupType('k8s.io.api.core.v1.Pod').decode(env.raw), { longs: Number }) as {
      metadata: { name: string; namespace: string; labels: Record<string, string>; creationTimestamp: { seconds: number } };
      spec: { containers: { name: string; image: string; ports: { containerPort: number }[] }[] };
    };
    assert.equal(pod.metadata.name, 'web');
    assert.equal(pod.metadata.namespace, 'default');
    assert.deepEqual(pod.metadata.labels, { app: 'web' });
    assert.ok(Math.abs(pod.metadata.creationTimestamp.seconds - Date.now() / 1000) < 600, String(pod.metadata.creationTimestamp.seconds));
    assert.deepEqual(pod.spec.containers.map((c) => [c.name, c.image, c.ports[0]?.containerPort]), [['web', 'podnet/echo', 8080]]);

    const list = await rawGet(api, '/api/v1/namespaces/default/pods', `${PB}, application/json`);
    assert.equal(list.type, PB);
    const lenv = unwrap(root, list.body);
    assert.deepEqual([lenv.apiVersion, lenv.kind], ['v1', 'PodList']);
    const pl = root.lookupType('k8s.io.api.core.v1.PodList').decode(lenv.raw) as unknown as { metadata: { resourceVersion: string }; items: { metadata: { name: string } }[] };
    assert.deepEqual(pl.items.map((i) => i.metadata.name), ['web']);
    assert.match(pl.metadata.resourceVersion, /^\d+$/);

    // JSON stays the default, and for what protobuf cannot carry the answer is JSON or 406, never another type with 200
    assert.equal((await rawGet(api, '/api/v1/namespaces/default/pods/web', '*/*')).type, 'application/json');
    const table = await rawGet(api, '/api/v1/namespaces/default/pods', `${PB};as=Table;v=v1;g=meta.k8s.io`);
    assert.equal(table.status, 406, table.body.toString());
    assert.equal((JSON.parse(table.body.toString()) as { reason: string }).reason, 'NotAcceptable');
    assert.equal((await rawGet(api, '/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1', PB)).status, 406);
    const tableOrJson = await rawGet(api, '/api/v1/namespaces/default/pods', `${PB};as=Table;v=v1;g=meta.k8s.io, application/json;as=Table;v=v1;g=meta.k8s.io`);
    assert.equal(tableOrJson.status, 200);
    assert.equal((JSON.parse(tableOrJson.body.toString()) as { kind: string }).kind, 'Table');

    await api.kubectl(['apply', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.pb.example.com}
spec:
  group: pb.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`);
    const crd = await rawGet(api, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.pb.example.com', PB);
    assert.equal(crd.status, 200, crd.body.toString());
    assert.equal(crd.type, PB, 'a CustomResourceDefinition is a built-in kind');
    let crList: RawResponse | undefined;
    for (let i = 0; i < 50; i++) {
      crList = await rawGet(api, '/apis/pb.example.com/v1/namespaces/default/widgets', PB);
      if (crList.status !== 404) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(crList!.status, 406, `custom resources have no protobuf form: ${crList!.body.toString()}`);
    const crJson = await rawGet(api, '/apis/pb.example.com/v1/namespaces/default/widgets', `${PB}, application/json`);
    assert.equal(crJson.status, 200);
    assert.equal(crJson.type, 'application/json');
  } finally {
    await api?.stop();
  }
});

test('kubectl 1.32 and 1.33: every typed command of the fixture recorder sends protobuf, reads the protobuf answer and succeeds', { timeout: 180_000 }, async () => {
  const { execFile } = await import('node:child_process');
  for (const minor of [32, 33]) {
    let api: ApiServerHandle | undefined;
    try {
      api = await startApiServer({ serviceCidr: '10.96.0.0/16', nodePortRange: '30000-32767' });
      for (const [name, args] of CASES) {
        const out = await new Promise<{ code: number; stderr: string }>((resolve) => execFile(`/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`, withFlags(args, '-v=9'), { env: { ...process.env, KUBECONFIG: api!.kubeconfigPath }, maxBuffer: 64 << 20 }, (e, _o, stderr) => resolve({ code: e ? 1 : 0, stderr })));
        assert.equal(out.code, 0, `1.${minor} ${name}: ${out.stderr.split('\n').filter((l) => !/^I\d{4}|^\t/.test(l)).join('\n')}`);
        const bodies = requestBodies(out.stderr);
        assert.ok(bodies.length >= 1 && bodies[0]!.method === 'POST', `1.${minor} ${name}: no protobuf POST body`);
        assert.equal(postResponseType(out.stderr), 'application/vnd.kubernetes.protobuf', `1.${minor} ${name}: the answer`);
      }
    } finally {
      await api?.stop();
    }
  }
});
