/**
 * Server-side apply and CustomResourceDefinitions with the real kubectl (every versioned binary
 * the machine ships, 1.27 … 1.33), against a real API server on SQLite and on etcd:
 * - `apply --server-side` twice is a no-op (same resourceVersion); a second field manager changing
 *   the same field gets upstream's conflict naming it; `--force-conflicts` takes it over;
 *   `kubectl diff` (client- and server-side) shows a pending change; `--dry-run=server` for
 *   create, replace, patch, apply and delete stores nothing;
 * - a CRD with printer columns and a structural schema: `get` prints the columns, an invalid
 *   object gets 422 naming the field, `explain` shows the schema, watch sees the events, selectors,
 *   status and scale subresources, cluster scope, apply on custom resources, and deleting the CRD
 *   deletes its objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServerHandle, type KubectlResult } from '../support/apiserver.js';
import { startEtcd, type EtcdHandle } from '../support/etcd.js';

const BIN = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = [27, 28, 29, 30, 31, 32, 33];

type Kubectl = (args: string[], input?: string) => Promise<KubectlResult>;
/** One versioned kubectl with a fresh discovery/HTTP cache dir (so new kinds are seen at once). */
function kubectlOf(api: ApiServerHandle, minor: number, cacheDir: string): Kubectl {
  return (args, input) => new Promise((resolve) => {
    const c = execFile(join(BIN, `kubectl.1.${minor}`), ['--cache-dir', cacheDir, ...args], { env: { ...process.env, KUBECONFIG: api.kubeconfigPath }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
    c.stdin?.on('error', () => undefined);
    c.stdin?.end(input ?? '');
  });
}
function ok(what: string, r: KubectlResult): KubectlResult {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stderr}${r.stdout}`);
  return r;
}

const deployment = (ns: string, replicas: number, image = 'nginx:1.25'): string => `apiVersion: apps/v1
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

async function ssaScenario(k: Kubectl, minor: number): Promise<void> {
  const ns = `ssa-${minor}`;
  const v = `kubectl 1.${minor}`;
  ok(`${v} create ns`, await k(['create', 'namespace', ns]));
  ok(`${v} apply --server-side`, await k(['apply', '--server-side', '-f', '-'], deployment(ns, 2)));
  const rv = async (): Promise<string> => ok('get rv', await k(['-n', ns, 'get', 'deploy', 'web', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
  const rv1 = await rv();
  const again = ok(`${v} apply --server-side again`, await k(['apply', '--server-side', '-f', '-'], deployment(ns, 2)));
  assert.match(again.stdout, /deployment.apps\/web serverside-applied/);
  assert.equal(await rv(), rv1, `${v}: the second identical apply changes nothing`);

  const c = await k(['apply', '--server-side', '--field-manager=other', '-f', '-'], deployment(ns, 3));
  assert.equal(c.code, 1, `${v}: conflict expected\n${c.stdout}${c.stderr}`);
  assert.match(c.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/, `${v}: ${c.stderr}`);

  const d = await k(['diff', '--server-side', '-f', '-'], deployment(ns, 2, 'nginx:1.27'));
  assert.equal(d.code, 1, `${v}: diff exits 1 when there is a change\n${d.stderr}`);
  assert.match(d.stdout, /^-\s+- image: nginx:1\.25$/m);
  assert.match(d.stdout, /^\+\s+- image: nginx:1\.27$/m);
  const dc = await k(['diff', '-f', '-'], deployment(ns, 5));
  assert.equal(dc.code, 1, `${v}: client-side diff\n${dc.stderr}`);
  assert.match(dc.stdout, /^\+\s+replicas: 5$/m);
  assert.equal(await rv(), rv1, `${v}: diff stores nothing`);

  ok(`${v} --force-conflicts`, await k(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], deployment(ns, 3)));
  const mf = JSON.parse(ok('get', await k(['-n', ns, 'get', 'deploy', 'web', '-o', 'json', '--show-managed-fields'])).stdout) as { spec: { replicas: number }; metadata: { managedFields: { manager: string; operation: string; fieldsV1: { 'f:spec'?: Record<string, unknown> } }[] } };
  assert.equal(mf.spec.replicas, 3);
  const owners = (f: string): string[] => mf.metadata.managedFields.filter((e) => e.fieldsV1['f:spec']?.[f]).map((e) => `${e.manager}/${e.operation}`);
  assert.deepEqual(owners('f:replicas'), ['other/Apply'], `${v}: other took .spec.replicas over`);
  assert.deepEqual(owners('f:template').sort(), ['kubectl/Apply', 'other/Apply']);

  // client-side apply, then --server-side: kubectl's upgrade path takes over the last-applied fields
  const cm = (val: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csa, namespace: ${ns}}\ndata: {k: ${val}}\n`;
  ok(`${v} client-side apply`, await k(['apply', '-f', '-'], cm('one')));
  ok(`${v} then server-side apply`, await k(['apply', '--server-side', '-f', '-'], cm('two')));
  assert.equal(ok('get cm', await k(['-n', ns, 'get', 'cm', 'csa', '-o', 'jsonpath={.data.k}'])).stdout, 'two');
  ok(`${v} kubectl edit-like write`, await k(['-n', ns, 'label', 'cm', 'csa', 'x=y']));
  const cmf = JSON.parse(ok('get cm', await k(['-n', ns, 'get', 'cm', 'csa', '-o', 'json', '--show-managed-fields'])).stdout) as { metadata: { managedFields: { manager: string; operation: string }[] } };
  assert.ok(cmf.metadata.managedFields.some((e) => e.manager === 'kubectl-label' && e.operation === 'Update'), `${v}: kubectl label is recorded as manager kubectl-label: ${JSON.stringify(cmf.metadata.managedFields.map((e) => e.manager))}`);

  // dry-run=server for every verb: nothing is stored
  const rv2 = await rv();
  ok(`${v} create --dry-run=server`, await k(['-n', ns, 'create', 'configmap', 'dry', '--from-literal=a=b', '--dry-run=server']));
  assert.equal((await k(['-n', ns, 'get', 'configmap', 'dry'])).code, 1, `${v}: dry-run create stored nothing`);
  ok(`${v} patch --dry-run=server`, await k(['-n', ns, 'patch', 'deploy', 'web', '-p', '{"spec":{"replicas":7}}', '--dry-run=server']));
  ok(`${v} apply --server-side --dry-run=server`, await k(['apply', '--server-side', '--field-manager=other', '--dry-run=server', '-f', '-'], deployment(ns, 9)));
  ok(`${v} scale --dry-run=server`, await k(['-n', ns, 'scale', 'deploy', 'web', '--replicas=8', '--dry-run=server']));
  ok(`${v} delete --dry-run=server`, await k(['-n', ns, 'delete', 'deploy', 'web', '--dry-run=server']));
  assert.equal(await rv(), rv2, `${v}: no dry-run write was stored`);
  const bad = await k(['-n', ns, 'patch', 'deploy', 'web', '-p', '{"spec":{"replicas":-1}}', '--dry-run=server']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /spec\.replicas: Invalid value: -1/, `${v}: dry-run validates`);
}

test('server-side apply, conflicts, --force-conflicts, diff and --dry-run=server with kubectl 1.27 … 1.33 (SQLite)', async () => {
  const work = mkdtempSync(join(tmpdir(), 'pn-ssa-'));
  const api = await startApiServer({ controllers: '' });
  try {
    for (const minor of VERSIONS) await ssaScenario(kubectlOf(api, minor, join(work, `c${minor}`)), minor);
  } finally {
    await api.stop();
    rmSync(work, { recursive: true, force: true });
  }
});

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec, description: The cron spec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Ready, type: integer, jsonPath: .status.replicas}
    schema:
      openAPIV3Schema:
        type: object
        description: CronTab runs an image on a schedule.
        properties:
          spec:
            type: object
            description: What to run and when.
            required: [cronSpec]
            properties:
              cronSpec: {type: string, pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$', description: The schedule in cron format.}
              image: {type: string, description: The image to run.}
              replicas: {type: integer, minimum: 1, maximum: 10, default: 1}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              replicas: {type: integer}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: clusterthings.ops.example.com}
spec:
  group: ops.example.com
  scope: Cluster
  names: {plural: clusterthings, singular: clusterthing, kind: ClusterThing}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: string, enum: [S, M, L]}}}
`;
const cronTab = (name: string, replicas: unknown, extra = ''): string => `apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: ${name}, namespace: default, labels: {tier: ${name === 'a' ? 'gold' : 'bronze'}}}
spec:
  cronSpec: "*/5 * * * *"
  image: cron:1
  replicas: ${String(replicas)}${extra}
`;

async function crdScenario(storage: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'pn-crd-'));
  let etcd: EtcdHandle | undefined;
  let api: ApiServerHandle | undefined;
  let watcher: ReturnType<typeof spawn> | undefined;
  try {
    if (storage === 'etcd') etcd = await startEtcd();
    api = await startApiServer({ controllers: '', storage: etcd ? `etcd:${etcd.endpoint}` : 'sqlite' });
    const k = kubectlOf(api, 33, join(work, 'c33'));
    ok('create CRDs', await k(['apply', '-f', '-'], CRD));
    const crd = JSON.parse(ok('get crd', await k(['get', 'crd', 'crontabs.stable.example.com', '-o', 'json'])).stdout) as { status: { conditions: { type: string; status: string }[]; acceptedNames: { kind: string } } };
    assert.deepEqual(crd.status.conditions.map((c) => `${c.type}=${c.status}`), ['NamesAccepted=True', 'Established=True']);
    assert.equal(crd.status.acceptedNames.kind, 'CronTab');
    const ar = ok('api-resources', await k(['api-resources', '--api-group=stable.example.com'])).stdout;
    assert.match(ar, /^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab$/m);

    // watch from the start (events of the objects to come)
    let events = '';
    watcher = spawn(join(BIN, 'kubectl.1.33'), ['--cache-dir', join(work, 'cw'), 'get', 'crontabs', '-w', '--output-watch-events', '-o', 'custom-columns=EVENT:.type,NAME:.object.metadata.name', '--no-headers'], { env: { ...process.env, KUBECONFIG: api.kubeconfigPath }, stdio: ['ignore', 'pipe', 'pipe'] });
    watcher.stdout!.on('data', (d: Buffer) => { events += d.toString(); });
    await new Promise((r) => setTimeout(r, 700));

    ok('create a', await k(['create', '-f', '-'], cronTab('a', 3)));
    const strict = await k(['apply', '--server-side', '-f', '-'], cronTab('b', 2, '\n  junk: 1'));
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /unknown field "spec\.junk"/);
    ok('apply b', await k(['apply', '--server-side', '-f', '-'], cronTab('b', 2, '\n  extra: {any: thing}')));
    const rvB = ok('rv', await k(['get', 'ct', 'b', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
    ok('apply b again', await k(['apply', '--server-side', '-f', '-'], cronTab('b', 2, '\n  extra: {any: thing}')));
    assert.equal(ok('rv', await k(['get', 'ct', 'b', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout, rvB, 'apply of a custom resource twice is a no-op');
    const conflict = await k(['apply', '--server-side', '--field-manager=ops', '-f', '-'], cronTab('b', 4));
    assert.match(conflict.stderr, /conflict with "kubectl": \.spec\.replicas/);

    const bad = await k(['create', '-f', '-'], cronTab('c', '"many"'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /The CronTab "c" is invalid: spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/, bad.stderr);
    const big = await k(['create', '-f', '-'], cronTab('c', 20));
    assert.match(big.stderr, /spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/);
    ok('create c (defaulted)', await k(['create', '-f', '-'], cronTab('c', 1).replace('  replicas: 1\n', '')));
    assert.equal(ok('get c', await k(['get', 'ct', 'c', '-o', 'jsonpath={.spec.replicas}'])).stdout, '1', 'schema default applied');

    // status and scale subresources
    ok('patch status', await k(['patch', 'ct', 'a', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":3}}']));
    ok('scale', await k(['scale', 'ct', 'a', '--replicas=5']));
    const table = ok('get crontabs', await k(['get', 'crontabs'])).stdout;
    assert.match(table, /^NAME\s+SPEC\s+REPLICAS\s+READY$/m);
    assert.match(table, /^a\s+\*\/5 \* \* \* \*\s+5\s+3$/m);
    assert.match(table, /^b\s+\*\/5 \* \* \* \*\s+2\s*$/m);
    const sel = ok('label selector', await k(['get', 'ct', '-l', 'tier=gold', '-o', 'name'])).stdout;
    assert.equal(sel.trim(), 'crontab.stable.example.com/a');
    const fsel = ok('field selector', await k(['get', 'ct', '--field-selector', 'metadata.name=c', '-o', 'name'])).stdout;
    assert.equal(fsel.trim(), 'crontab.stable.example.com/c');

    // cluster-scoped kind
    ok('cluster-scoped', await k(['create', '-f', '-'], 'apiVersion: ops.example.com/v1alpha1\nkind: ClusterThing\nmetadata: {name: big}\nspec: {size: L}\n'));
    const enumBad = await k(['create', '-f', '-'], 'apiVersion: ops.example.com/v1alpha1\nkind: ClusterThing\nmetadata: {name: odd}\nspec: {size: XL}\n');
    assert.match(enumBad.stderr, /spec\.size: Unsupported value: "XL": supported values: "L", "M", "S"/);
    assert.match(ok('get clusterthings', await k(['get', 'clusterthings'])).stdout, /^big\s+\d+s$/m);

    // explain from the schema: v3 (1.33) and v2 protobuf (1.27)
    for (const minor of [27, 33]) {
      const ex = ok(`explain 1.${minor}`, await kubectlOf(api, minor, join(work, `e${minor}`))(['explain', 'crontabs.spec'])).stdout;
      assert.match(ex, /KIND:\s+CronTab/);
      assert.match(ex, /What to run and when\./);
      assert.match(ex, /cronSpec\s+<string> -required-/);
      assert.match(ex, /The schedule in cron format\./);
    }

    // deleting the CRD deletes its objects (recreated, the kind is empty)
    ok('delete a', await k(['delete', 'ct', 'a']));
    await new Promise((r) => setTimeout(r, 300));
    ok('delete crd', await k(['delete', 'crd', 'crontabs.stable.example.com']));
    const gone = await kubectlOf(api, 33, join(work, 'c33b'))(['get', 'crontabs']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /the server doesn't have a resource type "crontabs"/);
    ok('recreate CRD', await k(['apply', '-f', '-'], CRD));
    const empty = ok('get after recreate', await kubectlOf(api, 33, join(work, 'c33c'))(['get', 'crontabs', '-A']));
    assert.match(empty.stderr, /No resources found/);
    watcher.kill('SIGTERM');
    const lines = events.trim().split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
    for (const e of ['ADDED a', 'ADDED b', 'ADDED c', 'MODIFIED a', 'DELETED a']) assert.ok(lines.includes(e), `watch saw ${e}: ${JSON.stringify(lines)}`);
  } finally {
    watcher?.kill('SIGKILL');
    await api?.stop();
    await etcd?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

test('CustomResourceDefinitions with kubectl on SQLite: columns, 422 naming the field, explain, watch, subresources, delete', () => crdScenario('sqlite'));
test('CustomResourceDefinitions with kubectl on etcd: the same scenario', () => crdScenario('etcd'));
