/**
 * Issue 17, robustness item 2: kill -9 of a node agent during pod churn and traffic.
 * A 2-node lab; an echo pod pinned on each node ("anchors", each behind a Service, each under a
 * NetworkPolicy), a Deployment `web` behind a Service, a NetworkPolicy selecting it. Held open the
 * whole time: TCP connections node1 → anchor-b (pod IP, across the overlay), node1 → Service
 * anchor-b (ClusterIP), node2 → anchor-a (pod IP, from the killed node); and HTTP traffic from node1
 * through Service web (test/support/loadgen.ts, 200 req/s).
 * Each round: the rules of both nodes are saved; the Deployment scales 2 → 6 and 4 pods pinned to
 * node2 are created; a random 0–1.5 s later node2's agent gets SIGKILL (mid CNI ADDs); while it is
 * dead the pinned pods are deleted and the Deployment scales back to 2 (the newest pods go first, so
 * the original endpoints stay); the agent is restarted as the README documents
 * (`podnet lab restart-agent`). Asserted once the cluster settled:
 * - every pod IP once: in the API, in host-local's allocations, in the kernel (the cni-* netns' eth0);
 * - nothing leaked: each node's allocations, CNI cache entries and veths match the pods the API has
 *   on that node, no sandbox netns beyond the pods, no process left in an unnamed netns;
 * - the held connections still exchange bytes after the restart;
 * - iptables-save and nft list ruleset of both nodes (counters removed) equal those before the kill;
 * - no HTTP request through the Service failed after the cluster settled.
 * The suite runs 1 round; PODNET_FAULTS_FULL=1 runs 8 (PODNET_FAULTS_AGENT_ROUNDS overrides).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PODNET, must, until, labKubectl, labLeftovers, cniNetns, labDown, randomLabName, echoServersListening } from '../support/lab.js';
import { newLeftovers, FAULTS_FULL, labPids, iptablesNormalized, nftNormalized } from '../support/faults.js';
import type { LoadSummary } from '../support/loadgen.js';
import type { HoldResult } from '../support/holdconn.js';
import { procStartTime } from '../../src/net/proc.js';

const here = dirname(fileURLToPath(import.meta.url));
const LOADGEN = join(here, '..', 'support', 'loadgen.js');
const HOLDCONN = join(here, '..', 'support', 'holdconn.js');
const ROUNDS = Number(process.env.PODNET_FAULTS_AGENT_ROUNDS ?? (FAULTS_FULL ? 8 : 1));
const NODES = ['node1', 'node2'];

interface ApiPod { name: string; node: string; ip: string; hostNetwork: boolean; phase: string; deleting: boolean }

function startClient(lab: string, where: string, script: string, args: string[]): { p: ChildProcessWithoutNullStreams; out: () => string; done: Promise<void> } {
  const p = spawn(PODNET, ['lab', 'exec', '--name', lab, where, '--', process.execPath, script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  p.stderr.on('data', (d: Buffer) => { out += d.toString().split('\n').filter((l) => !l.startsWith('loadgen t=')).join('\n'); });
  return { p, out: () => out, done: new Promise<void>((r) => p.once('close', () => r())) };
}

test(`kill -9 of a node agent during pod churn and traffic (${ROUNDS} round(s))`, { timeout: 120_000 + ROUNDS * 120_000 }, async (t) => {
  const lab = randomLabName('fag');
  const cniBefore = cniNetns();
  const baseline = labLeftovers(lab);
  const clients: ChildProcessWithoutNullStreams[] = [];
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2'], { timeoutMs: 240_000 });
    const kubectl = labKubectl(lab);
    const anchor = (x: string, node: string): string[] => [
      'apiVersion: v1', 'kind: Pod', `metadata: {name: anchor-${x}, labels: {app: anchor-${x}}}`,
      `spec: {nodeName: ${node}, terminationGracePeriodSeconds: 1, containers: [{name: echo, image: podnet/echo}]}`,
      '---', 'apiVersion: v1', 'kind: Service', `metadata: {name: anchor-${x}}`,
      `spec: {selector: {app: anchor-${x}}, ports: [{port: 9000, targetPort: 9000}]}`,
      '---', 'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', `metadata: {name: anchor-${x}}`,
      `spec: {podSelector: {matchLabels: {app: anchor-${x}}}, policyTypes: [Ingress], ingress: [{ports: [{port: 9000, protocol: TCP}]}]}`, '---',
    ];
    await kubectl(['apply', '-f', '-'], [...anchor('a', 'node1'), ...anchor('b', 'node2'),
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}',
      'spec:', '  replicas: 2', '  selector: {matchLabels: {app: web}}',
      '  template:', '    metadata: {labels: {app: web}}',
      '    spec: {terminationGracePeriodSeconds: 1, containers: [{name: echo, image: podnet/echo}]}',
      '---', 'apiVersion: v1', 'kind: Service', 'metadata: {name: web}',
      'spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}',
      '---', 'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {name: web}',
      'spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{ports: [{port: 8080, protocol: TCP}]}]}', '',
    ].join('\n'));
    await kubectl(['rollout', 'status', 'deploy/web', '--timeout=120s']);
    await until('anchors Running', async () => (await kubectl(['get', 'pods', 'anchor-a', 'anchor-b', '-o', 'jsonpath={.items[*].status.phase}'])) === 'Running Running', 90_000);
    const web0 = (await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/);
    await echoServersListening(kubectl, ['anchor-a', 'anchor-b', ...web0]);
    const get = async (what: string, path: string): Promise<string> => (await kubectl(['get', ...what.split(' '), '-o', `jsonpath=${path}`])).trim();
    const ipA = await get('pod anchor-a', '{.status.podIP}');
    const ipB = await get('pod anchor-b', '{.status.podIP}');
    const svcB = await get('svc anchor-b', '{.spec.clusterIP}');
    const svcWeb = await get('svc web', '{.spec.clusterIP}');
    await until('Service web answers from node1', async () => (await must(PODNET, ['lab', 'exec', '--name', lab, 'node1', '--', 'curl', '-s', '-m', '2', `http://${svcWeb}/`])).startsWith('pod='), 30_000);

    const hold1 = startClient(lab, 'node1', HOLDCONN, [`${ipB}:9000`, `${svcB}:9000`]);
    const hold2 = startClient(lab, 'node2', HOLDCONN, [`${ipA}:9000`]);
    const load = startClient(lab, 'node1', LOADGEN, ['--target', `${svcWeb}:80`, '--rate', '200', '--duration', String(60 + ROUNDS * 90), '--conns', '10', '--per-conn', '50']);
    clients.push(hold1.p, hold2.p, load.p);
    await until('held connections up', async () => /^connected$/m.test(hold1.out()) && /^connected$/m.test(hold2.out()), 30_000);

    const apiPods = async (): Promise<ApiPod[]> => JSON.parse(await kubectl(['get', 'pods', '-A', '-o', 'json'])).items.map((p: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string; hostNetwork?: boolean }; status: { podIP?: string; phase?: string } }) => ({
      name: p.metadata.name, node: p.spec.nodeName ?? '', ip: p.status.podIP ?? '', hostNetwork: !!p.spec.hostNetwork, phase: p.status.phase ?? '', deleting: !!p.metadata.deletionTimestamp,
    }));
    const rules = async (): Promise<string> => (await Promise.all(NODES.map(async (n) => `== ${n} iptables\n${await iptablesNormalized(lab, n)}\n== ${n} nft\n${await nftNormalized(lab, n)}`))).join('\n');
    const lexec = (where: string, ...cmd: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, where, '--', ...cmd]);
    /** What the kernel and the agents' state dirs hold, per node, and each pod sandbox's address. */
    const kernelState = async (): Promise<{ perNode: Record<string, { alloc: string[]; cache: number; veths: number }>; sandboxIPs: string[] }> => {
      const perNode: Record<string, { alloc: string[]; cache: number; veths: number }> = {};
      for (const n of NODES) {
        const dir = `/run/podnet/${lab}/nodes/${n}/state/cni`;
        const nets = existsSync(`${dir}/networks`) ? readdirSync(`${dir}/networks`) : [];
        const alloc = nets.flatMap((net) => readdirSync(`${dir}/networks/${net}`).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f))).sort();
        const cache = existsSync(`${dir}/cache/results`) ? readdirSync(`${dir}/cache/results`).length : 0;
        // the pods' host-side veths (the node's own eth0 is a veth to the underlay too)
        const veths = (await lexec(n, 'ip', '-o', 'link', 'show', 'type', 'veth')).trim().split('\n').filter((l) => l && !/^\d+: eth0@/.test(l)).length;
        perNode[n] = { alloc, cache, veths };
      }
      const sandboxIPs: string[] = [];
      for (const ns of [...cniNetns()].filter((x) => !cniBefore.has(x))) {
        const out = await must('ip', ['-n', ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0']).catch(() => '');
        sandboxIPs.push(/inet (\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1] ?? `(no address in ${ns})`);
      }
      return { perNode, sandboxIPs: sandboxIPs.sort() };
    };

    const restarts: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const before = await rules();
      const agent = labPids(lab).get('agent-node2')!;
      await kubectl(['scale', 'deploy/web', '--replicas=6']);
      await kubectl(['apply', '-f', '-'], Array.from({ length: 4 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: churn-${round}-${i}, labels: {churn: "1"}}\nspec: {nodeName: node2, terminationGracePeriodSeconds: 1, containers: [{name: c, image: podnet/shell, command: [sleep, infinity]}]}\n`).join('---\n'));
      const delay = Math.floor(Math.random() * 1500);
      await new Promise((r) => setTimeout(r, delay));
      const node2Pods = (await apiPods()).filter((p) => p.node === 'node2');
      process.kill(agent.pid, 'SIGKILL');
      const killedAt = Date.now();
      await until('the agent gone', async () => procStartTime(agent.pid) === undefined, 10_000);
      // while it is dead: the churn pods go, the Deployment scales back (newest first: the original two stay)
      await kubectl(['delete', 'pods', '-l', 'churn=1', '--wait=false']);
      await kubectl(['scale', 'deploy/web', '--replicas=2']);
      await new Promise((r) => setTimeout(r, 1000));
      const out = await must(PODNET, ['lab', 'restart-agent', '--name', lab, 'node2']);
      assert.match(out, /agent of node2 restarted/);
      const settled = await until('the cluster settled', async () => {
        const ps = await apiPods();
        if (ps.some((p) => p.deleting || p.phase !== 'Running' || p.name.startsWith('churn-'))) return false;
        if (ps.filter((p) => p.name.startsWith('web-')).length !== 2) return false;
        return ps;
      }, 90_000);
      const ready = Date.now();
      const state = await until('kernel and disk state match the pods', async () => {
        const s = await kernelState();
        const podIPs = settled.filter((p) => !p.hostNetwork).map((p) => p.ip).sort();
        const okNodes = NODES.every((n) => {
          const mine = settled.filter((p) => !p.hostNetwork && p.node === n);
          const st = s.perNode[n]!;
          return JSON.stringify(st.alloc) === JSON.stringify(mine.map((p) => p.ip).sort()) && st.cache === mine.length && st.veths === mine.length;
        });
        return okNodes && JSON.stringify(s.sandboxIPs) === JSON.stringify(podIPs) ? s : undefined;
      }, 30_000).catch(async () => kernelState());
      const after = await until('rules equal to those before the kill', async () => { const r = await rules(); return r === before ? r : undefined; }, 30_000).catch(async () => rules());
      restarts.push(`round ${round + 1}: killed ${delay} ms into the churn (node2 had ${node2Pods.length} pods, ${node2Pods.filter((p) => p.phase !== 'Running').length} not Running yet); settled ${((ready - killedAt) / 1000).toFixed(1)} s after the kill`);
      const podIPs = settled.filter((p) => !p.hostNetwork).map((p) => p.ip);
      assert.equal(new Set(podIPs).size, podIPs.length, `no pod IP twice in the API: ${podIPs.join(' ')}`);
      assert.deepEqual(state.sandboxIPs, [...podIPs].sort(), 'one sandbox netns per pod, each with its pod\'s address (no leaked or duplicate sandbox)');
      // a container whose pod is gone keeps running in an unnamed netns (its sandbox's name removed)
      assert.deepEqual(newLeftovers(lab, baseline).filter((l) => l.includes('in an unnamed netns')), [], 'no process outlived its pod sandbox');
      for (const n of NODES) {
        const mine = settled.filter((p) => !p.hostNetwork && p.node === n);
        assert.deepEqual(state.perNode[n]!.alloc, mine.map((p) => p.ip).sort(), `${n}: host-local allocations = its pods' IPs`);
        assert.equal(state.perNode[n]!.cache, mine.length, `${n}: one CNI cache entry per pod`);
        assert.equal(state.perNode[n]!.veths, mine.length, `${n}: one veth per pod`);
      }
      if (after !== before) {
        const a = after.split('\n'); const b = new Set(before.split('\n'));
        const ab = new Set(a);
        assert.fail(`rules differ after the restart:\n+ ${a.filter((l) => !b.has(l)).slice(0, 20).join('\n+ ')}\n- ${before.split('\n').filter((l) => !ab.has(l)).slice(0, 20).join('\n- ')}`);
      }
      t.diagnostic(`${restarts.at(-1)}; ${podIPs.length} pods, allocations ${NODES.map((n) => `${n}=${state.perNode[n]!.alloc.length}`).join(' ')}, rules ${before.split('\n').length} lines equal before/after`);
    }
    const settledAt = Date.now();
    await new Promise((r) => setTimeout(r, 2000));

    hold1.p.stdin.end('stop\n'); hold2.p.stdin.end('stop\n'); load.p.stdin.end(); // EOF stops the load generator
    await Promise.race([Promise.all([hold1.done, hold2.done]), new Promise((r) => setTimeout(r, 30_000).unref())]);
    const held = [hold1.out(), hold2.out()].map((o) => o.trim().split('\n').pop() ?? '');
    const results = held.flatMap((l) => (l.startsWith('[') ? JSON.parse(l) as HoldResult[] : [{ to: l, roundTrips: 0, broken: `no result: ${l}` }]));
    t.diagnostic(`held connections: ${results.map((r) => `${r.to} ${r.roundTrips} round trips${r.broken ? ` BROKEN ${r.broken}` : ''}`).join('; ')}`);
    for (const r of results) assert.equal(r.broken, undefined, `connection to ${r.to} intact across the agent kill and restart`);
    await Promise.race([load.done, new Promise((r) => setTimeout(r, 15_000).unref())]);
    const last = load.out().trim().split('\n').pop() ?? '';
    assert.ok(last.startsWith('{'), `load generator summary: ${load.out()}`);
    const sum = JSON.parse(last) as LoadSummary;
    const late = sum.failures.filter((f) => f.at >= settledAt);
    t.diagnostic(`Service web: ${sum.sent} requests, ${sum.ok} ok, ${sum.failed} failed during the churn (${JSON.stringify(sum.failureCount)}), ${late.length} after the cluster settled`);
    assert.ok(sum.ok > 0, 'requests went through the Service');
    assert.deepEqual(late, [], 'no failed request after the cluster settled');
  } finally {
    for (const c of clients) { c.stdin.end(); if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); }
    await labDown(lab);
  }
  assert.deepEqual(newLeftovers(lab, baseline), []);
  assert.deepEqual([...cniNetns()].filter((n) => !cniBefore.has(n)), [], 'no pod sandbox left');
});
