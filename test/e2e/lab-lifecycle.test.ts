/**
 * Issue 4 acceptance 3 and 4 and the lab's clean-up promises, through the CLI:
 * - `--subnet-manager etcd`: flannel's keys in a real etcd; an agent stopped until its lease
 *   expires disappears from the other nodes' routes, FDB and neighbours; restarted, it comes back.
 * - pod create/delete cycles leave no IP, veth, cache entry, sandbox or process behind.
 * - `lab down` after kill -9 of every lab process, and after a half-finished `lab up`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { PODNET, must, run, until, labKubectl, labLeftovers, cniNetns, labDown, randomLabName, rootNetwork } from '../support/lab.js';
import { procStartTime } from '../../src/net/proc.js';

const CYCLES = Number(process.env.PODNET_LAB_CYCLES ?? 200);
const BATCH = 25;

interface Rec { pid: number; argv: string[]; log: string }
const pidRec = (lab: string, name: string): Rec => JSON.parse(readFileSync(`/run/podnet/${lab}/pids/${name}.pid`, 'utf8')) as Rec;
// a zombie (killed, not yet reaped by PID 1, which reaps lazily here) holds nothing: it counts as gone
const alive = (pid: number): boolean => procStartTime(pid) !== undefined;

test('etcd subnet manager, pod cycles, and lab down after kill -9 of everything', { timeout: 600_000 }, async (t) => {
  const lab = randomLabName('tlc');
  const cniBefore = cniNetns();
  const rootBefore = await rootNetwork();
  const hadLabRoot = existsSync('/run/podnet');
  const hadNetnsDir = existsSync('/run/netns');
  const lexec = (where: string, ...cmd: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, where, '--', ...cmd]);
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '3', '--subnet-manager', 'etcd', '--backend', 'vxlan'], { timeoutMs: 240_000 });
    const kubectl = labKubectl(lab);
    const etcdctl = (...a: string[]): Promise<string> => lexec('client', 'etcdctl', '--endpoints', 'http://192.168.138.100:2379', ...a);

    let subnets = new Map<string, string>(); // public IP → subnet
    await t.test('etcdctl shows flannel\'s config and one lease per node, in flannel\'s format', async () => {
      const out = await etcdctl('get', '--prefix', '/coreos.com/network/');
      const lines = out.trim().split('\n');
      const kv = new Map<string, string>();
      for (let i = 0; i + 1 < lines.length; i += 2) kv.set(lines[i]!, lines[i + 1]!);
      const conf = JSON.parse(kv.get('/coreos.com/network/config') ?? '{}') as { Network?: string; Backend?: { Type?: string } };
      assert.equal(conf.Network, '10.244.0.0/16');
      assert.equal(conf.Backend?.Type, 'vxlan');
      const leases = [...kv].filter(([k]) => k.startsWith('/coreos.com/network/subnets/'));
      assert.equal(leases.length, 3, out);
      for (const [k, v] of leases) {
        assert.match(k, /^\/coreos\.com\/network\/subnets\/10\.244\.\d+\.0-24$/);
        const l = JSON.parse(v) as { PublicIP: string; BackendType: string; BackendData: { VNI: number; VtepMAC: string } };
        assert.equal(l.BackendType, 'vxlan');
        assert.equal(l.BackendData.VNI, 1);
        assert.match(l.BackendData.VtepMAC, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
        subnets.set(l.PublicIP, k.split('/').pop()!.replace('-', '/'));
      }
      assert.deepEqual([...subnets.keys()].sort(), ['192.168.138.221', '192.168.138.222', '192.168.138.223']);
      const lease = await etcdctl('lease', 'list');
      assert.match(lease, /found 3 leases/);
    });

    await t.test(`${CYCLES} pod create/delete cycles leave nothing behind`, async () => {
      const snapshot = async (): Promise<string> => {
        const parts: string[] = [];
        for (const n of ['node1', 'node2', 'node3']) {
          const dir = `/run/podnet/${lab}/nodes/${n}/state`;
          // allocated addresses only (host-local keeps last_reserved_ip.0 and lock, as upstream's does)
          const ipam = existsSync(`${dir}/cni/networks/cbr0`) ? readdirSync(`${dir}/cni/networks/cbr0`).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)).sort().join(',') : '';
          const cache = existsSync(`${dir}/cni/cache/results`) ? readdirSync(`${dir}/cni/cache/results`).length : 0;
          const veths = (await lexec(n, 'ip', '-o', 'link', 'show', 'type', 'veth')).trim().split('\n').filter(Boolean).length;
          parts.push(`${n}: ipam[${ipam}] cache=${cache} veths=${veths}`);
        }
        return `${parts.join('\n')}\nsandboxes=${[...cniNetns()].filter((x) => !cniBefore.has(x)).length}`;
      };
      const before = await snapshot();
      for (let done = 0; done < CYCLES; done += BATCH) {
        const n = Math.min(BATCH, CYCLES - done);
        const docs = Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: cyc-${done + i}, labels: {cyc: "1"}}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers: [{name: c, image: podnet/shell, command: [sleep, infinity]}]\n`);
        await kubectl(['apply', '-f', '-'], docs.join('---\n'));
        await until(`batch ${done / BATCH} Running`, async () => {
          const out = await kubectl(['get', 'pods', '-l', 'cyc=1', '-o', 'jsonpath={range .items[*]}{.status.phase}{" "}{.status.podIP}{"\\n"}{end}']);
          const rows = out.trim().split('\n').filter(Boolean);
          return rows.length === n && rows.every((r) => /^Running \d+\.\d+\.\d+\.\d+$/.test(r));
        }, 120_000);
        await kubectl(['delete', 'pods', '-l', 'cyc=1', '--wait=true', '--timeout=120s']);
      }
      const after = await until('every sandbox removed', async () => { const s = await snapshot(); return s === before ? s : undefined; }, 60_000).catch(async () => snapshot());
      assert.equal(after, before, `state after ${CYCLES} cycles equals the state before`);
    });

    await t.test('an agent stopped until its lease expires is removed from the other nodes; restarted, it comes back', async () => {
      const node3Subnet = subnets.get('192.168.138.223')!;
      const routes1 = await lexec('node1', 'ip', 'route');
      assert.match(routes1, new RegExp(`^${node3Subnet.replace(/\./g, '\\.')} via \\S+ dev flannel\\.1 onlink`, 'm'));
      assert.match(await lexec('node1', 'bridge', 'fdb', 'show', 'dev', 'flannel.1'), /dst 192\.168\.138\.223 self permanent/);
      const rec = pidRec(lab, 'agent-node3');
      process.kill(rec.pid, 'SIGKILL');
      const stoppedAt = Date.now();
      await until('node3\'s lease gone from node1 and node2', async () => {
        for (const n of ['node1', 'node2']) {
          if ((await lexec(n, 'ip', 'route')).includes(node3Subnet)) return false;
          if ((await lexec(n, 'bridge', 'fdb', 'show', 'dev', 'flannel.1')).includes('192.168.138.223')) return false;
          if ((await lexec(n, 'ip', 'neigh', 'show', 'dev', 'flannel.1')).includes(node3Subnet.replace(/\/24$/, ''))) return false;
        }
        return true;
      }, 60_000);
      t.diagnostic(`routes, FDB and neighbour entries of node3 removed ${Date.now() - stoppedAt} ms after its agent was killed (lease TTL 10 s)`);
      assert.doesNotMatch(await etcdctl('get', '--prefix', '--keys-only', '/coreos.com/network/subnets/'), /10\.244/.test(node3Subnet) ? new RegExp(node3Subnet.replace('/', '-').replace(/\./g, '\\.')) : /$^/);
      // Restart the same agent (same state dir): it takes a lease again and the others follow.
      const c = spawn(rec.argv[0]!, rec.argv.slice(1), { detached: true, stdio: 'ignore' });
      c.unref();
      const restartedAt = Date.now();
      await until('node3 back on node1', async () => /192\.168\.138\.223/.test(await lexec('node1', 'bridge', 'fdb', 'show', 'dev', 'flannel.1')), 60_000);
      t.diagnostic(`node3 back in node1's FDB ${Date.now() - restartedAt} ms after its agent restarted`);
    });

    await t.test('lab down after kill -9 of every lab process leaves nothing', async () => {
      await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: survivor}\nspec:\n  containers: [{name: c, image: podnet/echo}]\n');
      await until('survivor Running', async () => (await kubectl(['get', 'pod', 'survivor', '-o', 'jsonpath={.status.phase}'])) === 'Running');
      const pids = readdirSync(`/run/podnet/${lab}/pids`).map((f) => JSON.parse(readFileSync(`/run/podnet/${lab}/pids/${f}`, 'utf8')) as Rec).map((r) => r.pid);
      for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
      await until('all dead', async () => !pids.some(alive), 10_000);
      const down = await labDown(lab);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(labLeftovers(lab), []);
      assert.deepEqual([...cniNetns()].filter((n) => !cniBefore.has(n)), [], 'no pod sandbox left');
    });
  } finally {
    await labDown(lab);
  }
  assert.deepEqual(labLeftovers(lab), []);
  assert.equal(await rootNetwork(), rootBefore, 'the root namespace\'s links, routes, rules and tables are as before lab up');
  // The shared directories go too when this lab made them: /run/podnet, and /run/netns with iproute2's bind mount.
  if (!hadLabRoot) assert.equal(existsSync('/run/podnet'), false, '/run/podnet removed');
  if (!hadNetnsDir) {
    assert.equal(existsSync('/run/netns'), false, '/run/netns removed');
    assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), / \/run\/netns /, 'no /run/netns mount left');
  }
});

test('lab down cleans up after a half-finished lab up (kill -9 of lab up mid-way)', { timeout: 180_000 }, async () => {
  const lab = randomLabName('thf');
  const cniBefore = cniNetns();
  try {
    const up = spawn(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    up.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    // Kill it while the agents start (after the API server is up).
    await until('lab up reached the agents', async () => /\[6\/10\]/.test(out), 60_000);
    up.kill('SIGKILL');
    await new Promise((r) => up.once('exit', r));
    assert.ok(existsSync(`/run/netns/pn-${lab}-node1`), 'the half-finished lab exists');
    assert.ok(existsSync(`/run/netns/pn-${lab}-master`), 'with its master netns (and the API forwarder in it)');
    const st = await run(PODNET, ['lab', 'status', '--name', lab]);
    assert.match(st.stdout, /LAB|PROCESS/);
    const again = await run(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2']);
    assert.notEqual(again.code, 0, 'a second up over leftovers is refused');
    assert.match(again.stderr + again.stdout, /lab down/);
  } finally {
    const down = await labDown(lab);
    assert.equal(down.code, 0, down.stderr);
  }
  // Agents may have started pods meanwhile (the DNS add-on is created after step 8 only, so none here).
  assert.deepEqual(labLeftovers(lab), []);
  assert.deepEqual([...cniNetns()].filter((n) => !cniBefore.has(n)), []);
});
