/**
 * Issue 17, scale: `podnet lab up --agent-mode shared` runs ONE agent process for every node. The
 * process stays in the host's netns (it enters each node's for kernel work), yet each node's kernel
 * holds its own overlay device, Service rules and pod routes; pods on three nodes talk through a
 * Service; a `kill -9` of the shared process while objects change, and a restart, converge: the
 * pods keep their sandboxes (adopted, not recreated), the Service created meanwhile reaches every
 * node's rules and carries traffic. `lab down` leaves nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, readdirSync, existsSync } from 'node:fs';
import { PODNET, labKubectl, labLeftovers, must, run, until, echoServersListening, randomLabName } from '../support/lab.js';
import { hostNetnsId } from '../../src/net/whereami.js';
import { rootSnapshot, snapshotDiff } from '../support/faults.js';

interface PodJ { metadata: { name: string }; spec: { nodeName: string }; status: { phase?: string; podIP?: string } }

const echoPod = (name: string, node: string, app: string): string => [
  'apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}, namespace: default, labels: {app: ${app}}}`, 'spec:',
  `  nodeName: ${node}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n');
const service = (name: string, app: string): string => [
  'apiVersion: v1', 'kind: Service', `metadata: {name: ${name}, namespace: default}`, 'spec:',
  `  selector: {app: ${app}}`, '  ports: [{name: http, port: 80, targetPort: 8080}]'].join('\n');

test('shared agent mode: one process for 3 nodes, pods across nodes through a Service, kill -9 + restart converges', { timeout: 300_000 }, async (t) => {
  const lab = randomLabName('shag');
  const t0 = Date.now();
  let failed = false;
  // the host's own network, as the shared agent (which lives in the host's netns) must leave it
  const NET_KEYS = ['links', 'addrs', 'routes', 'rules', 'iptables', 'nft'];
  const hostNet = async (): Promise<Record<string, string>> => Object.fromEntries(Object.entries(await rootSnapshot(hostNetnsId())).filter(([k]) => NET_KEYS.includes(k)));
  const hostBefore = await hostNet();
  try {
    const up = await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '3', '--agent-mode', 'shared'], { timeoutMs: 180_000 });
    assert.match(up, /one shared process for all node netns/);
    const pidDir = `/run/podnet/${lab}/pids`;
    const pidFiles = readdirSync(pidDir);
    assert.ok(pidFiles.includes('agents.pid'), `the shared agent's pid file (${pidFiles.join(' ')})`);
    assert.ok(!pidFiles.some((f) => f.startsWith('agent-')), `no per-node agent (${pidFiles.join(' ')})`);
    const sharedPid = (): number => (JSON.parse(readFileSync(`${pidDir}/agents.pid`, 'utf8')) as { pid: number }).pid;
    const pid1 = sharedPid();
    // it stays in the host's netns: every node's kernel work is sent into that node's namespace
    assert.equal(readlinkSync(`/proc/${pid1}/ns/net`), hostNetnsId());
    const nodes = ['node1', 'node2', 'node3'];
    const inNode = (node: string, argv: string[]): Promise<string> => must('ip', ['netns', 'exec', `pn-${lab}-${node}`, ...argv]);
    for (const n of nodes) {
      assert.match(await inNode(n, ['ip', '-d', 'link', 'show', 'flannel.1']), /vxlan id 1/, `${n}: flannel.1 in its own netns`);
      assert.match(await inNode(n, ['iptables-save', '-t', 'nat']), /^:KUBE-SERVICES/m, `${n}: kube-proxy rules in its own netns`);
    }
    const kubectl = labKubectl(lab);
    await kubectl(['apply', '-f', '-'], [...nodes.map((n, i) => echoPod(`e${i + 1}`, n, 'sh')), service('web', 'sh')].join('\n---\n') + '\n');
    const podsOf = async (app: string, count: number): Promise<PodJ[]> => until(`${count} pods of ${app} Running`, async () => {
      const l = JSON.parse(await kubectl(['get', 'pods', '-l', `app=${app}`, '-o', 'json'])) as { items: PodJ[] };
      const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
      return ok.length === count ? ok : undefined;
    }, 60_000);
    const pods = await podsOf('sh', 3);
    await echoServersListening(kubectl, pods.map((p) => p.metadata.name));
    const ip = (await kubectl(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    // from the pod on node1: the Service reaches the pods on the other nodes (the echo names the pod)
    const viaService = async (from: string, svcIP: string, want: string[]): Promise<Set<string>> => until(`${from} → ${svcIP} reaches ${want.join(', ')}`, async () => {
      const out = await kubectl(['exec', from, '--', 'sh', '-c', `for i in $(seq 1 24); do curl -s --max-time 2 http://${svcIP}/; echo; done`]);
      const seen = new Set([...out.matchAll(/pod=(\S+)/g)].map((m) => m[1]!));
      return want.every((w) => seen.has(w)) ? seen : undefined;
    }, 30_000);
    const seen = await viaService('e1', ip, ['e2', 'e3']);
    t.diagnostic(`e1 → web ${ip}: answered by ${[...seen].sort().join(', ')}`);

    // kill -9 the shared process; change the cluster while no agent runs
    const sandboxes = new Set(readdirSync('/run/netns').filter((n) => n.startsWith('cni-')));
    process.kill(pid1, 'SIGKILL');
    // gone, or a zombie not yet reaped
    await until('the shared agent gone', async () => { try { return readFileSync(`/proc/${pid1}/stat`, 'utf8').split(') ')[1]!.startsWith('Z'); } catch { return true; } }, 10_000);
    await kubectl(['apply', '-f', '-'], [echoPod('f1', 'node3', 'late'), service('late', 'late')].join('\n---\n') + '\n');
    const lateIP = (await kubectl(['get', 'svc', 'late', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const restart = await must(PODNET, ['lab', 'restart-agent', '--name', lab, 'node1']);
    assert.match(restart, /restarted \(pid \d+\)/);
    assert.notEqual(sharedPid(), pid1);
    const late = await podsOf('late', 1);
    await echoServersListening(kubectl, ['f1']);
    // the new Service's rules reach every node's kernel, and it carries traffic from another node
    for (const n of nodes) {
      await until(`${n}: rules for ${lateIP}`, async () => (await inNode(n, ['iptables-save', '-t', 'nat'])).includes(`-d ${lateIP}/32`), 30_000);
    }
    await viaService('e1', lateIP, ['f1']);
    // the old pods were adopted: same sandboxes, same IPs, still answering through the old Service
    const after = await podsOf('sh', 3);
    assert.deepEqual(after.map((p) => `${p.metadata.name}=${p.status.podIP}`).sort(), pods.map((p) => `${p.metadata.name}=${p.status.podIP}`).sort());
    const nowSandboxes = new Set(readdirSync('/run/netns').filter((n) => n.startsWith('cni-')));
    for (const s of sandboxes) assert.ok(nowSandboxes.has(s), `sandbox ${s} kept across the restart`);
    await viaService('e2', ip, ['e1', 'e3']);
    // all that kernel work, and none of it in the host's namespace
    assert.deepEqual(snapshotDiff(hostBefore, await hostNet()), [], 'the host netns: links, addresses, routes, rules, iptables, nft unchanged');
    t.diagnostic(`late pod ${late[0]!.metadata.name} ${late[0]!.status.podIP} on ${late[0]!.spec.nodeName} via ${lateIP}; ${((Date.now() - t0) / 1000).toFixed(1)} s before down`);
  } catch (e) {
    // the shared agent's log says why (the lab dir goes with lab down)
    const log = `/run/podnet/${lab}/logs/agents.log`;
    if (existsSync(log)) t.diagnostic(`agents.log (warnings and errors, last 20):\n${readFileSync(log, 'utf8').split('\n').filter((l) => /"level":[45]0/.test(l)).slice(-20).map((l) => l.slice(0, 400)).join('\n')}`);
    failed = true;
    throw e;
  } finally {
    const down = await run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 120_000 });
    const left = labLeftovers(lab);
    if (failed) t.diagnostic(`lab down: ${down.code}; left: ${left.join('; ') || 'nothing'}`);
    else {
      assert.equal(down.code, 0, `lab down: ${down.stderr}`);
      assert.deepEqual(left, [], 'nothing of the lab left');
      assert.ok(!existsSync(`/run/podnet/${lab}`));
    }
    t.diagnostic(`whole test ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
});
