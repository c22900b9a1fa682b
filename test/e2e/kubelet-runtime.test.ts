/**
 * The kubelet's sandbox/container layer on the real kernel, without an API server: pause sandbox
 * in its own netns (ip netns identify, nsenter), CNI ADD/DEL through the runtime with the
 * reference bridge+host-local plugins inside a test node netns, containers with their own
 * hostname/resolv.conf/hosts, CRI logs, exec over the kubelet API's WebSocket, readiness probes,
 * crash-loop restarts, adoption after a restart, and deletion leaving nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../../src/util/exec.js';
import { createLogger } from '../../src/util/log.js';
import { CniRuntime } from '../../src/cni/runtime/index.js';
import { PodRuntime, type PodEvent } from '../../src/kubelet/runtime.js';
import { startKubeletServer } from '../../src/kubelet/server.js';
import type { PodLite } from '../../src/kubelet/types.js';
import { makeTestNode, socketGet, wsExec, processesMentioning, killMentioning, waitUntil, netnsMounted } from '../support/kubelet.js';

const log = createLogger('kubelet-test', process.env.PODNET_LOG_LEVEL ?? 'warn');

function pod(name: string, uid: string, spec: Partial<PodLite['spec']> & { containers: PodLite['spec']['containers'] }): PodLite {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'team-a', uid }, spec: { nodeName: 'n1', ...spec } };
}

test('kubelet runtime: sandbox, containers, logs, exec, probes, restarts, adoption, deletion', async () => {
  const node = await makeTestNode();
  const stateDir = join(node.dir, 'kubelet');
  const net = new CniRuntime({ confDir: node.confDir, binDirs: ['/usr/lib/cni'], cacheDir: node.cacheDir, netns: node.netnsPath });
  const mk = (): PodRuntime => new PodRuntime({ stateDir, nodeName: 'n1', nodeIP: '192.168.200.1', clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', network: net, backoffBaseMs: 200, backoffCapMs: 1000, log, onEvent: (e) => events.push(e) });
  const events: PodEvent[] = [];
  let rt = mk();
  const netnsNames: string[] = [];
  const pausePids: number[] = [];
  let server: Awaited<ReturnType<typeof startKubeletServer>> | undefined;
  try {
    const web = pod('web', 'uid-web', {
      containers: [
        { name: 'echo', image: 'podnet/echo', readinessProbe: { httpGet: { port: 8080, path: '/' }, periodSeconds: 1 } },
        { name: 'sh', image: 'podnet/shell', command: ['sh', '-c', 'echo hello-out; echo hello-err >&2; exec sleep 1000'] },
      ],
      hostAliases: [{ ip: '10.1.2.3', hostnames: ['db.example'] }],
    });
    const crash = pod('crash', 'uid-crash', { restartPolicy: 'Always', containers: [{ name: 'c', image: 'podnet/shell', command: ['sh', '-c', 'echo run; exit 3'] }] });
    const bad = pod('bad', 'uid-bad', { containers: [{ name: 'c', image: 'nginx:1.25' }] });
    // liveness: tcp 7777 is never served, so the container is killed and restarted
    const sick = pod('sick', 'uid-sick', { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'podnet/shell', livenessProbe: { tcpSocket: { port: 7777 }, periodSeconds: 1, failureThreshold: 2 } }] });
    for (const p of [web, crash, bad, sick]) await rt.sync(p);
    const rec = rt.record('uid-web')!;
    netnsNames.push(rec.netnsName, rt.record('uid-crash')!.netnsName, rt.record('uid-bad')!.netnsName, rt.record('uid-sick')!.netnsName);
    pausePids.push(rec.pausePid);

    // sandbox: its own netns, named like the CRI runtimes do, with the CNI address on eth0
    assert.match(rec.netnsName, /^cni-[0-9a-f-]{36}$/);
    assert.equal((await exec(['ip', 'netns', 'identify', String(rec.pausePid)])).stdout.trim(), rec.netnsName);
    assert.match((await exec(['lsns', '-t', 'net', '-o', 'PID,NSFS,COMMAND', '-n'])).stdout, new RegExp(`${rec.pausePid}\\s+/run/netns/${rec.netnsName}\\s+/pause`));
    assert.equal(rec.podIPs.length, 1);
    const ip = rec.podIPs[0]!;
    assert.match((await exec(['nsenter', '-t', String(rec.pausePid), '-n', 'ip', '-4', '-o', 'addr', 'show', 'eth0'])).stdout, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));

    // echo answers from the node's netns with the pod's name and IP and the peer (the bridge gateway)
    const http = await waitUntil(async () => {
      const r = await exec(['ip', 'netns', 'exec', node.name, 'curl', '-s', '--max-time', '2', `http://${ip}:8080/`], { allowFail: true });
      return r.code === 0 ? r.stdout : undefined;
    }, 60_000, 'echo HTTP');
    assert.match(http, new RegExp(`^pod=web ip=${ip} peer=10\\.\\d+\\.7\\.1:\\d+`));

    // readiness probe feeds Ready
    await waitUntil(async () => { await rt.sync(web); const s = rt.view(rec, web); return s.containers.every((c) => c.ready) || undefined; }, 60_000, 'pod ready');
    const st = rt.statusIfChanged('uid-web')!;
    assert.equal(st.phase, 'Running');
    assert.equal(st.podIP, ip);
    assert.equal((st.conditions as { type: string; status: string }[]).find((c) => c.type === 'Ready')?.status, 'True');

    // bad image: waiting ErrImagePull, pod Pending
    const bst = rt.statusIfChanged('uid-bad')!;
    assert.equal(bst.phase, 'Pending');
    const bcs = (bst.containerStatuses as { state: { waiting?: { reason: string; message: string } } }[])[0]!;
    assert.match(bcs.state.waiting?.reason ?? '', /^(ErrImagePull|ImagePullBackOff)$/);
    assert.match(bcs.state.waiting!.message, /failed to pull and unpack image "nginx:1\.25": not built into podnet \(images: busybox, podnet\/shell, podnet\/echo/);

    // kubelet API: logs and exec
    const sock = join(stateDir, 'kubelet.sock');
    server = await startKubeletServer(sock, rt, log);
    const logs = await waitUntil(async () => { const r = await socketGet(sock, '/containerLogs/team-a/web/sh'); return r.body.includes('hello-err') ? r : undefined; }, 30_000, 'logs');
    assert.equal(logs.status, 200);
    assert.deepEqual(logs.body.split('\n').filter(Boolean).sort(), ['hello-err', 'hello-out']);
    const tsLogs = await socketGet(sock, '/containerLogs/team-a/web/sh?timestamps=true&tailLines=1');
    assert.match(tsLogs.body, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hello-(out|err)\n$/);
    assert.equal((await socketGet(sock, '/containerLogs/team-a/nope/sh')).status, 404);

    const resolv = await wsExec(sock, 'team-a', 'web', 'sh', ['cat', '/etc/resolv.conf']);
    assert.equal(resolv.protocol, 'v5.channel.k8s.io');
    assert.equal(resolv.stdout, 'search team-a.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    assert.deepEqual(resolv.status, { metadata: {}, status: 'Success' });
    const env = await wsExec(sock, 'team-a', 'web', 'sh', ['sh', '-c', 'tr "\\0" "\\n" < /proc/1/environ | sort']);
    assert.match(env.stdout, /^POD_NAME=web$/m);
    assert.match(env.stdout, new RegExp(`^POD_IP=${ip.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(env.stdout, /^POD_NAMESPACE=team-a$/m);
    assert.doesNotMatch(env.stdout, /^(LC_ALL|TZ)=/m);
    const ident = await wsExec(sock, 'team-a', 'web', 'echo', ['sh', '-c', 'hostname; cat /etc/hosts; readlink /proc/1/ns/pid; ip -4 -o addr show eth0'], { protocol: 'v4.channel.k8s.io' });
    assert.equal(ident.protocol, 'v4.channel.k8s.io');
    const lines = ident.stdout.split('\n');
    assert.equal(lines[0], 'web');
    assert.match(ident.stdout, new RegExp(`${ip.replace(/\./g, '\\.')}\\tweb\\n`));
    assert.match(ident.stdout, /10\.1\.2\.3\tdb\.example/);
    assert.match(ident.stdout, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
    const hostPidNs = (await exec(['readlink', '/proc/self/ns/pid'])).stdout.trim();
    assert.notEqual(ident.stdout.split('\n').find((l) => l.startsWith('pid:')), hostPidNs);
    const failing = await wsExec(sock, 'team-a', 'web', 'sh', ['sh', '-c', 'cat; echo oops >&2; exit 7'], { stdin: 'from-stdin' });
    assert.equal(failing.stdout, 'from-stdin');
    assert.equal(failing.stderr, 'oops\n');
    assert.equal(failing.status?.reason, 'NonZeroExitCode');
    assert.deepEqual((failing.status?.details as { causes: unknown[] }).causes, [{ reason: 'ExitCode', message: '7' }]);

    const tty = await wsExec(sock, 'team-a', 'web', 'sh', ['sh', '-c', 'tty; echo to-stderr >&2'], { tty: true });
    assert.match(tty.stdout, /^\/dev\/pts\/\d+\r\nto-stderr\r\n$/);
    assert.equal(tty.stderr, '');

    // crash loop: restarted with back-off, exit code in lastState
    const cst = await waitUntil(async () => {
      await rt.sync(crash);
      const v = rt.view(rt.record('uid-crash')!, crash).containers[0]!;
      return v.restartCount >= 2 ? v : undefined;
    }, 60_000, 'crash restarts');
    assert.equal(cst.lastTerminated?.exitCode, 3);
    assert.equal(cst.lastTerminated?.reason, 'Error');
    const clog = await socketGet(sock, '/containerLogs/team-a/crash/c?previous=true');
    assert.equal(clog.body, 'run\n');

    const sickView = await waitUntil(async () => {
      await rt.sync(sick);
      const v = rt.view(rt.record('uid-sick')!, sick).containers[0]!;
      return v.restartCount >= 1 ? v : undefined;
    }, 60_000, 'liveness restart');
    assert.equal(sickView.lastTerminated?.message, 'Container failed liveness probe, will be restarted');
    assert.equal(sickView.lastTerminated?.exitCode, 143);

    // events, as kubectl describe would list them
    const reasons = (name: string): string[] => events.filter((e) => e.name === name).map((e) => `${e.type}/${e.reason}`);
    assert.ok(reasons('web').includes('Normal/Started'));
    // as upstream: Failed (the pull, then Error: ErrImagePull), then BackOff/Failed ImagePullBackOff per back-off — not one per sync
    assert.deepEqual(reasons('bad').slice(0, 2), ['Warning/Failed', 'Warning/Failed']);
    assert.ok(reasons('bad').every((r) => r === 'Warning/Failed' || r === 'Normal/BackOff'), reasons('bad').join());
    assert.ok(events.filter((e) => e.name === 'bad').length < 12, 'events per back-off, not per sync');
    assert.ok(reasons('crash').includes('Warning/BackOff'));
    assert.ok(reasons('sick').includes('Warning/Unhealthy'));

    // restart-safety: a new runtime on the same state dir adopts the running sandbox and containers
    await server.close(); server = undefined;
    const echoPid = rec.containers.echo!.proc!.initPid;
    rt = mk();
    rt.loadState();
    await rt.sync(web);
    const again = rt.record('uid-web')!;
    assert.equal(again.pausePid, rec.pausePid);
    assert.equal(again.containers.echo!.proc!.initPid, echoPid);
    assert.equal(again.containers.echo!.restartCount, 0);

    // deletion: gc of pods the API no longer has removes everything (CNI DEL included)
    await rt.gc(new Set(['uid-web']));
    assert.deepEqual(readdirSync(join(stateDir, 'pods')), ['uid-web']);
    await rt.kill('uid-web', 2);
    for (const n of netnsNames) assert.equal(netnsMounted(n), false, `${n} still mounted`);
    assert.throws(() => process.kill(rec.pausePid, 0));
    assert.deepEqual(processesMentioning(stateDir), []);
    assert.deepEqual(readdirSync(join(stateDir, 'pods')), []);
    assert.deepEqual(readdirSync(join(stateDir, 'logs')), []);
    const cacheLeft = existsSync(join(node.cacheDir, 'results')) ? readdirSync(join(node.cacheDir, 'results')) : [];
    assert.deepEqual(cacheLeft, []);
    assert.doesNotMatch((await exec(['ip', '-n', node.name, '-o', 'link'])).stdout, /veth/);
  } finally {
    await server?.close();
    for (const uid of rt.uids()) await rt.kill(uid, 0).catch(() => undefined);
    killMentioning(stateDir);
    for (const p of pausePids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    for (const n of netnsNames) await exec(['ip', 'netns', 'delete', n], { allowFail: true });
    await node.cleanup();
  }
});
