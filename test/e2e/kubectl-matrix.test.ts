/**
 * The kubectl matrix (issue 12 acceptance 0): one 2-node lab, the same list of commands run with
 * each kubectl binary the machine ships (1.27 … 1.33), the versions concurrently, each in its own
 * namespace (m127 … m133) with its own --cache-dir. Every command has an expected outcome —
 * success (with a check of its output where that says something), or a specific error for the
 * negative ones (logs --previous, a forbidden impersonated request, an SSA conflict, a dry-run
 * object that must not exist). The results table (command × version → ok / FAIL + the first
 * line of the reason) is printed as a test diagnostic; any unexpected outcome fails the test.
 * Node-wide commands (cordon/uncordon) run after, one version at a time.
 *
 * The second test runs the storage-relevant part (create/get/list/watch/apply/SSA/patch/delete/
 * cascade/CRD) again with every version against an API server on etcd (Debian's etcd, on
 * loopback), so both storage engines see the same client traffic; no lab is needed for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PODNET, must, run, until, labLeftovers, labDown, randomLabName, type Run } from '../support/lab.js';
import { freeLoopbackPorts } from '../support/ports.js';
import { startEtcd, type EtcdHandle } from '../support/etcd.js';
import { startApiServer, type ApiServerHandle } from '../support/apiserver.js';

const BIN = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = [27, 28, 29, 30, 31, 32, 33];

/** What one command must produce: an exit code, and patterns its stdout / stderr must match. */
interface Expect { code?: number; stdout?: RegExp; stderr?: RegExp }
interface Ctx {
  minor: number; ns: string; work: string; port: number; inPod: string;
  k: (args: string[], o?: { input?: string; env?: Record<string, string> }) => Promise<Run>;
  pod: string;
}
interface Step { name: string; run: (c: Ctx) => Promise<Run>; expect: (c: Ctx) => Expect }

const ok = (stdout?: RegExp): (() => Expect) => () => ({ code: 0, stdout });

const cmManifest = (ns: string, v: string): string => `apiVersion: v1
kind: ConfigMap
metadata: {name: applied, namespace: ${ns}}
data: {k: ${v}}
`;
const ssaManifest = (ns: string, v: string): string => `apiVersion: v1
kind: ConfigMap
metadata: {name: ssa, namespace: ${ns}}
data: {x: "${v}"}
`;
const crd = (minor: number): string => JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.m1${minor}.example.com` },
  spec: {
    group: `m1${minor}.example.com`, scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', description: 'How big the widget is.' } } } } } },
      additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
    }],
  },
});

function curl(port: number): Promise<string> {
  return new Promise((resolve) => execFile('curl', ['-sS', '-m', '5', `http://127.0.0.1:${port}/`], (e, stdout, stderr) => resolve(e ? `curl failed: ${stderr}` : stdout)));
}

/** kubectl port-forward svc/web in the background, a real HTTP request through it, then stop. */
async function portForward(c: Ctx, kubeconfig: string): Promise<Run> {
  const p = spawn(join(BIN, `kubectl.1.${c.minor}`), ['--cache-dir', join(c.work, `cache-${c.minor}`), '-n', c.ns, 'port-forward', 'svc/web', `${c.port}:80`], { env: { ...process.env, KUBECONFIG: kubeconfig } });
  let out = '';
  p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  p.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  try {
    await until('port-forward ready', async () => out.includes(`Forwarding from 127.0.0.1:${c.port}`) || (p.exitCode !== null && (() => { throw new Error(out); })()), 20_000)
      .catch((e: Error) => { throw new Error(`${e.message}; kubectl printed: ${out}`); });
    const body = await curl(c.port);
    return { code: body.startsWith('curl failed') ? 1 : 0, stdout: body, stderr: body.startsWith('curl failed') ? body : '' };
  } catch (e) {
    return { code: 1, stdout: '', stderr: `${(e as Error).message} ${out}` };
  } finally {
    await new Promise<void>((r) => { if (p.exitCode !== null || p.signalCode !== null) { r(); return; } p.once('exit', () => r()); p.kill('SIGTERM'); });
  }
}

/** The commands, in order; each version runs all of them in its own namespace. */
function steps(kubeconfig: string): Step[] {
  const s = (name: string, args: (c: Ctx) => string[], expect: (c: Ctx) => Expect = ok(), input?: (c: Ctx) => string): Step =>
    ({ name, run: (c) => c.k(args(c), { input: input?.(c) }), expect });
  const n = (c: Ctx): string[] => ['-n', c.ns];
  return [
    s('version --client', () => ['version', '--client', '-o', 'json'], () => ({ code: 0, stdout: /"gitVersion": "v1\.\d+/ })),
    s('api-versions', () => ['api-versions'], ok(/^rbac\.authorization\.k8s\.io\/v1$/m)),
    s('api-resources', () => ['api-resources'], ok(/^daemonsets\s+ds\s+apps\/v1\s+true\s+DaemonSet$/m)),
    s('create namespace', (c) => ['create', 'namespace', c.ns], ok(/created/)),
    s('create deployment', (c) => [...n(c), 'create', 'deployment', 'web', '--image=podnet/echo', '--port=8080'], ok(/deployment.apps\/web created/)),
    s('create configmap', (c) => [...n(c), 'create', 'configmap', 'cfg', '--from-literal=a=1'], ok(/configmap\/cfg created/)),
    s('create secret generic', (c) => [...n(c), 'create', 'secret', 'generic', 's', '--from-literal=password=hunter2'], ok(/secret\/s created/)),
    s('create service clusterip', (c) => [...n(c), 'create', 'service', 'clusterip', 'web', '--tcp=80:8080'], ok(/service\/web created/)),
    s('create serviceaccount', (c) => [...n(c), 'create', 'serviceaccount', 'bot'], ok(/serviceaccount\/bot created/)),
    s('create token', (c) => [...n(c), 'create', 'token', 'bot'], ok(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/m)),
    s('wait --for=condition=Available', (c) => [...n(c), 'wait', '--for=condition=Available', 'deployment/web', '--timeout=90s'], ok(/condition met/)),
    s('get pods -o wide', (c) => [...n(c), 'get', 'pods', '-o', 'wide'], ok(/^web-\S+\s+1\/1\s+Running\s+0\s+\S+\s+10\.\d+\.\d+\.\d+\s+node\d/m)),
    s('get deploy -o yaml', (c) => [...n(c), 'get', 'deploy', 'web', '-o', 'yaml'], ok(/^kind: Deployment$/m)),
    s('get svc -o json', (c) => [...n(c), 'get', 'svc', 'web', '-o', 'json'], ok(/"clusterIP": "10\./)),
    s('get -o jsonpath', (c) => [...n(c), 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'], ok(/^1$/)),
    s('get secret (values hidden)', (c) => [...n(c), 'get', 'secret', 's'], ok(/^s\s+Opaque\s+1\s/m)),
    s('get sa,cm', (c) => [...n(c), 'get', 'sa,cm'], ok(/serviceaccount\/default[\s\S]*configmap\/kube-root-ca\.crt/)),
    s('describe deployment', (c) => [...n(c), 'describe', 'deployment', 'web'], ok(/ScalingReplicaSet\s+\S+\s+deployment-controller/)),
    s('describe pod', (c) => [...n(c), 'describe', 'pod', '-l', 'app=web'], ok(/Started\s+\S+\s+kubelet/)),
    s('exec', (c) => [...n(c), 'exec', c.pod, '--', 'sh', '-c', 'echo hi; exit 0'], ok(/^hi\n$/)),
    { name: 'cp in + out', run: async (c) => {
      const local = join(c.work, `cp-${c.minor}.txt`);
      writeFileSync(local, `kubectl 1.${c.minor}\n`);
      const a = await c.k([...n(c), 'cp', local, `${c.pod}:${c.inPod}`]);
      if (a.code !== 0) return a;
      const back = join(c.work, `cp-back-${c.minor}.txt`);
      const b = await c.k([...n(c), 'cp', `${c.pod}:${c.inPod}`, back]);
      if (b.code !== 0) return b;
      return { ...b, stdout: readFileSync(back, 'utf8') };
    }, expect: (c) => ({ code: 0, stdout: new RegExp(`^kubectl 1\\.${c.minor}\\n$`) }) },
    { name: 'port-forward svc + curl', run: (c) => portForward(c, kubeconfig), expect: ok(/^pod=web-/) },
    s('logs', (c) => [...n(c), 'logs', c.pod], ok()),
    s('logs --previous (none)', (c) => [...n(c), 'logs', c.pod, '--previous'], (c) => ({ code: 1, stderr: new RegExp(`\\(BadRequest\\): previous terminated container "echo" in pod "${c.pod}" not found`) })),
    s('events', (c) => [...n(c), 'events'], ok(/ScalingReplicaSet/)),
    s('get events', (c) => [...n(c), 'get', 'events'], ok(/Scheduled/)),
    s('apply (create)', (c) => ['apply', '-f', '-'], ok(/configmap\/applied created/), (c) => cmManifest(c.ns, 'v1')),
    s('diff (pending change)', (c) => ['diff', '-f', '-'], () => ({ code: 1, stdout: /^\+\s+k: v2$/m }), (c) => cmManifest(c.ns, 'v2')),
    s('apply (configure)', (c) => ['apply', '-f', '-'], ok(/configmap\/applied configured/), (c) => cmManifest(c.ns, 'v2')),
    s('diff (in sync)', (c) => ['diff', '-f', '-'], ok(/^$/), (c) => cmManifest(c.ns, 'v2')),
    { name: 'edit (EDITOR=sed)', run: (c) => c.k([...n(c), 'edit', 'configmap', 'applied'], { env: { EDITOR: join(c.work, 'editor.sh'), KUBE_EDITOR: join(c.work, 'editor.sh') } }), expect: ok(/configmap\/applied edited/) },
    s('get (edited)', (c) => [...n(c), 'get', 'cm', 'applied', '-o', 'jsonpath={.data.k}'], ok(/^edited$/)),
    s('explain', () => ['explain', 'deployment.spec.strategy'], ok(/rollingUpdate\s+<RollingUpdateDeployment>/)),
    s('apply --server-side', () => ['apply', '--server-side', '-f', '-'], ok(/configmap\/ssa serverside-applied/), (c) => ssaManifest(c.ns, 'a')),
    s('apply --server-side (again)', () => ['apply', '--server-side', '-f', '-'], ok(/configmap\/ssa serverside-applied/), (c) => ssaManifest(c.ns, 'a')),
    s('apply --server-side (conflict)', () => ['apply', '--server-side', '--field-manager=other', '-f', '-'], () => ({ code: 1, stderr: /conflict with "kubectl"[\s\S]*\.data\.x/ }), (c) => ssaManifest(c.ns, 'b')),
    s('apply --server-side --force-conflicts', () => ['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], ok(/serverside-applied/), (c) => ssaManifest(c.ns, 'b')),
    s('diff --server-side', () => ['diff', '--server-side', '--force-conflicts', '-f', '-'], () => ({ code: 1, stdout: /^\+\s+x: c$/m }), (c) => ssaManifest(c.ns, 'c')),
    s('create --dry-run=server', (c) => [...n(c), 'create', 'configmap', 'dry', '--from-literal=a=1', '--dry-run=server'], ok(/configmap\/dry created \(server dry run\)/)),
    s('get (dry-run stored nothing)', (c) => [...n(c), 'get', 'cm', 'dry'], () => ({ code: 1, stderr: /\(NotFound\): configmaps "dry" not found/ })),
    s('patch --type=merge', (c) => [...n(c), 'patch', 'cm', 'cfg', '--type=merge', '-p', '{"data":{"b":"2"}}'], ok(/configmap\/cfg patched/)),
    s('patch --type=json', (c) => [...n(c), 'patch', 'cm', 'cfg', '--type=json', '-p', '[{"op":"add","path":"/data/c","value":"3"}]'], ok(/configmap\/cfg patched/)),
    s('patch (strategic)', (c) => [...n(c), 'patch', 'deploy', 'web', '-p', '{"spec":{"revisionHistoryLimit":5}}'], ok(/deployment.apps\/web patched/)),
    s('label', (c) => [...n(c), 'label', 'deploy', 'web', 'tier=front'], ok(/labeled/)),
    s('annotate', (c) => [...n(c), 'annotate', 'deploy', 'web', 'note=matrix'], ok(/deployment.apps\/web annotated?\n/)),
    s('get -l', (c) => [...n(c), 'get', 'deploy', '-l', 'tier=front', '-o', 'name'], ok(/^deployment.apps\/web\n$/)),
    s('auth can-i', (c) => [...n(c), 'auth', 'can-i', 'create', 'deployments'], ok(/^yes\n$/)),
    s('auth can-i --list', (c) => [...n(c), 'auth', 'can-i', '--list'], ok(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m)),
    s('auth whoami', () => ['auth', 'whoami'], ok(/Groups\s+\[system:masters system:authenticated\]/)),
    s('--as (forbidden)', (c) => [...n(c), '--as', `system:serviceaccount:${c.ns}:bot`, 'get', 'pods'], (c) => ({ code: 1, stderr: new RegExp(`\\(Forbidden\\): pods is forbidden: User "system:serviceaccount:${c.ns}:bot" cannot list resource "pods" in API group "" in the namespace "${c.ns}"`) })),
    s('--as auth can-i (no)', (c) => [...n(c), '--as', `system:serviceaccount:${c.ns}:bot`, 'auth', 'can-i', 'list', 'pods'], () => ({ code: 1, stdout: /^no$/m })),
    s('create rolebinding view', (c) => [...n(c), 'create', 'rolebinding', 'bot-view', '--clusterrole=view', `--serviceaccount=${c.ns}:bot`], ok(/created/)),
    { name: '--as (after binding)', run: async (c) => {
      // the authorizer sees the binding through its informer: a moment after it is created
      let r: Run = { code: 1, stdout: '', stderr: 'not tried' };
      for (let i = 0; i < 30; i++) { r = await c.k([...n(c), '--as', `system:serviceaccount:${c.ns}:bot`, 'get', 'pods', '-o', 'name']); if (r.code === 0) break; await new Promise((x) => setTimeout(x, 300)); }
      return r;
    }, expect: ok(/^pod\/web-/) },
    s('create CRD', (c) => ['create', '-f', '-'], ok(/customresourcedefinition.apiextensions.k8s.io\/widgets\.m1\d+\.example\.com created/), (c) => crd(c.minor)),
    s('wait crd Established', (c) => ['wait', '--for=condition=Established', `crd/widgets.m1${c.minor}.example.com`, '--timeout=30s'], ok(/condition met/)),
    s('apply CR', () => ['apply', '-f', '-'], ok(/widget.m1\d+.example.com\/w1 created/), (c) => JSON.stringify({ apiVersion: `m1${c.minor}.example.com/v1`, kind: 'Widget', metadata: { name: 'w1', namespace: c.ns }, spec: { size: 3 } })),
    s('get CR (printer column)', (c) => [...n(c), 'get', `widgets.m1${c.minor}.example.com`], ok(/^NAME\s+SIZE\nw1\s+3\n$/)),
    s('explain CR', (c) => ['explain', `widgets.m1${c.minor}.example.com.spec.size`], ok(/How big the widget is\./)),
    s('run pod', (c) => [...n(c), 'run', 'one', '--image=podnet/echo', '--restart=Never'], ok(/pod\/one created/)),
    s('expose pod', (c) => [...n(c), 'expose', 'pod', 'one', '--port=80', '--target-port=8080'], ok(/service\/one exposed/)),
    s('create job', (c) => [...n(c), 'create', 'job', 'j', '--image=podnet/shell', '--', 'sh', '-c', 'echo job-done'], ok(/job.batch\/j created/)),
    s('create role', (c) => [...n(c), 'create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods'], ok(/role.rbac.authorization.k8s.io\/pod-reader created/)),
    s('create pdb', (c) => [...n(c), 'create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=1'], ok(/poddisruptionbudget.policy\/web created/)),
    s('get --raw /readyz', () => ['get', '--raw', '/readyz'], ok(/^ok$/m)),
    s('wait pod/one Ready', (c) => [...n(c), 'wait', '--for=condition=Ready', 'pod/one', '--timeout=60s'], ok(/condition met/)),
    s('debug --copy-to', (c) => [...n(c), 'debug', 'one', '--profile=general', '--copy-to=one-copy', '--image=podnet/shell', '--', 'true'], ok()),
    s('get (debug copy)', (c) => [...n(c), 'get', 'pod', 'one-copy', '-o', 'jsonpath={.spec.containers[*].name}'], ok(/^one debugger-\w+$/)),
    // an ephemeral container added through pods/ephemeralcontainers (issue 13's runtime starts it)
    s('debug (ephemeral)', (c) => [...n(c), 'debug', 'one', '--profile=general', '--image=podnet/shell', '-c', 'dbg', '--', 'true'], ok()),
    s('get (ephemeral container)', (c) => [...n(c), 'get', 'pod', 'one', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}'], ok(/^dbg$/)),
    s('debug node', (c) => [...n(c), 'debug', 'node/node1', '--profile=general', '--image=podnet/shell', '--', 'true'], ok(/^Creating debugging pod node-debugger-node1-\w+ with container debugger on node node1\.$/m)),
    s('wait job Complete', (c) => [...n(c), 'wait', '--for=condition=Complete', 'job/j', '--timeout=60s'], ok(/condition met/)),
    s('logs job/j', (c) => [...n(c), 'logs', 'job/j'], ok(/^job-done\n$/)),
    s('set image', (c) => [...n(c), 'set', 'image', 'deploy/web', 'echo=podnet/echo:1.0'], ok(/image updated/)),
    s('set env', (c) => [...n(c), 'set', 'env', 'deploy/web', 'GREETING=hi'], ok(/env updated/)),
    s('rollout status', (c) => [...n(c), 'rollout', 'status', 'deploy/web', '--timeout=90s'], ok(/successfully rolled out/)),
    s('rollout history', (c) => [...n(c), 'rollout', 'history', 'deploy/web'], ok(/^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/m)),
    s('rollout undo', (c) => [...n(c), 'rollout', 'undo', 'deploy/web'], ok(/rolled back/)),
    s('rollout restart', (c) => [...n(c), 'rollout', 'restart', 'deploy/web'], ok(/restarted/)),
    s('scale', (c) => [...n(c), 'scale', 'deploy/web', '--replicas=2'], ok(/scaled/)),
    s('rollout status (after)', (c) => [...n(c), 'rollout', 'status', 'deploy/web', '--timeout=90s'], ok(/successfully rolled out/)),
    s('delete CRD', (c) => ['delete', 'crd', `widgets.m1${c.minor}.example.com`], ok(/deleted/)),
    s('delete configmap', (c) => [...n(c), 'delete', 'configmap', 'cfg', 'applied', 'ssa'], ok(/configmap "cfg" deleted/)),
    s('delete --cascade=foreground', (c) => [...n(c), 'delete', 'deployment', 'web', '--cascade=foreground'], ok(/deployment.apps "web" deleted/)),
    s('get (foreground left no pods)', (c) => [...n(c), 'get', 'rs,pods', '-l', 'app=web', '-o', 'name'], ok(/^$/)),
    s('delete namespace', (c) => ['delete', 'namespace', c.ns], ok(/namespace "m1\d+" deleted/)),
  ];
}

function check(r: Run, e: Expect): string | undefined {
  // the first line that says what went wrong (kubectl's warnings come before it)
  const first = (s: string): string => { const ls = s.split('\n').filter((l) => l.trim() !== ''); return ls.find((l) => /error/i.test(l)) ?? ls[0] ?? ''; };
  if (e.code !== undefined && r.code !== e.code) return `exit ${r.code} (want ${e.code}): ${first(r.stderr) || first(r.stdout)}`;
  if (e.stdout && !e.stdout.test(r.stdout)) return `stdout ${JSON.stringify(r.stdout.slice(0, 120))} !~ ${e.stdout}`;
  if (e.stderr && !e.stderr.test(r.stderr)) return `stderr ${JSON.stringify(first(r.stderr))} !~ ${e.stderr}`;
  return undefined;
}

/** Prints the results table (command × version → ok / FAIL) as diagnostics; returns the failures. */
function reportTable(t: { diagnostic(m: string): void }, results: Map<string, Map<number, string | undefined>>): string[] {
  const width = Math.max(...[...results.keys()].map((k) => k.length));
  const lines = [`${'command'.padEnd(width)}  ${VERSIONS.map((v) => `1.${v}`.padEnd(5)).join(' ')}`];
  const failures: string[] = [];
  for (const [name, row] of results) {
    lines.push(`${name.padEnd(width)}  ${VERSIONS.map((v) => (row.get(v) === undefined ? 'ok' : 'FAIL').padEnd(5)).join(' ')}`);
    for (const v of VERSIONS) { const f = row.get(v); if (f !== undefined) failures.push(`1.${v} ${name}: ${f}`); }
  }
  lines.push(`${results.size} commands × ${VERSIONS.length} versions, ${failures.length} unexpected outcomes`);
  for (const l of lines) t.diagnostic(l);
  for (const f of failures) t.diagnostic(`FAIL ${f}`);
  return failures;
}

test('kubectl matrix: the same commands with every kubectl 1.27 … 1.33 against one 2-node lab', { timeout: 600_000 }, async (t) => {
  const lab = randomLabName('mtx');
  const work = mkdtempSync(join(tmpdir(), 'pn-mtx-'));
  const started = Date.now();
  const basePort = await freeLoopbackPorts(7);
  const inPods: string[] = [];
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2'], { timeoutMs: 240_000 });
    const kubeconfig = (await must(PODNET, ['lab', 'kubeconfig', '--name', lab])).trim();
    t.diagnostic(`lab up ${Date.now() - started} ms`);
    const editor = join(work, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i \'s#^  k: v2$#  k: edited#\' "$1"\n');
    chmodSync(editor, 0o755);

    const list = steps(kubeconfig);
    const results = new Map<string, Map<number, string | undefined>>(list.map((s) => [s.name, new Map()]));
    const kOf = (minor: number): Ctx['k'] => (args, o = {}) => run(join(BIN, `kubectl.1.${minor}`), ['--cache-dir', join(work, `cache-${minor}`), ...args], { env: { KUBECONFIG: kubeconfig, ...o.env }, input: o.input, timeoutMs: 120_000 });
    const t0 = Date.now();
    await Promise.all(VERSIONS.map(async (minor, i) => {
      const inPod = `/tmp/pn-mtx-${lab}-${minor}`;
      inPods.push(inPod);
      const c: Ctx = { minor, ns: `m1${minor}`, work, port: basePort + i, inPod, k: kOf(minor), pod: '' };
      for (const step of list) {
        if (step.name === 'get pods -o wide') {
          const p = await c.k(['-n', c.ns, 'get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}']);
          c.pod = p.stdout.trim();
        }
        const r = await step.run(c);
        results.get(step.name)!.set(minor, check(r, step.expect(c)));
      }
    }));
    t.diagnostic(`concurrent commands ${Date.now() - t0} ms`);
    // node-wide: one version at a time
    const nodeSteps = ['cordon', 'uncordon'];
    for (const name of nodeSteps) results.set(`${name} node2`, new Map());
    for (const minor of VERSIONS) {
      for (const name of nodeSteps) {
        const r = await kOf(minor)([name, 'node2']);
        results.get(`${name} node2`)!.set(minor, check(r, { code: 0, stdout: new RegExp(`node/node2 ${name}ed`) }));
      }
    }
    const unsched = await kOf(32)(['get', 'node', 'node2', '-o', 'jsonpath={.spec.unschedulable}']);
    assert.equal(unsched.stdout, '', 'node2 schedulable again');

    assert.deepEqual(reportTable(t, results), []);
  } finally {
    const down = await labDown(lab);
    rmSync(work, { recursive: true, force: true });
    for (const p of inPods) if (existsSync(p)) rmSync(p, { recursive: true, force: true });
    t.diagnostic(`total ${Date.now() - started} ms`);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(labLeftovers(lab), []);
  }
});

/** kubectl get --watch --output-watch-events in the background: its ADDED row, then a patch, then the MODIFIED row. */
async function watchSeesPatch(c: Ctx, kubeconfig: string): Promise<Run> {
  const p = spawn(join(BIN, `kubectl.1.${c.minor}`), ['--cache-dir', join(c.work, `cache-${c.minor}`), '-n', c.ns, 'get', 'configmap', 'cfg', '--watch', '--output-watch-events'],
    { env: { ...process.env, KUBECONFIG: kubeconfig } });
  let out = '';
  let err = '';
  p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  try {
    await until('watch ADDED', async () => /ADDED/.test(out) || (p.exitCode !== null && (() => { throw new Error(err); })()), 20_000);
    const patched = await c.k(['-n', c.ns, 'patch', 'cm', 'cfg', '--type=merge', '-p', '{"data":{"watched":"yes"}}']);
    if (patched.code !== 0) return patched;
    await until('watch MODIFIED', async () => /MODIFIED/.test(out), 20_000);
    return { code: 0, stdout: out, stderr: err };
  } catch (e) {
    return { code: 1, stdout: out, stderr: `${(e as Error).message} ${err}` };
  } finally {
    await new Promise<void>((r) => { if (p.exitCode !== null || p.signalCode !== null) { r(); return; } p.once('exit', () => r()); p.kill('SIGTERM'); });
  }
}

/** The storage-relevant commands: every verb that reads or writes the store, incl. watch, SSA, cascade and a CRD's objects. */
function storageSteps(kubeconfig: string): Step[] {
  const s = (name: string, args: (c: Ctx) => string[], expect: (c: Ctx) => Expect = ok(), input?: (c: Ctx) => string): Step =>
    ({ name, run: (c) => c.k(args(c), { input: input?.(c) }), expect });
  const n = (c: Ctx): string[] => ['-n', c.ns];
  return [
    s('create namespace', (c) => ['create', 'namespace', c.ns], ok(/created/)),
    s('create deployment', (c) => [...n(c), 'create', 'deployment', 'web', '--image=podnet/echo', '--replicas=2'], ok(/deployment.apps\/web created/)),
    s('create configmap', (c) => [...n(c), 'create', 'configmap', 'cfg', '--from-literal=a=1'], ok(/configmap\/cfg created/)),
    s('get -o yaml', (c) => [...n(c), 'get', 'cm', 'cfg', '-o', 'yaml'], ok(/^ {2}a: "1"$/m)),
    { name: 'list (controllers wrote rs + pods)', run: async (c) => {
      // the controllers write through the same store a moment later
      const want = /deployment.apps\/web\nreplicaset.apps\/web-\w+\npod\/web-[\w-]+\npod\/web-[\w-]+\n$/;
      let r: Run = { code: 1, stdout: '', stderr: 'not tried' };
      for (let i = 0; i < 40; i++) { r = await c.k([...n(c), 'get', 'deploy,rs,pods', '-o', 'name']); if (r.code === 0 && want.test(r.stdout)) break; await new Promise((x) => setTimeout(x, 250)); }
      return r;
    }, expect: ok(/deployment.apps\/web\nreplicaset.apps\/web-\w+\npod\/web-[\w-]+\npod\/web-[\w-]+\n$/) },
    { name: 'get --watch (sees a patch)', run: (c) => watchSeesPatch(c, kubeconfig), expect: ok(/^ADDED\s+cfg\s[\s\S]*^MODIFIED\s+cfg\s/m) },
    s('apply (create)', () => ['apply', '-f', '-'], ok(/configmap\/applied created/), (c) => cmManifest(c.ns, 'v1')),
    s('diff (pending change)', () => ['diff', '-f', '-'], () => ({ code: 1, stdout: /^\+\s+k: v2$/m }), (c) => cmManifest(c.ns, 'v2')),
    s('apply (configure)', () => ['apply', '-f', '-'], ok(/configmap\/applied configured/), (c) => cmManifest(c.ns, 'v2')),
    s('apply --server-side', () => ['apply', '--server-side', '-f', '-'], ok(/configmap\/ssa serverside-applied/), (c) => ssaManifest(c.ns, 'a')),
    s('apply --server-side (conflict)', () => ['apply', '--server-side', '--field-manager=other', '-f', '-'], () => ({ code: 1, stderr: /conflict with "kubectl"[\s\S]*\.data\.x/ }), (c) => ssaManifest(c.ns, 'b')),
    s('apply --server-side --force-conflicts', () => ['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], ok(/serverside-applied/), (c) => ssaManifest(c.ns, 'b')),
    s('get managedFields', (c) => [...n(c), 'get', 'cm', 'ssa', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}'], ok(/^other$/)),
    s('patch --type=merge', (c) => [...n(c), 'patch', 'cm', 'cfg', '--type=merge', '-p', '{"data":{"b":"2"}}'], ok(/configmap\/cfg patched/)),
    s('patch --type=json', (c) => [...n(c), 'patch', 'cm', 'cfg', '--type=json', '-p', '[{"op":"add","path":"/data/c","value":"3"}]'], ok(/configmap\/cfg patched/)),
    s('patch (strategic, merge key)', (c) => [...n(c), 'patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"echo","env":[{"name":"A","value":"1"}]}]}}}}'], ok(/deployment.apps\/web patched/)),
    s('get (patched)', (c) => [...n(c), 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[*].name}/{.spec.template.spec.containers[0].env[0].name}'], ok(/^echo\/A$/)),
    s('label', (c) => [...n(c), 'label', 'cm', 'cfg', 'tier=front'], ok(/labeled/)),
    s('get -l', (c) => [...n(c), 'get', 'cm', '-l', 'tier=front', '-o', 'name'], ok(/^configmap\/cfg\n$/)),
    s('create --dry-run=server', (c) => [...n(c), 'create', 'configmap', 'dry', '--from-literal=a=1', '--dry-run=server'], ok(/configmap\/dry created \(server dry run\)/)),
    s('get (dry-run stored nothing)', (c) => [...n(c), 'get', 'cm', 'dry'], () => ({ code: 1, stderr: /\(NotFound\): configmaps "dry" not found/ })),
    s('create CRD', () => ['create', '-f', '-'], ok(/customresourcedefinition.apiextensions.k8s.io\/widgets\.m1\d+\.example\.com created/), (c) => crd(c.minor)),
    s('wait crd Established', (c) => ['wait', '--for=condition=Established', `crd/widgets.m1${c.minor}.example.com`, '--timeout=30s'], ok(/condition met/)),
    s('apply CR', () => ['apply', '-f', '-'], ok(/widget.m1\d+.example.com\/w1 created/), (c) => JSON.stringify({ apiVersion: `m1${c.minor}.example.com/v1`, kind: 'Widget', metadata: { name: 'w1', namespace: c.ns }, spec: { size: 3 } })),
    s('get CR (printer column)', (c) => [...n(c), 'get', `widgets.m1${c.minor}.example.com`], ok(/^NAME\s+SIZE\nw1\s+3\n$/)),
    s('delete CRD (its objects go)', (c) => ['delete', 'crd', `widgets.m1${c.minor}.example.com`], ok(/deleted/)),
    s('scale', (c) => [...n(c), 'scale', 'deploy/web', '--replicas=1'], ok(/scaled/)),
    s('delete configmap', (c) => [...n(c), 'delete', 'configmap', 'cfg', 'applied', 'ssa'], ok(/configmap "cfg" deleted/)),
    s('delete --cascade=foreground', (c) => [...n(c), 'delete', 'deployment', 'web', '--cascade=foreground'], ok(/deployment.apps "web" deleted/)),
    s('get (foreground left nothing)', (c) => [...n(c), 'get', 'deploy,rs,pods', '-o', 'name'], ok(/^$/)),
    s('delete namespace', (c) => ['delete', 'namespace', c.ns], ok(/namespace "m1\d+" deleted/)),
  ];
}

test('kubectl matrix on etcd: the storage commands with every kubectl 1.27 … 1.33 against an etcd-backed API server', { timeout: 300_000 }, async (t) => {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'pn-mtx-etcd-'));
  let etcd: EtcdHandle | undefined;
  let api: ApiServerHandle | undefined;
  try {
    etcd = await startEtcd();
    api = await startApiServer({ storage: `etcd:${etcd.endpoint}` });
    t.diagnostic(`etcd + apiserver up ${Date.now() - started} ms`);
    const kubeconfig = api.kubeconfigPath;
    const list = storageSteps(kubeconfig);
    const results = new Map<string, Map<number, string | undefined>>(list.map((s) => [s.name, new Map()]));
    const kOf = (minor: number): Ctx['k'] => (args, o = {}) => run(join(BIN, `kubectl.1.${minor}`), ['--cache-dir', join(work, `cache-${minor}`), ...args], { env: { KUBECONFIG: kubeconfig, ...o.env }, input: o.input, timeoutMs: 120_000 });
    const t0 = Date.now();
    await Promise.all(VERSIONS.map(async (minor) => {
      const c: Ctx = { minor, ns: `m1${minor}`, work, port: 0, inPod: '', k: kOf(minor), pod: '' };
      for (const step of list) results.get(step.name)!.set(minor, check(await step.run(c), step.expect(c)));
    }));
    t.diagnostic(`concurrent commands ${Date.now() - t0} ms`);
    // the objects really are in etcd (under the registry prefix), not in a SQLite file
    const stored = await run('/usr/bin/etcdctl', ['--endpoints', etcd.endpoint, 'get', '--prefix', '--keys-only', '/registry/namespaces/'], { timeoutMs: 10_000 });
    assert.match(stored.stdout, /\/registry\/namespaces\/default/);
    assert.deepEqual(reportTable(t, results), []);
  } finally {
    await api?.stop();
    await etcd?.stop();
    rmSync(work, { recursive: true, force: true });
    t.diagnostic(`total ${Date.now() - started} ms`);
  }
});
