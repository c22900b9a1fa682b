/**
 * Pod lifecycle as a cluster user sees it, on a 2-node lab with the real kubectl:
 * - honest states: `get -w` shows ContainerCreating; a pod deleted while it starts goes at once;
 *   `describe pod` shows Scheduled → Pulled → Created → Started from default-scheduler / kubelet;
 *   every metav1.Time is whole seconds;
 * - drain (issue 12 acceptance 5) with every kubectl 1.27–1.33 (eviction), 1.32/1.33
 *   `--disable-eviction` (protobuf DeleteOptions), a PodDisruptionBudget refusing an eviction (429);
 * - foreground cascading deletion keeps the Deployment until its ReplicaSet and pods are gone;
 *   orphan leaves the ReplicaSet without its owner reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PODNET, labDown, labLeftovers, must, randomLabName, run, until } from '../support/lab.js';
import { createClient, isNotFound, loadKubeconfig, R } from '../../src/client/index.js';
import type { KObject } from '../../src/meta/types.js';

const KUBECTL = (v: string): string => `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`;
const WHOLE_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

interface PodJ { metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string; ownerReferences?: { kind: string; name: string }[] }; spec: { nodeName?: string }; status: { phase?: string; startTime?: string; conditions?: { type: string; status: string; lastTransitionTime: string }[]; containerStatuses?: { state: { running?: { startedAt: string } } }[] } }

test('lifecycle: states, events, timestamps, drain with PDBs, foreground and orphan cascades', { timeout: 300_000 }, async (t) => {
  const lab = randomLabName('tlf');
  const env = { KUBECONFIG: `/run/podnet/${lab}/api/admin.kubeconfig` };
  const k = (v: string, args: string[]): Promise<string> => must(KUBECTL(v), args, { env });
  const kr = (v: string, args: string[]) => run(KUBECTL(v), args, { env });
  const pods = async (sel: string): Promise<PodJ[]> => (JSON.parse(await k('1.32', ['get', 'pods', '-l', sel, '-o', 'json'])) as { items: PodJ[] }).items;
  const started = Date.now();
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2'], { timeoutMs: 240_000 });
    t.diagnostic(`lab up ${Date.now() - started} ms`);

    await t.test('get -w shows ContainerCreating between Pending and Running', async () => {
      const w = spawn(KUBECTL('1.32'), ['get', 'pods', '-l', 'run=w1', '-w', '--no-headers'], { env: { ...process.env, ...env } });
      let out = '';
      w.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      try {
        await new Promise((r) => setTimeout(r, 500));
        await k('1.32', ['run', 'w1', '--image=podnet/echo']);
        await until('w1 Running in the watch', async () => /\bRunning\b/.test(out), 60_000);
      } finally { w.kill(); }
      const states = out.trim().split('\n').map((l) => l.trim().split(/\s+/)[2]);
      t.diagnostic(`watch: ${states.join(' → ')}`);
      assert.ok(states.includes('ContainerCreating'), out);
      assert.ok(states.indexOf('ContainerCreating') < states.lastIndexOf('Running'), out);
    });

    await t.test('describe pod: Scheduled → Pulled → Created → Started with upstream sources; times in whole seconds', async () => {
      const desc = await k('1.32', ['describe', 'pod', 'w1']);
      const ev = desc.slice(desc.indexOf('Events:')).split('\n').filter((l) => /^\s+(Normal|Warning)\s/.test(l)).map((l) => l.trim().split(/\s{2,}/));
      t.diagnostic(desc.slice(desc.indexOf('Events:')));
      const node = (JSON.parse(await k('1.32', ['get', 'pod', 'w1', '-o', 'json'])) as PodJ).spec.nodeName!;
      assert.deepEqual(ev.map((e) => [e[1], e[3]]), [['Scheduled', 'default-scheduler'], ['Pulled', 'kubelet'], ['Created', 'kubelet'], ['Started', 'kubelet']], desc);
      assert.equal(ev[0]![4], `Successfully assigned default/w1 to ${node}`);
      assert.equal(ev[1]![4], 'Container image "podnet/echo" already present on machine');
      assert.equal(ev[2]![4], 'Created container: w1');
      assert.equal(ev[3]![4], 'Started container w1');
      const p = JSON.parse(await k('1.32', ['get', 'pod', 'w1', '-o', 'json'])) as PodJ;
      const times = [p.metadata.creationTimestamp, p.status.startTime!, ...(p.status.conditions ?? []).map((c) => c.lastTransitionTime), p.status.containerStatuses![0]!.state.running!.startedAt];
      for (const ts of times) assert.match(ts, WHOLE_SECONDS);
      const events = JSON.parse(await k('1.32', ['get', 'events', '--field-selector', 'involvedObject.name=w1', '-o', 'json'])) as { items: { firstTimestamp: string; lastTimestamp: string; source: { component: string; host?: string } }[] };
      for (const e of events.items) { assert.match(e.firstTimestamp, WHOLE_SECONDS); assert.match(e.lastTimestamp, WHOLE_SECONDS); }
      assert.ok(events.items.filter((e) => e.source.component === 'kubelet').every((e) => e.source.host === node));
      const lease = JSON.parse(await k('1.32', ['get', 'lease', '-n', 'kube-node-lease', node, '-o', 'json'])) as { spec: { renewTime: string } };
      assert.match(lease.spec.renewTime, /\.\d{6}Z$/, 'MicroTime keeps microseconds');
    });

    await t.test('a pod deleted while it starts is gone without waiting for its grace period', async () => {
      // The container ignores SIGTERM: once running, its deletion takes the whole grace period (10 s).
      // The test deletes the pod the moment the scheduler binds it (a watch through the API), while
      // the kubelet sets up the sandbox and CNI; an attempt that loses the race (the container had
      // started: a Started event) proves nothing and is repeated.
      const client = createClient(loadKubeconfig(env.KUBECONFIG));
      try {
        let caught = 0;
        for (let attempt = 0; attempt < 3 && !caught; attempt++) {
          const name = `slow${attempt}`;
          const ac = new AbortController();
          const list = await client.list(R.pods('default'));
          const bound = (async () => {
            for await (const ev of client.watch<PodJ & KObject>(R.pods('default'), { resourceVersion: list.resourceVersion, fieldSelector: `metadata.name=${name}` }, ac.signal)) {
              if (ev.object.spec?.nodeName) return;
            }
          })();
          const t0 = Date.now();
          await client.create(R.pods('default'), { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 10,
            containers: [{ name: 'c', image: 'podnet/shell', command: ['sh', '-c', 'trap "" TERM; sleep 1000'] }] } } as KObject);
          await bound; ac.abort();
          const tBound = Date.now();
          await client.delete(R.pods('default'), name);
          await until(`${name} gone`, async () => client.get(R.pods('default'), name).then(() => false, (e: unknown) => isNotFound(e)), 30_000);
          const ms = Date.now() - tBound;
          const reasons = (await client.list<KObject & { reason?: string }>(R.events('default'), { fieldSelector: `involvedObject.name=${name}` })).items.map((e) => e.reason);
          t.diagnostic(`${name}: bound after ${tBound - t0} ms, deleted ${ms} ms after; events ${reasons.join(' ')}`);
          if (reasons.includes('Started')) continue; // lost the race: the container was running
          caught++;
          assert.ok(ms < 10_000, `a pod deleted while starting waited for its grace period (${ms} ms)`);
        }
        assert.equal(caught, 1, 'no attempt deleted the pod while it was starting');
      } finally { client.close(); }
    });

    await k('1.32', ['delete', 'pod', 'w1', '--wait=false']);
    await k('1.32', ['create', 'deployment', 'web', '--image=podnet/echo', '--replicas=4']);
    const allReady = async (): Promise<PodJ[] | undefined> => {
      const ps = (await pods('app=web')).filter((p) => !p.metadata.deletionTimestamp);
      return ps.length === 4 && ps.every((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ? ps : undefined;
    };
    await until('4 web pods ready', allReady, 60_000);

    await t.test('a DaemonSet runs one pod on each node (kubectl get ds, rollout status)', async () => {
      await must(KUBECTL('1.32'), ['create', '-f', '-'], { env, input: JSON.stringify({
        apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'podnet/echo' }] } } },
      }) });
      await k('1.32', ['rollout', 'status', 'ds/agent', '--timeout=60s']);
      const ps = await pods('app=agent');
      assert.deepEqual(ps.map((p) => p.spec.nodeName).sort(), ['node1', 'node2']);
      const table = await k('1.32', ['get', 'ds', 'agent']);
      t.diagnostic(table.trim());
      assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/m);
      assert.match(table, /^agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s+\d+s$/m);
    });

    await t.test('a PodDisruptionBudget with no disruption left refuses the eviction (429) and drain times out', async () => {
      await k('1.33', ['create', 'pdb', 'web', '--selector=app=web', '--min-available=4']);
      await until('pdb observed', async () => (JSON.parse(await k('1.32', ['get', 'pdb', 'web', '-o', 'json'])) as { status?: { currentHealthy?: number } }).status?.currentHealthy === 4, 30_000);
      const table = await k('1.32', ['get', 'pdb', 'web']);
      assert.match(table, /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/m);
      assert.match(table, /^web\s+4\s+N\/A\s+0\s+\d+s$/m);
      const r = await kr('1.33', ['drain', 'node1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=7s']);
      t.diagnostic(r.stderr.split('\n').slice(0, 3).join('\n'));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
      assert.equal((await until('4 web pods ready', allReady, 30_000)).length, 4, 'nothing was evicted');
      await k('1.32', ['uncordon', 'node1']);
      await k('1.32', ['delete', 'pdb', 'web']);
    });

    const drains: [string, string, string[]][] = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'].map((v, i) => [v, i % 2 ? 'node2' : 'node1', []]);
    drains.push(['1.32', 'node2', ['--disable-eviction']], ['1.33', 'node1', ['--disable-eviction']]);
    for (const [v, node, extra] of drains) {
      await t.test(`kubectl ${v} drain ${node} ${extra.join(' ')}: pods move to the other node, the node is cordoned and tainted`, async () => {
        const other = node === 'node1' ? 'node2' : 'node1';
        await k('1.32', ['uncordon', other]);
        await until('4 web pods ready', allReady, 60_000);
        const before = (await pods('app=web')).filter((p) => p.spec.nodeName === node).map((p) => p.metadata.name);
        const r = await kr(v, ['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s', ...extra]);
        assert.equal(r.code, 0, r.stderr);
        const out = r.stdout;
        t.diagnostic(`${r.stderr.trim()}\n${out.trim()}`);
        assert.match(out, new RegExp(`node/${node} cordoned`));
        assert.match(out, new RegExp(`node/${node} drained`));
        for (const p of before) assert.match(out, new RegExp(`pod/${p} ${extra.length ? 'deleted' : 'evicted'}`));
        const agent = (await pods('app=agent')).find((p) => p.spec.nodeName === node)!;
        assert.match(r.stderr, new RegExp(`Warning: ignoring DaemonSet-managed Pods: default/${agent.metadata.name}`));
        assert.equal(agent.metadata.deletionTimestamp, undefined, 'the DaemonSet pod stays');
        const ready = await until('4 web pods ready again', allReady, 60_000);
        assert.deepEqual([...new Set(ready.map((p) => p.spec.nodeName))], [other], 'the ReplicaSet recreated them elsewhere');
        const n = JSON.parse(await k('1.32', ['get', 'node', node, '-o', 'json'])) as { spec: { unschedulable?: boolean; taints?: { key: string; effect: string }[] } };
        assert.equal(n.spec.unschedulable, true);
        await until('unschedulable taint', async () => {
          const nn = JSON.parse(await k('1.32', ['get', 'node', node, '-o', 'json'])) as typeof n;
          return nn.spec.taints?.some((x) => x.key === 'node.kubernetes.io/unschedulable' && x.effect === 'NoSchedule');
        }, 20_000);
        assert.match(await k('1.32', ['get', 'node', node]), /Ready,SchedulingDisabled/);
      });
    }
    await k('1.32', ['uncordon', 'node1', 'node2']);

    await t.test('delete --cascade=foreground keeps the Deployment (foregroundDeletion) until its ReplicaSet and pods are gone', async () => {
      // pods that take their 2 s grace period to stop (SIGTERM ignored), so the wait is visible
      await must(KUBECTL('1.32'), ['create', '-f', '-'], { env, input: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fg' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'fg' } }, template: { metadata: { labels: { app: 'fg' } }, spec: { terminationGracePeriodSeconds: 2,
          containers: [{ name: 'c', image: 'podnet/shell', command: ['sh', '-c', 'trap "" TERM; sleep 1000'] }] } } } }) });
      await k('1.32', ['rollout', 'status', 'deploy/fg', '--timeout=60s']);
      const t0 = Date.now();
      const del = run(KUBECTL('1.32'), ['delete', 'deployment', 'fg', '--cascade=foreground'], { env, timeoutMs: 90_000 });
      const seen = await until('deployment terminating', async () => {
        const r = await kr('1.32', ['get', 'deployment', 'fg', '-o', 'json']);
        if (r.code !== 0) return undefined;
        const d = JSON.parse(r.stdout) as { metadata: { deletionTimestamp?: string; finalizers?: string[] } };
        if (!d.metadata.deletionTimestamp) return undefined;
        const ps = await pods('app=fg');
        return ps.some((p) => p.metadata.deletionTimestamp) ? { d, ps } : undefined;
      }, 20_000);
      assert.deepEqual(seen.d.metadata.finalizers, ['foregroundDeletion']);
      assert.match(seen.d.metadata.deletionTimestamp!, WHOLE_SECONDS);
      assert.equal(seen.ps.length, 2, 'the pods still exist (terminating) while their owner waits');
      const r = await del;
      t.diagnostic(`kubectl delete --cascade=foreground returned after ${Date.now() - t0} ms`);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /deployment.apps "fg" deleted/);
      // kubectl waited for the deployment; by then no dependent may remain
      assert.equal((await kr('1.32', ['get', 'deployment', 'fg'])).code, 1);
      assert.equal((await k('1.32', ['get', 'rs,pods', '-l', 'app=fg', '-o', 'name'])).trim(), '');
    });

    await t.test('delete --cascade=orphan leaves the ReplicaSet, without its owner reference', async () => {
      await k('1.32', ['create', 'deployment', 'keep', '--image=podnet/echo', '--replicas=1']);
      const rsName = await until('keep rs', async () => (await k('1.32', ['get', 'rs', '-l', 'app=keep', '-o', 'name'])).trim() || undefined, 30_000);
      await k('1.32', ['delete', 'deployment', 'keep', '--cascade=orphan']);
      assert.equal((await kr('1.32', ['get', 'deployment', 'keep'])).code, 1);
      const rs = JSON.parse(await k('1.32', ['get', rsName, '-o', 'json'])) as { metadata: { ownerReferences?: unknown[]; deletionTimestamp?: string } };
      assert.equal(rs.metadata.deletionTimestamp, undefined);
      assert.deepEqual(rs.metadata.ownerReferences ?? [], []);
      await k('1.32', ['delete', rsName]);
    });
    await t.test('StatefulSet: ordered pods db-0, db-1 with stable DNS names under the headless Service', async () => {
      await must(KUBECTL('1.33'), ['create', '-f', '-'], { env, input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 8080 }] } },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { serviceName: 'db', replicas: 2, selector: { matchLabels: { app: 'db' } },
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'podnet/echo' }] } } } },
      ] }) });
      await k('1.32', ['rollout', 'status', 'sts/db', '--timeout=60s']);
      const ps = (await pods('app=db')).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      assert.deepEqual(ps.map((p) => p.metadata.name), ['db-0', 'db-1']);
      assert.ok(ps[0]!.metadata.creationTimestamp <= ps[1]!.metadata.creationTimestamp);
      const full = JSON.parse(await k('1.32', ['get', 'pod', 'db-1', '-o', 'json'])) as { spec: { hostname?: string; subdomain?: string }; status: { podIP: string } };
      assert.deepEqual([full.spec.hostname, full.spec.subdomain], ['db-1', 'db']);
      const ev = await k('1.32', ['get', 'events', '--field-selector', 'involvedObject.kind=StatefulSet,involvedObject.name=db', '-o', 'custom-columns=M:.message,S:.source.component', '--no-headers', '--sort-by=.metadata.name']);
      assert.match(ev, /create Pod db-0 in StatefulSet db successful\s+statefulset-controller[\s\S]*create Pod db-1 in StatefulSet db successful/);
      assert.match(await k('1.32', ['get', 'sts', 'db']), /^db\s+2\/2\s+\d+s$/m);
      const answer = await until('db-1.db DNS name', async () => (await must(PODNET, ['lab', 'exec', '--name', lab, 'node1', '--', 'dig', '+short', '+time=1', '+tries=2', '@10.96.0.10', 'db-1.db.default.svc.cluster.local'])).trim() || undefined, 20_000);
      assert.equal(answer, full.status.podIP);
    });
    await t.test('Job: 3 completions 2 at a time end Complete; a failing one with backoffLimit 0 ends Failed', async () => {
      const spec = (name: string, cmd: string, extra: Record<string, unknown>) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
        spec: { ...extra, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'podnet/shell', command: ['sh', '-c', cmd] }] } } } });
      await must(KUBECTL('1.33'), ['create', '-f', '-'], { env, input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
        spec('pi', 'echo done', { completions: 3, parallelism: 2 }), spec('bad', 'exit 3', { backoffLimit: 0 })] }) });
      await k('1.32', ['wait', '--for=condition=complete', 'job/pi', '--timeout=60s']);
      await k('1.32', ['wait', '--for=condition=failed', 'job/bad', '--timeout=60s']);
      const table = await k('1.32', ['get', 'jobs']);
      t.diagnostic(table.trim());
      assert.match(table, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/m);
      assert.match(table, /^pi\s+Complete\s+3\/3\s+\d+s\s+\d+s$/m);
      assert.match(table, /^bad\s+Failed\s+0\/1\s+\d+s\s+\d+s$/m);
      const pi = await pods('job-name=pi');
      assert.equal(pi.filter((p) => p.status.phase === 'Succeeded').length, 3);
      const j = JSON.parse(await k('1.32', ['get', 'job', 'bad', '-o', 'json'])) as { status: { failed?: number; conditions: { type: string; reason: string }[] } };
      assert.equal(j.status.failed, 1);
      assert.ok(j.status.conditions.some((c) => c.type === 'Failed' && c.reason === 'BackoffLimitExceeded'));
    });
    t.diagnostic(`total ${Date.now() - started} ms`);
  } finally {
    const down = await labDown(lab);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(labLeftovers(lab), []);
    assert.equal(existsSync(`/run/podnet/${lab}`), false);
  }
});
