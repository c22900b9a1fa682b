/**
 * Acceptance 7 with the real API server and the real kubectl: a kubelet registers its Node, runs a
 * pod bound to it (sandbox + CNI with the reference plugins inside a test node netns), reports
 * status, and `kubectl logs` / `kubectl exec POD -- cat /etc/resolv.conf` reach it through the
 * apiserver's proxy to the kubelet socket. Deleting the pod removes it and everything on the node.
 * The kubelet runs as its own process inside the node netns when the API has a unix socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '../support/apiserver.js';
import { makeTestNode, processesMentioning, killMentioning, waitUntil, netnsMounted, removeLeftoverSandboxes } from '../support/kubelet.js';

const here = dirname(fileURLToPath(import.meta.url));
const mainJs = join(here, '..', '..', 'src', 'cli', 'main.js');

test('kubelet with the real apiserver: node Ready, pod Running, kubectl logs and exec', async () => {
  const node = await makeTestNode();
  // kubelet sockets are trusted only under this root, and only as the node's own credential reports them
  const api = await startApiServer({ extraArgs: ['--kubelet-socket-root', node.dir] }).catch(async (e: unknown) => { await node.cleanup(); throw e; });
  const stateDir = join(node.dir, 'kubelet');
  const nodeName = `tkub-${node.name.slice(-4)}`;
  let child: ChildProcess | undefined;
  let stopInProc: (() => void) | undefined;
  const kubectl = async (...args: string[]): Promise<string> => (await api.kubectl(args)).stdout;
  try {
    writeFileSync(join(node.dir, 'resolv.conf'), 'nameserver 192.168.250.1\n');
    const args = ['--node-name', nodeName, '--state-dir', stateDir, '--node-ip', '192.168.250.10', '--cni-conf-dir', node.confDir,
      '--cni-bin-dir', '/usr/lib/cni', '--cni-cache-dir', node.cacheDir, '--cluster-dns', '10.96.0.10', '--resolv-conf', join(node.dir, 'resolv.conf')];
    // the kubelet's own credential (system:node:<name>): only it may register the kubelet endpoint
    const nodeKc = join(node.dir, 'kubeconfig');
    writeFileSync(nodeKc, execFileSync(process.execPath, [mainJs, 'kubeconfig', '--data-dir', api.dataDir, '--user', `system:node:${nodeName}`, '--group', 'system:nodes']));
    if (api.socketPath) {
      // the agent's own process, inside the node's netns, reaching the API over its unix socket
      const kc = nodeKc;
      writeFileSync(kc, readFileSync(kc, 'utf8').replace(/server: .*/, `server: unix://${api.socketPath}`));
      child = spawn('nsenter', [`--net=${node.netnsPath}`, '--', process.execPath, mainJs, 'kubelet', '--kubeconfig', kc, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    } else {
      const { startKubelet } = await import('../../src/kubelet/index.js');
      const { CniRuntime } = await import('../../src/cni/runtime/index.js');
      const ac = new AbortController();
      stopInProc = () => ac.abort();
      await startKubelet({
        nodeName, kubeconfig: nodeKc, stateDir, nodeIP: '192.168.250.10', clusterDNS: ['10.96.0.10'], resolvConf: join(node.dir, 'resolv.conf'),
        network: new CniRuntime({ confDir: node.confDir, binDirs: ['/usr/lib/cni'], cacheDir: node.cacheDir, netns: node.netnsPath }),
      }, ac.signal);
    }
    await waitUntil(async () => (await kubectl('get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')).trim() === 'True' || undefined, 60_000, 'node Ready');
    const nodeJson = JSON.parse(await kubectl('get', 'node', nodeName, '-o', 'json')) as { status: { addresses: { type: string; address: string }[]; nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } } };
    assert.deepEqual(nodeJson.status.addresses.find((a) => a.type === 'InternalIP')?.address, '192.168.250.10');
    assert.match(nodeJson.status.nodeInfo.kubeletVersion, /^v1\.32\./);
    assert.equal(nodeJson.status.nodeInfo.containerRuntimeVersion, 'podnet://0.1.0');

    const manifest = join(node.dir, 'pod.yaml');
    writeFileSync(manifest, JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tkub-pod', namespace: 'default' },
      spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'podnet/shell', command: ['sh', '-c', 'echo started-$(hostname); exec sleep 1000'] }] },
    }));
    await kubectl('apply', '-f', manifest);
    await waitUntil(async () => (await kubectl('get', 'pod', 'tkub-pod', '-o', 'jsonpath={.status.phase}')).trim() === 'Running' || undefined, 60_000, 'pod Running');
    const podIP = (await kubectl('get', 'pod', 'tkub-pod', '-o', 'jsonpath={.status.podIP}')).trim();
    assert.match(podIP, /^10\.\d+\.7\.\d+$/);

    const logs = await waitUntil(async () => { const l = await kubectl('logs', 'tkub-pod'); return l.includes('started') ? l : undefined; }, 30_000, 'kubectl logs');
    assert.equal(logs, 'started-tkub-pod\n');
    // no previous container: upstream's 400 with the kubelet's words, as a Status
    const prev = await api.kubectlRaw(['logs', '--previous', 'tkub-pod']);
    assert.notEqual(prev.code, 0);
    assert.equal(prev.stderr.trim(), 'Error from server (BadRequest): previous terminated container "main" in pod "tkub-pod" not found');
    const resolv = await kubectl('exec', 'tkub-pod', '--', 'cat', '/etc/resolv.conf');
    assert.equal(resolv, 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');

    const uid = (await kubectl('get', 'pod', 'tkub-pod', '-o', 'jsonpath={.metadata.uid}')).trim();
    const netnsName = (JSON.parse(readFileSync(join(stateDir, 'pods', uid, 'state.json'), 'utf8')) as { netnsName: string }).netnsName;
    assert.ok(netnsMounted(netnsName));
    await kubectl('delete', 'pod', 'tkub-pod', '--wait=true', '--timeout=30s');
    await waitUntil(() => readdirSync(join(stateDir, 'pods')).length === 0 || undefined, 30_000, 'pod state removed');
    assert.deepEqual(readdirSync(join(stateDir, 'logs')), []);
    assert.equal(netnsMounted(netnsName), false);
    assert.match(await kubectl('get', 'pods', '-o', 'name'), /^$/);
  } finally {
    stopInProc?.();
    if (child?.pid) { child.kill('SIGTERM'); await new Promise((r) => child!.once('exit', r)); }
    killMentioning(stateDir);
    await removeLeftoverSandboxes(stateDir, node);
    await api.stop();
    await node.cleanup();
    assert.deepEqual(processesMentioning(stateDir), []);
  }
});
