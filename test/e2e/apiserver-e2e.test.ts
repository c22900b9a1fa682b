/**
 * Issue 3's acceptance with the real kubectl, the same suite on SQLite and on a real etcd:
 * apply + wide listings + describe, watch streaming and 410 after compaction, refused manifests
 * (field named, nothing stored), kill -9 during a write burst, 401 / wrong CA / node credentials.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startApiServer, runKubectl, PODNET_MAIN, type ApiServerHandle } from '../support/apiserver.js';
import { startEtcd, type EtcdHandle } from '../support/etcd.js';
import { createClient, R } from '../../src/client/index.js';

const sh = (cmd: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> => new Promise((resolve) => {
  execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => resolve({ stdout: String(stdout), stderr: String(stderr), code: err ? 1 : 0 }));
});

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    try { const v = await f(); if (v) return v; } catch (e) { last = (e as Error).message; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function clientOf(api: ApiServerHandle): ReturnType<typeof createClient> {
  const kc = parse(readFileSync(api.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
  const b = (s: string): Buffer => Buffer.from(s, 'base64');
  return createClient({ server: api.url, ca: b(kc.clusters[0]!.cluster['certificate-authority-data']!), cert: b(kc.users[0]!.user['client-certificate-data']!), key: b(kc.users[0]!.user['client-key-data']!) });
}

/** A raw watch over HTTPS with the admin certificate: the first line of the stream. */
function rawWatchFirstLine(api: ApiServerHandle, path: string): Promise<{ status: number; line: string }> {
  const kc = parse(readFileSync(api.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
  const b = (s: string): Buffer => Buffer.from(s, 'base64');
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}${path}`, { ca: b(kc.clusters[0]!.cluster['certificate-authority-data']!), cert: b(kc.users[0]!.user['client-certificate-data']!), key: b(kc.users[0]!.user['client-key-data']!) }, (res) => {
      let buf = '';
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        const i = buf.indexOf('\n');
        if (i >= 0) { resolve({ status: res.statusCode ?? 0, line: buf.slice(0, i) }); req.destroy(); }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, line: buf }));
    });
    req.on('error', (e) => { if (!(e as NodeJS.ErrnoException).code?.includes('ECONNRESET')) reject(e); });
    req.end();
  });
}

const MANIFEST = (ns: string): string => `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: echo
        image: podnet/echo
        ports: [{containerPort: 8080, name: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

for (const engine of ['sqlite', 'etcd'] as const) {
  test(`API acceptance on ${engine} with the real kubectl`, { timeout: 240_000 }, async (t) => {
    let etcd: EtcdHandle | undefined;
    let api: ApiServerHandle | undefined;
    const tmp = mkdtempSync(join(tmpdir(), 'pn-api-e2e-'));
    try {
      if (engine === 'etcd') etcd = await startEtcd();
      api = await startApiServer({
        storage: engine === 'etcd' ? `etcd:${etcd!.endpoint}` : 'sqlite', serviceCidr: '10.96.0.0/16',
        extraArgs: ['--etcd-compaction-interval', '1s', '--compaction-retain', '5'],
      });
      const a = api;
      const k = (args: string[], input?: string): Promise<string> => a.kubectl(args, input).then((r) => r.stdout);
      const kraw = (args: string[], input?: string) => a.kubectlRaw(args, input);
      const ns = 'accept';

      await t.test('apply: objects appear; get -o wide prints upstream\'s columns; describe svc; a played node makes endpoints', async () => {
        const out = await k(['apply', '-f', '-'], MANIFEST(ns));
        assert.match(out, /namespace\/accept created/);
        assert.match(out, /deployment.apps\/web created/);
        assert.match(out, /service\/web created/);
        // Play the node agent: a Ready node; the scheduler binds the pods; they "run".
        await k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n');
        await until('node status', async () => {
          const r = await kraw(['patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }], addresses: [{ type: 'InternalIP', address: '192.168.1.10' }] } })]);
          return r.code === 0;
        });
        const pods = await until('2 pods bound to n1', async () => {
          const o = (await k(['get', 'pods', '-n', ns, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}{"\\n"}{end}'])).trim().split('\n').filter((l) => l.endsWith('=n1'));
          return o.length === 2 ? o.map((l) => l.split('=')[0]!) : undefined;
        });
        let i = 0;
        for (const p of pods) {
          i++;
          const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          await k(['patch', 'pod', p, '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running', podIP: `10.244.0.${10 + i}`, podIPs: [{ ip: `10.244.0.${10 + i}` }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }], containerStatuses: [{ name: 'echo', ready: true, restartCount: 0, image: 'podnet/echo', imageID: '', started: true, state: { running: { startedAt: now } } }] } })]);
        }
        await until('endpoints', async () => /10\.244\.0\.11:8080,10\.244\.0\.12:8080|10\.244\.0\.12:8080,10\.244\.0\.11:8080/.test(await k(['get', 'endpoints', 'web', '-n', ns])));
        const wide = await k(['get', 'deploy,rs,pods,svc,endpoints,endpointslices', '-A', '-o', 'wide']);
        const headers = wide.split('\n').filter((l) => l.startsWith('NAMESPACE')).map((l) => l.trim().split(/\s{2,}/).join('|'));
        assert.deepEqual(headers, [
          'NAMESPACE|NAME|READY|UP-TO-DATE|AVAILABLE|AGE|CONTAINERS|IMAGES|SELECTOR',
          'NAMESPACE|NAME|DESIRED|CURRENT|READY|AGE|CONTAINERS|IMAGES|SELECTOR',
          'NAMESPACE|NAME|READY|STATUS|RESTARTS|AGE|IP|NODE|NOMINATED NODE|READINESS GATES',
          'NAMESPACE|NAME|TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)|AGE|SELECTOR',
          'NAMESPACE|NAME|ENDPOINTS|AGE',
          'NAMESPACE|NAME|ADDRESSTYPE|PORTS|ENDPOINTS|AGE',
        ]);
        assert.match(wide, /accept\s+pod\/web-\S+\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.0\.1[12]\s+n1\s+<none>\s+<none>/);
        assert.match(wide, /accept\s+service\/web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+\s+app=web/);
        assert.match(wide, /accept\s+endpointslice\.discovery\.k8s\.io\/web-\S+\s+IPv4\s+8080\s+10\.244\.0\.1[12],10\.244\.0\.1[12]\s/);
        const d = await k(['describe', 'svc', 'web', '-n', ns]);
        for (const re of [/^Name:\s+web$/m, /^Namespace:\s+accept$/m, /^Selector:\s+app=web$/m, /^Type:\s+ClusterIP$/m, /^IP:\s+10\.96\.\d+\.\d+$/m, /^Port:\s+http\s+80\/TCP$/m, /^TargetPort:\s+http\/TCP$/m, /^Endpoints:\s+10\.244\.0\.1[12]:8080,10\.244\.0\.1[12]:8080$/m]) assert.match(d, re);
      });

      await t.test('kubectl get pods -w streams changes; a watch from a compacted resourceVersion gets 410', async () => {
        const w = spawn('kubectl', ['get', 'pods', '-n', ns, '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: a.kubeconfigPath }, stdio: ['ignore', 'pipe', 'pipe'] });
        let seen = '';
        w.stdout.on('data', (b: Buffer) => { seen += b.toString(); });
        try {
          await until('initial listing', async () => /web-/.test(seen));
          await k(['apply', '-f', '-'], `apiVersion: v1\nkind: Pod\nmetadata: {name: watched, namespace: ${ns}}\nspec:\n  containers: [{name: c, image: podnet/shell}]\n`);
          await until('ADDED watched', async () => /ADDED\s+watched\s/.test(seen));
          await k(['label', 'pod', 'watched', '-n', ns, 'x=y']);
          await until('MODIFIED watched', async () => /MODIFIED\s+watched\s/.test(seen));
          // Enough writes for compaction to drop revision 1…, then poll until the 1 s compactor has run:
          // until then a watch from revision 2 replays events (ADDED first) instead of the ERROR.
          for (let j = 0; j < 12; j++) await k(['label', 'pod', 'watched', '-n', ns, `n=${j}`, '--overwrite']);
          const ev = await until('revision 2 compacted away', async () => {
            const raw = await rawWatchFirstLine(a, `/api/v1/namespaces/${ns}/pods?watch=1&resourceVersion=2`);
            const e = JSON.parse(raw.line) as { type: string; object: { code: number; reason: string } };
            return e.type === 'ERROR' ? e : undefined;
          });
          assert.equal(ev.object.code, 410);
          assert.equal(ev.object.reason, 'Expired');
          const old = await kraw(['get', '--raw', `/api/v1/namespaces/${ns}/pods?watch=1&resourceVersion=2&timeoutSeconds=3`]);
          assert.match(old.stdout, /"type":"ERROR".*"code":410/, 'kubectl sees the 410 as an ERROR event');
          // The long-running kubectl watch keeps streaming across the compaction.
          await k(['delete', 'pod', 'watched', '-n', ns, '--grace-period=0', '--force']); // bound to n1: only a forced delete is immediate
          await until('DELETED watched', async () => /DELETED\s+watched\s/.test(seen));
        } finally { w.kill('SIGTERM'); }
      });

      await t.test('bad manifests are refused naming the field; nothing is stored', async () => {
        const svc = (name: string, extra: string): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  selector: {app: x}\n${extra}`;
        const cases: [string, string, RegExp][] = [
          ['outside', svc('outside', '  clusterIP: 10.200.0.5\n  ports: [{port: 80}]\n'), /spec\.clusterIPs?: Invalid value: .*10\.200\.0\.5/],
          ['taken', svc('taken', `  clusterIP: ${(await k(['get', 'svc', 'web', '-n', ns, '-o', 'jsonpath={.spec.clusterIP}'])).trim()}\n  ports: [{port: 80}]\n`), /spec\.clusterIPs?: Invalid value: .*already allocated/],
          ['badport', svc('badport', '  ports: [{port: 70000}]\n'), /spec\.ports\[0\]\.port: Invalid value: 70000/],
          ['Bad_Name', svc('Bad_Name', '  ports: [{port: 80}]\n'), /metadata\.name: Invalid value: "Bad_Name"/],
        ];
        await k(['apply', '-f', '-'], svc('np1', '  type: NodePort\n  ports: [{port: 80, nodePort: 31234}]\n'));
        cases.push(['np2', svc('np2', '  type: NodePort\n  ports: [{port: 80, nodePort: 31234}]\n'), /spec\.ports\[0\]\.nodePort: Invalid value: 31234: provided port is already allocated/]);
        cases.push(['unknown', svc('unknown', '  ports: [{port: 80}]\n  bogus: true\n'), /unknown field "spec\.bogus"/]);
        for (const [name, yaml, re] of cases) {
          const r = await kraw(['apply', '--validate=strict', '-f', '-'], yaml);
          assert.notEqual(r.code, 0, `${name} refused`);
          assert.match(r.stderr, re, name);
          const g = await kraw(['get', 'svc', name, '-n', ns]);
          assert.match(g.stderr, /NotFound|not found/, `${name} not stored`);
        }
      });

      await t.test('kill -9 during a burst of writes loses no acknowledged write', async () => {
        const client = clientOf(a);
        const acked: string[] = [];
        let killed = false;
        const burst = Array.from({ length: 300 }, (_, j) => client.create(R.configmaps(ns), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `burst-${j}` }, data: { j: String(j) } })
          .then(() => { if (!killed) acked.push(`burst-${j}`); }, () => undefined));
        await until('some writes acknowledged', async () => acked.length >= 50, 20_000);
        killed = true;
        const before = [...acked];
        await a.kill9();
        await Promise.all(burst);
        client.close();
        await a.restart();
        const names = new Set((await k(['get', 'configmaps', '-n', ns, '-o', 'name'])).split('\n').map((l) => l.replace('configmap/', '')));
        const lost = before.filter((n) => !names.has(n));
        t.diagnostic(`${before.length} writes acknowledged before kill -9; ${names.size} config maps after restart`);
        assert.deepEqual(lost, [], 'no acknowledged write lost');
      });

      await t.test('no credentials: 401 (health and version open); wrong CA: TLS failure; a node credential works', async () => {
        const anon = await sh('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `${a.url}/api/v1/pods`]);
        assert.equal(anon.stdout, '401');
        const body = await sh('curl', ['-sk', `${a.url}/api/v1/pods`]);
        assert.equal((JSON.parse(body.stdout) as { reason: string }).reason, 'Unauthorized');
        assert.equal((await sh('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `${a.url}/healthz`])).stdout, '200');
        assert.equal((await sh('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `${a.url}/version`])).stdout, '200');
        // kubectl without a client certificate
        const kc = parse(readFileSync(a.kubeconfigPath, 'utf8')) as Record<string, unknown> & { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
        const noCert = structuredClone(kc);
        // (with no credentials at all kubectl prompts for a username; a token we never issued is as good as none)
        noCert.users[0]!.user = { token: 'not-a-valid-token' };
        writeFileSync(join(tmp, 'nocert.kubeconfig'), JSON.stringify(noCert));
        const r1 = await runKubectl(join(tmp, 'nocert.kubeconfig'), ['get', 'pods']);
        assert.notEqual(r1.code, 0);
        assert.match(r1.stderr, /Unauthorized|provide credentials/i);
        // a kubeconfig trusting another CA
        await sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(tmp, 'other.key'), '-out', join(tmp, 'other.crt'), '-days', '1', '-subj', '/CN=other-ca']);
        const wrongCa = structuredClone(kc);
        wrongCa.clusters[0]!.cluster['certificate-authority-data'] = Buffer.from(readFileSync(join(tmp, 'other.crt'))).toString('base64');
        writeFileSync(join(tmp, 'wrongca.kubeconfig'), JSON.stringify(wrongCa));
        const r2 = await runKubectl(join(tmp, 'wrongca.kubeconfig'), ['get', 'pods']);
        assert.notEqual(r2.code, 0);
        assert.match(r2.stderr, /x509|certificate/i);
        // a node's own credential
        const nodeKc = await sh(process.execPath, [PODNET_MAIN, 'kubeconfig', '--data-dir', a.dataDir, '--user', 'system:node:n1', '--group', 'system:nodes']);
        writeFileSync(join(tmp, 'node.kubeconfig'), nodeKc.stdout);
        const r3 = await runKubectl(join(tmp, 'node.kubeconfig'), ['get', 'nodes', '-o', 'name']);
        assert.equal(r3.code, 0, r3.stderr);
        assert.match(r3.stdout, /node\/n1/);
      });

      await t.test('deleting the namespace removes what is inside', async () => {
        await k(['delete', 'namespace', ns, '--timeout=60s']);
        const left = await kraw(['get', 'all,configmaps,endpointslices', '-n', ns, '-o', 'name']);
        assert.equal(left.stdout.trim(), '');
      });
    } finally {
      await api?.stop();
      await etcd?.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}
