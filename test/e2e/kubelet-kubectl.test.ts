/**
 * The kubelet API against the real kubectl (v1.32 client picked by the dispatcher): `kubectl exec`
 * over WebSocket v5.channel.k8s.io (stdout, stderr, stdin, exit code) and `kubectl logs`
 * (tail, timestamps), reaching a real pod sandbox through a minimal front that forwards
 * pods/exec and pods/log to the kubelet socket as the apiserver does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createLogger } from '../../src/util/log.js';
import { PodRuntime } from '../../src/kubelet/runtime.js';
import { startKubeletServer } from '../../src/kubelet/server.js';
import type { PodLite } from '../../src/kubelet/types.js';
import { makeTestNode, waitUntil, processesMentioning, killMentioning } from '../support/kubelet.js';
import { startKubeletFront } from '../support/kubeletProxy.js';

interface Run { code: number; stdout: string; stderr: string }
function kubectl(kubeconfig: string, args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve) => {
    const c = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 30_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
    });
    c.stdin?.on('error', () => { /* early exit */ });
    c.stdin?.end(stdin);
  });
}

function socketGet(socketPath: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = request({ socketPath, path }, (res) => { let t = ''; res.on('data', (d: Buffer) => { t += d.toString(); }); res.on('end', () => resolve(t)); });
    r.on('error', reject);
    r.end();
  });
}

test('real kubectl exec and logs reach a pod through the kubelet API', async () => {
  const node = await makeTestNode();
  const stateDir = join(node.dir, 'kubelet');
  const log = createLogger('kubelet-test', 'warn');
  const rt = new PodRuntime({ stateDir, nodeName: 'n1', nodeIP: '192.168.200.1', clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', log });
  const pod: PodLite = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kp', namespace: 'default', uid: 'uid-kp' },
    spec: { restartPolicy: 'Never', containers: [
      { name: 'main', image: 'podnet/shell', command: ['sh', '-c', 'echo line1; echo line2 >&2; exec sleep 1000'] },
      { name: 'count', image: 'podnet/shell', command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo n$i; sleep 0.2; done'] },
    ] } };
  let server: Awaited<ReturnType<typeof startKubeletServer>> | undefined;
  let front: Awaited<ReturnType<typeof startKubeletFront>> | undefined;
  try {
    await rt.sync(pod);
    server = await startKubeletServer(join(stateDir, 'kubelet.sock'), rt, log, 'n1');
    // the socket runs commands in containers: 0600 in a 0700 directory
    assert.equal(statSync(server.socketPath).mode & 0o777, 0o600);
    assert.equal(statSync(stateDir).mode & 0o777, 0o700);
    front = await startKubeletFront(server.socketPath, [pod], join(node.dir, 'kubeconfig'));
    const kc = front.kubeconfig;

    const resolv = await kubectl(kc, ['exec', 'kp', '-c', 'main', '--', 'cat', '/etc/resolv.conf']);
    assert.equal(resolv.code, 0, resolv.stderr);
    assert.equal(resolv.stdout, 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');

    const fail = await kubectl(kc, ['exec', 'kp', '-c', 'main', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(fail.code, 3);
    assert.equal(fail.stdout, 'out\n');
    assert.match(fail.stderr, /^err\ncommand terminated with exit code 3\n$/);

    const cat = await kubectl(kc, ['exec', '-i', 'kp', '-c', 'main', '--', 'cat'], 'piped-in\n');
    assert.equal(cat.stdout, 'piped-in\n');

    const logs = await waitUntil(async () => { const r = await kubectl(kc, ['logs', 'kp', '-c', 'main']); return r.stdout.includes('line2') ? r : undefined; }, 30_000, 'logs');
    assert.deepEqual(logs.stdout.split('\n').filter(Boolean).sort(), ['line1', 'line2']);
    const tail = await kubectl(kc, ['logs', 'kp', '-c', 'main', '--timestamps', '--tail=1']);
    assert.match(tail.stdout, /^\d{4}-\d\d-\d\dT[\d:]+\.\d{9}Z line[12]\n$/);
    // follow streams until the container exits
    const follow = await kubectl(kc, ['logs', '-f', 'kp', '-c', 'count']);
    assert.equal(follow.code, 0, follow.stderr);
    assert.equal(follow.stdout, 'n1\nn2\nn3\nn4\nn5\n');
    const missing = await kubectl(kc, ['logs', 'kp', '-c', 'nope']);
    assert.notEqual(missing.code, 0);
    // /healthz and /metrics on the same socket
    assert.equal(await socketGet(server.socketPath, '/healthz'), 'ok\n');
    const metrics = await socketGet(server.socketPath, '/metrics');
    assert.match(metrics, /^kubelet_node_name\{node="n1"\} 1$/m);
    assert.match(metrics, /^kubelet_running_pods 1$/m);
    assert.match(metrics, /^kubelet_http_requests_total\{method="GET",path="containerLogs",server_type="readwrite",long_running="false"\} \d+$/m);
    assert.match(metrics, /^kubelet_http_requests_total\{method="GET",path="exec",server_type="readwrite",long_running="true"\} [1-9]\d*$/m);
  } finally {
    await front?.close();
    await server?.close();
    await rt.kill('uid-kp', 0);
    killMentioning(stateDir);
    await node.cleanup();
  }
  assert.deepEqual(processesMentioning(stateDir), []);
});
