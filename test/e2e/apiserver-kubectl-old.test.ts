/**
 * kubectl 1.27 … 1.33 (the versioned binaries the kubectl package ships) against a real API server:
 * apply (create, then re-apply a change = strategic merge), diff, explain and edit. 1.27/1.28 read
 * OpenAPI v2 in gnostic's protobuf form for these; newer ones read v3 JSON. Any error fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { rawGet, startApiServer, type ApiServerHandle, type KubectlResult } from '../support/apiserver.js';
import { openapiV2ProtoPath } from '../../src/api/openapi/protobuf.js';

const BIN = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = [27, 28, 29, 30, 31, 32, 33];
const PB_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** Runs one versioned kubectl with its own HTTP cache dir (so a cached answer of another run cannot hide a fault). */
function kubectlOf(api: ApiServerHandle, minor: number, work: string) {
  return (args: string[], env: Record<string, string> = {}): Promise<KubectlResult> => new Promise((resolve) => {
    const argv = ['--cache-dir', join(work, `cache-1.${minor}`), ...args];
    execFile(join(BIN, `kubectl.1.${minor}`), argv, { env: { ...process.env, KUBECONFIG: api.kubeconfigPath, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });
}

function ok(what: string, r: KubectlResult, codes = [0]): KubectlResult {
  assert.ok(codes.includes(r.code), `${what}: exit ${r.code}\n${r.stderr}${r.stdout}`);
  assert.doesNotMatch(r.stderr, /error|proto:|invalid wire-format/i, `${what}: stderr\n${r.stderr}`);
  return r;
}

const manifest = (ns: string, image: string, replicas: number): string => `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}, labels: {app: web}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 80}]
`;


test('kubectl 1.27 … 1.33: apply (create + strategic merge), diff, explain, edit', async () => {
  const work = mkdtempSync(join(tmpdir(), 'pn-kold-'));
  let api: ApiServerHandle | undefined;
  try {
    api = await startApiServer({ controllers: '' });

    // the wire formats themselves: protobuf as kubectl 1.27/1.28 ask, 406 Status for what cannot be served
    const pb = await rawGet(api, '/openapi/v2', PB_ACCEPT);
    assert.equal(pb.status, 200);
    assert.equal(pb.type, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const Document = new protobuf.Root().loadSync(openapiV2ProtoPath(), { keepCase: true }).lookupType('openapi.v2.Document');
    const doc = Document.toObject(Document.decode(pb.body)) as { swagger: string; paths: { path: { name: string }[] } };
    assert.equal(doc.swagger, '2.0');
    assert.ok(doc.paths.path.some((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}'));
    const refused = await rawGet(api, '/openapi/v2', 'application/yaml');
    assert.equal(refused.status, 406);
    assert.equal((JSON.parse(refused.body.toString()) as { reason: string }).reason, 'NotAcceptable');

    const editor = join(work, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i \'s#image: nginx:1.26#image: nginx:edited#\' "$1"\n');
    chmodSync(editor, 0o755);

    for (const v of VERSIONS) {
      const k = kubectlOf(api, v, work);
      const ns = `old-1-${v}`;
      const file = join(work, `${ns}.yaml`);
      const at = (s: string): string => `kubectl 1.${v} ${s}`;

      writeFileSync(file, manifest(ns, 'nginx:1.25', 1));
      assert.match(ok(at('apply (create)'), await k(['apply', '-f', file])).stdout, /deployment.apps\/web created/);

      // a second container added out of band: a strategic merge keeps it, a JSON merge would drop it
      ok(at('patch'), await k(['-n', ns, 'patch', 'deployment/web', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']));

      writeFileSync(file, manifest(ns, 'nginx:1.26', 2));
      const diff = ok(at('diff'), await k(['diff', '-f', file]), [1]);
      assert.match(diff.stdout, /^\+\s+replicas: 2$/m, at('diff shows the pending change'));
      assert.match(diff.stdout, /^\+\s+- image: nginx:1.26$|^\+\s+image: nginx:1.26$/m);

      assert.match(ok(at('apply (change)'), await k(['apply', '-f', file])).stdout, /deployment.apps\/web configured/);
      const live = JSON.parse(ok(at('get'), await k(['-n', ns, 'get', 'deployment/web', '-o', 'json'])).stdout) as { spec: { replicas: number; template: { spec: { containers: { name: string; image: string }[] } } } };
      assert.equal(live.spec.replicas, 2);
      assert.deepEqual(live.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`).sort(), ['sidecar=busybox', 'web=nginx:1.26']);
      ok(at('diff (in sync)'), await k(['diff', '-f', file]), [0]);

      const explain = ok(at('explain'), await k(['explain', 'pods.spec.containers'])).stdout;
      assert.match(explain, /containers\s+<\[\]Container>/);
      assert.match(explain, /^\s+image\s+<string>/m);
      assert.match(explain, /^\s+ports\s+<\[\]ContainerPort>/m);

      ok(at('edit'), await k(['-n', ns, 'edit', 'deployment/web'], { KUBE_EDITOR: editor, EDITOR: editor }));
      const edited = JSON.parse((await k(['-n', ns, 'get', 'deployment/web', '-o', 'json'])).stdout) as typeof live;
      assert.equal(edited.spec.template.spec.containers.find((c) => c.name === 'web')!.image, 'nginx:edited', at('edit took effect'));
    }
  } finally {
    await api?.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
