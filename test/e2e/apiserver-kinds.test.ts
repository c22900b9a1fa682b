// End-to-end: the per-kind semantics (tables, validation, strategic merge, OpenAPI) as the real
// kubectl sees them through the podnet API server: `kubectl explain`, `get -o wide` columns,
// `apply --validate=strict`, repeated/changed `apply`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServerHandle } from '../support/apiserver.js';

/** Run kubectl; resolve with stdout+stderr and whether it succeeded. */
async function run(api: ApiServerHandle, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await api.kubectlRaw(args);
  return { ok: r.code === 0, out: `${r.stdout}${r.stderr}` };
}

const headerOf = (out: string): string[] => (out.split('\n')[0] ?? '').trim().split(/\s{2,}/);

test('kinds through kubectl: explain, get -o wide columns, strict apply, strategic merge', async (t) => {
  const api = await startApiServer();
  const dir = await mkdtemp(join(tmpdir(), 'pn-tkinds-'));
  const ns = `pn-tkinds-${Math.random().toString(36).slice(2, 6)}`;
  const manifest = (image: string, targetPort: number, extra = '', port = 23306): string => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: mysql-demo, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: mysql-demo}}
  template:
    metadata: {labels: {app: mysql-demo}}
    spec:
      containers:
      - name: mysql
        image: ${image}
        ports: [{containerPort: 3306}]
---
apiVersion: v1
kind: Service
metadata: {name: mysql-demo, namespace: ${ns}}
spec:
  type: NodePort
  selector: {app: mysql-demo}
  ports: [{port: ${port}, targetPort: ${targetPort}, nodePort: 30016}]${extra}
`;
  const file = async (name: string, body: string): Promise<string> => {
    const p = join(dir, name);
    await writeFile(p, body);
    return p;
  };
  try {
    await t.test('kubectl explain reads our OpenAPI v3', async () => {
      const c = await run(api, ['explain', 'pod.spec.containers']);
      assert.ok(c.ok, c.out);
      assert.match(c.out, /KIND:\s+Pod/);
      assert.match(c.out, /FIELD:\s+containers <\[\]Container>/);
      assert.match(c.out, /imagePullPolicy\s+<string>/);
      assert.match(c.out, /ports\s+<\[\]ContainerPort>/);
      const s = await run(api, ['explain', 'svc.spec.ports']);
      assert.ok(s.ok, s.out);
      assert.match(s.out, /port\s+<integer> -required-/);
      assert.match(s.out, /nodePort\s+<integer>/);
      const d = await run(api, ['explain', 'deployments.spec.strategy']);
      assert.ok(d.ok, d.out);
      assert.match(d.out, /rollingUpdate\s+<RollingUpdateDeployment>/);
      // upstream's pinned spec: deep fields, upstream's descriptions
      const add = await run(api, ['explain', 'pod.spec.containers.securityContext.capabilities.add']);
      assert.ok(add.ok, add.out);
      assert.match(add.out, /FIELD: add <\[\]string>[\s\S]*DESCRIPTION:\n\s+Added capabilities/);
      const surge = await run(api, ['explain', 'deployment.spec.strategy.rollingUpdate.maxSurge']);
      assert.match(surge.out, /FIELD: maxSurge <IntOrString>[\s\S]*The maximum number of pods that can be scheduled above the desired number of\s+pods/);
      const except = await run(api, ['explain', 'networkpolicy.spec.ingress.from.ipBlock.except']);
      assert.match(except.out, /FIELD: except <\[\]string>[\s\S]*except is a slice of CIDRs that should not be included within an IPBlock/);
    });

    await t.test('apply --validate=strict creates; get -o wide prints upstream columns', async () => {
      const a = await run(api, ['apply', '--validate=strict', '-f', await file('m1.yaml', manifest('mysql:8.0', 3306))]);
      assert.ok(a.ok, a.out);
      assert.match(a.out, new RegExp(`namespace/${ns} (created|unchanged)`));
      assert.match(a.out, /deployment.apps\/mysql-demo created/);
      assert.match(a.out, /service\/mysql-demo created/);
      const svc = await run(api, ['get', 'svc', 'mysql-demo', '-n', ns, '-o', 'wide']);
      assert.ok(svc.ok, svc.out);
      assert.deepEqual(headerOf(svc.out), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
      assert.match(svc.out, /mysql-demo\s+NodePort\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+23306:30016\/TCP\s+\d+s\s+app=mysql-demo/);
      const dep = await run(api, ['get', 'deploy', '-n', ns, '-o', 'wide']);
      assert.deepEqual(headerOf(dep.out), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
      assert.match(dep.out, /mysql-demo\s+\d\/2\s+\d+\s+\d+\s+\S+\s+mysql\s+mysql:8.0\s+app=mysql-demo/);
      const pods = await run(api, ['get', 'pods', '-n', ns, '-o', 'wide']);
      assert.ok(pods.ok, pods.out);
      if (!/No resources found/.test(pods.out)) {
        assert.deepEqual(headerOf(pods.out), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
      }
      const nsOut = await run(api, ['get', 'ns', ns]);
      assert.deepEqual(headerOf(nsOut.out), ['NAME', 'STATUS', 'AGE']);
      assert.match(nsOut.out, new RegExp(`${ns}\\s+Active`));
      const ep = await run(api, ['get', 'endpoints', '-n', ns]);
      if (!/No resources found/.test(ep.out)) assert.deepEqual(headerOf(ep.out), ['NAME', 'ENDPOINTS', 'AGE']);
    });

    await t.test('strict validation reaches every field of the pinned schema', async () => {
      const bad = manifest('mysql:8.0', 3306).replace('image: mysql:8.0', 'image: mysql:8.0\n        securityContext: {capabilities: {add: [NET_ADMIN], addd: [x]}}');
      assert.notEqual(bad, manifest('mysql:8.0', 3306), 'the typo went in');
      const r = await run(api, ['apply', '--validate=strict', '--dry-run=server', '-f', await file('bad.yaml', bad)]);
      assert.ok(!r.ok);
      assert.match(r.out, /strict decoding error: unknown field "spec\.template\.spec\.containers\[0\]\.securityContext\.capabilities\.addd"/);
    });

    await t.test('same manifest twice is a no-op; a changed field applies as a strategic merge', async () => {
      const again = await run(api, ['apply', '-f', join(dir, 'm1.yaml')]);
      assert.ok(again.ok, again.out);
      assert.match(again.out, /deployment.apps\/mysql-demo unchanged/);
      assert.match(again.out, /service\/mysql-demo unchanged/);
      const changed = await run(api, ['apply', '--validate=strict', '-f', await file('m2.yaml', manifest('mysql:8.4', 3307))]);
      assert.ok(changed.ok, changed.out);
      assert.match(changed.out, /deployment.apps\/mysql-demo configured/);
      const img = await run(api, ['get', 'deploy', 'mysql-demo', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[*].image} {.spec.template.spec.containers[0].ports[0].containerPort} {.spec.strategy.type}']);
      assert.equal(img.out.trim(), 'mysql:8.4 3306 RollingUpdate');
      const tp = await run(api, ['get', 'svc', 'mysql-demo', '-n', ns, '-o', 'jsonpath={.spec.ports[0].targetPort} {.spec.ports[0].nodePort} {.spec.sessionAffinity}']);
      assert.equal(tp.out.trim(), '3307 30016 None');
    });

    await t.test('strict validation refuses unknown fields; invalid values name the field; nothing stored', async () => {
      const unknown = await run(api, ['apply', '--validate=strict', '-f', await file('m3.yaml', manifest('mysql:8.4', 3307, '\n  bogusField: 1'))]);
      assert.ok(!unknown.ok, unknown.out);
      assert.match(unknown.out, /unknown field "spec.bogusField"/);
      const bad = await run(api, ['apply', '-f', await file('m4.yaml', manifest('mysql:8.4', 3307, '', 70000))]);
      assert.ok(!bad.ok, bad.out);
      assert.match(bad.out, /spec.ports\[0\].port: Invalid value: 70000: must be between 1 and 65535, inclusive/);
      const badName = await run(api, ['create', '-f', await file('m5.yaml', `apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name, namespace: ${ns}}\nspec:\n  ports: [{port: 80}]\n`)]);
      assert.ok(!badName.ok, badName.out);
      assert.match(badName.out, /metadata.name: Invalid value: "Bad_Name"/);
      const still = await run(api, ['get', 'svc', 'mysql-demo', '-n', ns, '-o', 'jsonpath={.spec.ports[0].port}']);
      assert.equal(still.out.trim(), '23306');
    });
  } finally {
    await run(api, ['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
