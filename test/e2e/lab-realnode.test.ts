/**
 * A lab node behaves like a real cluster's node where upstream's e2e tests look, in both
 * kube-proxy rule modes (iptables, nftables), through `podnet lab` and the real kubectl:
 * - from a node netns and from a hostNetwork pod (ClusterFirstWithHostNet, podIP = the node's IP):
 *   ClusterIP, NodePort on every node IP, and cluster DNS answer; traffic off the underlay goes to
 *   the master (192.168.138.224), whose "net unreachable" comes back;
 * - a Service whose pods are all not ready refuses connect() at once (kube-proxy's REJECT), from a
 *   pod and from a node;
 * - internalTrafficPolicy: Local without an endpoint on the client's node: the connection times
 *   out and the DROP rule's packet counter grows;
 * - a pod reaches the API server at $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (and by the
 *   name kubernetes.default.svc) and verifies its certificate against the cluster CA;
 * - `lab down` leaves nothing, and the root namespace is as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { PODNET, must, until, labKubectl, labLeftovers, labDown, randomLabName, rootNetwork } from '../support/lab.js';

const NODE = process.execPath;
const MASTER = '192.168.138.224';
const NODE1 = '192.168.138.221';
const NODE2 = '192.168.138.222';
/** An address off the underlay: routed to the master, which has no route for it. */
const OUTSIDE = '198.51.100.7';

/** `node -e CONNECT host port limitMs`: one TCP connect(), reported as {r: connected|<errno code>|timeout, ms}. */
const CONNECT = `
const [host, port, limit] = process.argv.slice(1);
const net = require('net');
const t0 = Date.now();
const say = (r) => { console.log(JSON.stringify({ r, ms: Date.now() - t0 })); process.exit(0); };
const s = net.connect({ host, port: Number(port) });
s.on('connect', () => say('connected'));
s.on('error', (e) => say(e.code || e.message));
setTimeout(() => say('timeout'), Number(limit));
`;

/** The in-cluster client's first step: HTTPS to the kubernetes Service from its env, certificate verified against the CA. */
const API_CHECK = `
const https = require('https');
const host = process.env.KUBERNETES_SERVICE_HOST, port = process.env.KUBERNETES_SERVICE_PORT;
const get = (h) => new Promise((done) => {
  const r = https.get({ host: h, port, path: '/api', ca: process.env.LAB_CA, timeout: 5000 }, (res) => {
    const c = res.socket.getPeerCertificate();
    res.resume();
    done({ host: h, status: res.statusCode, authorized: res.socket.authorized, cn: c.subject && c.subject.CN, san: c.subjectaltname });
  });
  r.on('timeout', () => r.destroy(new Error('timeout')));
  r.on('error', (e) => done({ host: h, error: e.code || e.message }));
});
(async () => console.log(JSON.stringify({ env: { host, port }, byEnv: await get(host), byName: await get('kubernetes.default.svc') })))();
`;

interface Connect { r: string; ms: number }
interface ApiAnswer { host: string; status?: number; authorized?: boolean; cn?: string; san?: string; error?: string }

function manifests(ca: string): object[] {
  const pod = (name: string, node: string, spec: object, labels: Record<string, string> = {}): object =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName: node, terminationGracePeriodSeconds: 1, ...spec } });
  const svc = (name: string, app: string, spec: object = {}): object =>
    ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } });
  const sleeper = { containers: [{ name: 'c', image: 'podnet/host', command: ['sleep', 'infinity'] }] };
  return [
    pod('web', 'node2', { containers: [{ name: 'echo', image: 'podnet/echo' }] }, { app: 'web' }),
    svc('web', 'web', { type: 'NodePort' }),
    svc('web-local', 'web', { internalTrafficPolicy: 'Local' }),
    pod('notready', 'node2', { containers: [{ name: 'echo', image: 'podnet/echo', readinessProbe: { tcpSocket: { port: 8081 }, periodSeconds: 1 } }] }, { app: 'notready' }),
    svc('notready', 'notready'),
    pod('hostnet', 'node1', { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet', ...sleeper }),
    pod('client', 'node1', sleeper),
    pod('apicheck', 'node1', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'podnet/host', command: [NODE, '-e', API_CHECK], env: [{ name: 'LAB_CA', value: ca }] }] }),
  ];
}

for (const mode of ['iptables', 'nftables'] as const) {
  test(`lab with 2 nodes, kube-proxy ${mode}: nodes, hostNetwork pods and pods see Services as on a real cluster`, { timeout: 480_000 }, async (t) => {
    const lab = randomLabName(mode === 'iptables' ? 'trni' : 'trnn');
    const rootBefore = await rootNetwork();
    try {
      await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2', '--proxy-mode', mode], { timeoutMs: 240_000 });
      const kubectl = labKubectl(lab);
      const onNode = (node: string, ...cmd: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, node, '--', ...cmd]);
      const inPod = (pod: string, ...cmd: string[]): Promise<string> => kubectl(['exec', pod, '--', ...cmd]);
      const from = { 'node1 netns': (...c: string[]) => onNode('node1', ...c), 'hostNetwork pod': (...c: string[]) => inPod('hostnet', ...c), 'pod': (...c: string[]) => inPod('client', ...c) };
      type From = keyof typeof from;
      const connect = async (where: From, ip: string, port: number, limitMs: number): Promise<Connect> =>
        JSON.parse(await from[where](NODE, '-e', CONNECT, ip, String(port), String(limitMs))) as Connect;

      // The master has no route off the underlay: its "net unreachable" proves where the packet went. Routers
      // rate-limit ICMP errors per peer (every sender here is masqueraded to node1's address), hence the retries.
      const masterUnreachable = async (run: (...c: string[]) => Promise<string>, where: string): Promise<void> => {
        let last = '';
        const re = new RegExp(`From ${MASTER.replace(/\./g, '\\.')}.*Destination Net Unreachable`);
        await until(`${where}: the master's net unreachable`, async () => re.test(last = await run('sh', '-c', `ping -c1 -W2 ${OUTSIDE} 2>&1; true`)), 15_000)
          .catch((e: Error) => assert.fail(`${where}: off-underlay traffic does not reach the master: ${e.message}\n${last}`));
      };
      const ca = readFileSync(`/run/podnet/${lab}/api/pki/ca.crt`, 'utf8');
      await kubectl(['apply', '-f', '-'], manifests(ca).map((o) => stringify(o)).join('---\n'));
      const field = (kind: string, name: string, path: string, ns = 'default'): Promise<string> => kubectl(['-n', ns, 'get', kind, name, '-o', `jsonpath={${path}}`]);
      await until('web Ready, notready Running, hostnet and client Running, apicheck done', async () => {
        const l = JSON.parse(await kubectl(['get', 'pods', '-o', 'json'])) as { items: { metadata: { name: string }; status: { phase?: string; conditions?: { type: string; status: string }[] } }[] };
        const st = new Map(l.items.map((p) => [p.metadata.name, p.status]));
        const ready = (n: string): boolean => !!st.get(n)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        return ready('web') && ready('hostnet') && ready('client') && st.get('notready')?.phase === 'Running' && st.get('apicheck')?.phase === 'Succeeded';
      }, 120_000);
      const webIP = await field('svc', 'web', '.spec.clusterIP');
      const nodePort = Number(await field('svc', 'web', '.spec.ports[0].nodePort'));
      const localIP = await field('svc', 'web-local', '.spec.clusterIP');
      const notReadyIP = await field('svc', 'notready', '.spec.clusterIP');
      const dnsIP = await field('svc', 'kube-dns', '.spec.clusterIP', 'kube-system');
      const kubeIP = await field('svc', 'kubernetes', '.spec.clusterIP');

      await t.test('a node routes through the master; a hostNetwork pod gets the node\'s IP and, with ClusterFirstWithHostNet, the cluster DNS', async () => {
        assert.match(await onNode('node1', 'ip', 'route', 'show', 'default'), new RegExp(`^default via ${MASTER.replace(/\./g, '\\.')} dev eth0`));
        assert.equal(await onNode('master', 'sysctl', '-n', 'net.ipv4.ip_forward'), '1\n');
        assert.equal(await field('pod', 'hostnet', '.status.podIP'), NODE1);
        assert.equal(await field('pod', 'hostnet', '.status.hostIP'), NODE1);
        assert.match(await inPod('hostnet', 'cat', '/etc/resolv.conf'), new RegExp(`^nameserver ${dnsIP.replace(/\./g, '\\.')}$`, 'm'));
        assert.match(await inPod('hostnet', 'ip', '-4', '-o', 'addr', 'show', 'eth0'), new RegExp(NODE1.replace(/\./g, '\\.')), 'the pod is in the node\'s network namespace');
      });

      for (const where of ['node1 netns', 'hostNetwork pod'] as const) {
        await t.test(`from the ${where}: ClusterIP, NodePort on both node IPs, cluster DNS, and the outside through the master`, async () => {
          const run = from[where];
          for (const url of [`http://${webIP}/`, `http://${NODE1}:${nodePort}/`, `http://${NODE2}:${nodePort}/`]) {
            assert.match(await run('curl', '-s', '--max-time', '5', url), /^pod=web ip=\S+ peer=/, `${where} → ${url}`);
          }
          const names = where === 'node1 netns'
            ? await run('dig', '+short', '+time=2', '+tries=2', `@${dnsIP}`, 'web.default.svc.cluster.local')
            : await run('getent', 'hosts', 'web');
          assert.match(names, new RegExp(`^${webIP.replace(/\./g, '\\.')}(\\s|$)`, 'm'), `${where}: the Service name resolves through ${dnsIP}`);
          await masterUnreachable(run, where);
        });
      }

      await t.test('a pod\'s traffic to the outside leaves through the master too (flannel masquerade on the node)', async () => {
        await masterUnreachable(from.pod, 'pod');
      });

      await t.test('a Service whose pods are all not ready refuses connections at once, from a pod and from a node', async () => {
        assert.equal(await field('endpoints', 'notready', '.subsets[0].notReadyAddresses[0].ip').then((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip)), true, 'the pod is there, not ready');
        for (const where of ['pod', 'node1 netns'] as const) {
          const res = await until(`${where}: connection refused`, async () => { const c = await connect(where, notReadyIP, 80, 3000); return c.r === 'ECONNREFUSED' ? c : undefined; }, 30_000);
          assert.ok(res.ms < 1000, `${where}: refused after ${res.ms} ms`);
          t.diagnostic(`${where} → ${notReadyIP}:80 (no ready endpoint): ECONNREFUSED after ${res.ms} ms`);
        }
      });

      await t.test('internalTrafficPolicy: Local without a local endpoint: the connection times out and the DROP rule counts it', async () => {
        const dropped = async (): Promise<number | undefined> => {
          if (mode === 'iptables') {
            const out = await onNode('node1', 'iptables', '-t', 'filter', '-L', 'KUBE-SERVICES', '-n', '-v', '-x');
            const line = out.split('\n').find((l) => /\sDROP\s/.test(l) && l.includes('default/web-local:http has no local endpoints'));
            return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
          }
          const out = await onNode('node1', 'nft', 'list', 'map', 'ip', 'kube-proxy', 'no-endpoint-services');
          const m = new RegExp(`${localIP.replace(/\./g, '\\.')} \\. tcp \\. 80 counter packets (\\d+) bytes \\d+ : drop`).exec(out);
          return m ? Number(m[1]) : undefined;
        };
        const before = await until('the DROP rule on node1', async () => { const n = await dropped(); return n === undefined ? undefined : { n }; }, 30_000);
        // On node2, where the endpoint lives, the same Service answers.
        assert.match(await onNode('node2', 'curl', '-s', '--max-time', '5', `http://${localIP}/`), /^pod=web /);
        for (const where of ['node1 netns', 'pod'] as const) {
          const c = await connect(where, localIP, 80, 2500);
          assert.equal(c.r, 'timeout', `${where} → ${localIP}:80: ${JSON.stringify(c)}`);
        }
        const after = (await dropped())!;
        assert.ok(after > before.n, `DROP counter ${before.n} → ${after}`);
        t.diagnostic(`${mode}: DROP counter for default/web-local ${before.n} → ${after}`);
      });

      await t.test('a pod reaches the API server through the kubernetes Service and verifies its certificate', async () => {
        assert.equal(kubeIP, '10.96.0.1');
        assert.equal(await field('endpoints', 'kubernetes', '.subsets[0].addresses[0].ip'), MASTER);
        assert.equal(await field('endpoints', 'kubernetes', '.subsets[0].ports[0].port'), '6443');
        const out = JSON.parse((await kubectl(['logs', 'apicheck'])).trim().split('\n').pop()!) as { env: { host: string; port: string }; byEnv: ApiAnswer; byName: ApiAnswer };
        assert.deepEqual(out.env, { host: kubeIP, port: '443' }, 'KUBERNETES_SERVICE_HOST/PORT');
        for (const a of [out.byEnv, out.byName]) {
          assert.equal(a.error, undefined, `${a.host}: ${a.error}`);
          assert.equal(a.authorized, true, `${a.host}: certificate verified against the cluster CA`);
          assert.equal(a.cn, 'kube-apiserver');
          assert.ok(a.status === 401 || a.status === 403, `${a.host}: the API answered ${a.status} (anonymous)`);
        }
        for (const san of [`IP Address:${kubeIP}`, `IP Address:${MASTER}`, 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local']) {
          assert.ok(out.byEnv.san?.includes(san), `SAN ${san} in ${out.byEnv.san}`);
        }
        // The master's forwarder listens on the advertised address.
        assert.match(await onNode('master', 'ss', '-ltn'), new RegExp(`${MASTER.replace(/\./g, '\\.')}:6443`));
      });
    } finally {
      const down = await labDown(lab);
      assert.equal(down.code, 0, down.stderr);
    }
    assert.deepEqual(labLeftovers(lab), []);
    assert.equal(await rootNetwork(), rootBefore, 'the root namespace\'s links, routes, rules and tables are as before lab up');
  });
}
