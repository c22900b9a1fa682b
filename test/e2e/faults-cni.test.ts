/**
 * Issue 17, robustness 1: many concurrent CNI ADD/DEL against ONE host-local range, through the
 * exec protocol as a foreign runtime calls podnet's plugins, with some plugin processes SIGKILLed
 * mid-call. Then: no address held twice (over every successful result, host-local's files and the
 * addresses the kernel holds), and a spec 1.1 GC with cni.dev/valid-attachments frees every
 * leaked allocation and veth. Every attachment has its own network namespace.
 *
 * Two ways a runtime reaches the plugins:
 *  - thin: bin/cni/fast/{loopback,bridge} (sh + curl to `podnet cni serve` in the node netns), all
 *    attachments at once. A kill stops the client; the server finishes the call, whose result is
 *    lost: the runtime's view and the node's state diverge, which is what GC exists for.
 *  - exec: bin/cni/bridge (a Node process that execs host-local), a few at a time, the process
 *    group SIGKILLed at a random point: half-made states (allocation without veth, veth without
 *    address, lock holder gone).
 *
 * Counts: PODNET_FAULTS_FULL=1 runs 1,000 thin attachments and 200 exec'd ones (the suite: 200 and 20);
 * PODNET_FAULTS_CNI_OPS / PODNET_FAULTS_CNI_EXEC_OPS override them, PODNET_FAULTS_SEED the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { CniFixture, OUR_BIN, ipFiles, serveCni as serve } from '../support/netns.js';
import { labLeftovers } from '../support/lab.js';
import { FAULTS_FULL, Prng, faultsSeed } from '../support/prng.js';
import { exec } from '../../src/util/exec.js';
import { ipJson } from '../../src/net/exec.js';
import { DiskStore } from '../../src/cni/plugins/host-local/store.js';

const FAST = join(OUR_BIN, 'fast');
const THIN_OPS = Number(process.env.PODNET_FAULTS_CNI_OPS ?? (FAULTS_FULL ? 1000 : 200));
const EXEC_OPS = Number(process.env.PODNET_FAULTS_CNI_EXEC_OPS ?? (FAULTS_FULL ? 200 : 20));
const EXEC_PARALLEL = 4;
const SEED = faultsSeed(1717);

interface Exit { code: number | null; signal: NodeJS.Signals | null; out: string }

/** One plugin process, started as a runtime does (env + stdin, inside the node netns), in its own process group. */
class PluginProc {
  readonly pid: number;
  exited = false;
  readonly done: Promise<Exit>;
  constructor(bin: string, env: Record<string, string>, stdin: string, nodeNs: string) {
    const c = spawn('nsenter', [`--net=${nodeNs}`, '--', bin], { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env }, stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.pid = c.pid!;
    let out = '';
    c.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    c.stdin.on('error', () => { /* killed before reading */ });
    c.stdin.end(stdin);
    this.done = new Promise((resolve) => c.on('close', (code, signal) => { this.exited = true; resolve({ code, signal, out }); }));
  }
  /** SIGKILL to the whole process group (the plugin and whatever it started); false when it had already exited. */
  kill(): boolean {
    if (this.exited) return false;
    try { process.kill(-this.pid, 'SIGKILL'); return true; } catch { return false; }
  }
}

interface Attachment {
  i: number; id: string; ns: string; nsName: string;
  cur?: PluginProc;
  /** ADD result address (without prefix) when ADD succeeded. */
  ip?: string;
  state: 'new' | 'added' | 'deleted' | 'add-failed' | 'add-killed' | 'del-killed';
  failMsg?: string;
}

function runIn(at: Attachment, bin: string, cmd: string, conf: object, nodeNs: string, path: string, extraEnv: Record<string, string>): Promise<Exit> {
  const env = { CNI_COMMAND: cmd, CNI_CONTAINERID: at.id, CNI_NETNS: at.ns, CNI_IFNAME: 'eth0', CNI_PATH: path, ...extraEnv };
  at.cur = new PluginProc(bin, env, JSON.stringify(conf), nodeNs);
  return at.cur.done;
}

/** Runs fn over items with at most `n` in flight. */
async function pool<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => { while (next < items.length) await fn(items[next++]!); }));
}

/** Creates (or deletes) many named netns with one `ip -batch` (no links, no addresses: only the bind mounts). */
async function netnsBatch(verb: 'add' | 'delete', names: readonly string[]): Promise<void> {
  if (names.length) await exec(['ip', '-force', '-batch', '-'], { input: names.map((n) => `netns ${verb} ${n}`).join('\n') + '\n', allowFail: verb === 'delete' });
}

interface NsAddrs { eth0: boolean; v4: string[] }
/** What the kernel holds on eth0 of each attachment's netns. */
async function kernelAddrs(atts: readonly Attachment[]): Promise<Map<string, NsAddrs>> {
  const out = new Map<string, NsAddrs>();
  await pool(atts, 8, async (at) => {
    const r = await exec(['ip', '-n', at.nsName, '-j', 'addr', 'show', 'dev', 'eth0'], { allowFail: true });
    if (r.code !== 0) { out.set(at.id, { eth0: false, v4: [] }); return; }
    const j = JSON.parse(r.stdout || '[]') as { addr_info?: { family: string; local: string }[] }[];
    out.set(at.id, { eth0: j.length > 0, v4: (j[0]?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => a.local) });
  });
  return out;
}

interface VethInfo { ifname: string; master?: string; ifalias?: string }
async function nodeVeths(nodeNs: string): Promise<VethInfo[]> {
  return ipJson<VethInfo[]>(nodeNs, ['-details', 'link', 'show', 'type', 'veth']);
}


function inFlight(sock: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request({ socketPath: sock, path: '/v1/status', method: 'GET' }, (res) => {
      let b = ''; res.on('data', (c: Buffer) => { b += c.toString(); }); res.on('end', () => resolve((JSON.parse(b) as { inFlight: number }).inFlight));
    });
    r.on('error', reject); r.end();
  });
}

/** A runtime calls GC only when nothing runs: wait until the server has no call left (twice in a row). */
async function quiesce(sock: string): Promise<void> {
  let zero = 0;
  for (let i = 0; i < 600 && zero < 2; i++) {
    zero = (await inFlight(sock)) === 0 ? zero + 1 : 0;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(zero, 2, 'CNI server still busy after 120 s');
}

function ipOf(out: string): string | undefined {
  try { return ((JSON.parse(out) as { ips?: { address: string }[] }).ips?.[0]?.address ?? '').split('/')[0] || undefined; } catch { return undefined; }
}

interface Tally { tried: number; ok: number; killedAdd: number; killedDel: number; killsMissed: number; failed: Map<string, number>; churned: number; duplicates: string[] }
function newTally(tried: number): Tally { return { tried, ok: 0, killedAdd: 0, killedDel: 0, killsMissed: 0, failed: new Map(), churned: 0, duplicates: [] }; }

/** Tracks who holds which address, in the order results arrive: a second live holder is a duplicate. */
class Holders {
  private byIp = new Map<string, string>();
  constructor(private t: Tally) {}
  got(ip: string, id: string): void {
    const h = this.byIp.get(ip);
    if (h !== undefined) this.t.duplicates.push(`${ip}: ${h} and ${id}`);
    this.byIp.set(ip, id);
  }
  released(ip: string): void { this.byIp.delete(ip); }
}

/**
 * The checks shared by both modes, before and after GC: results vs host-local's files vs the kernel.
 * `live`: attachments the runtime believes exist (ADD succeeded, no DEL started).
 */
async function checkState(what: string, atts: readonly Attachment[], live: readonly Attachment[], store: DiskStore, nodeNs: string, t: Tally, after: 'before-gc' | 'after-gc'): Promise<{ files: number; veths: number; leakedFiles: number; leakedVeths: number }> {
  assert.deepEqual(t.duplicates, [], `${what}: an address was handed to two live attachments`);
  const entries = store.entries();
  const byIp = new Map(entries.map((e) => [e.ip, e]));
  const perAttachment = new Map<string, number>();
  for (const e of entries) perAttachment.set(`${e.id}/${e.ifName}`, (perAttachment.get(`${e.id}/${e.ifName}`) ?? 0) + 1);
  for (const [k, n] of perAttachment) if (k !== '/') assert.equal(n, 1, `${what}: ${k} holds ${n} allocations on disk`);
  for (const at of live) {
    const e = byIp.get(at.ip!);
    assert.ok(e, `${what}: ${at.id}'s ${at.ip} has no allocation file`);
    assert.equal(`${e.id}/${e.ifName}`, `${at.id}/eth0`, `${what}: ${at.ip} on disk names ${e.id}, not ${at.id}`);
  }
  const kernel = await kernelAddrs(atts);
  const seen = new Map<string, string>();
  for (const at of atts) {
    const k = kernel.get(at.id)!;
    if (at.state === 'added') assert.deepEqual(k.v4, [at.ip], `${what}: ${at.id}'s eth0 holds ${k.v4.join(',')} instead of ${at.ip}`);
    for (const a of k.v4) {
      assert.ok(!seen.has(a), `${what}: the kernel has ${a} on eth0 of both ${seen.get(a)} and ${at.id}`);
      seen.set(a, at.id);
    }
  }
  const veths = await nodeVeths(nodeNs);
  const liveIds = new Set(live.map((a) => a.id));
  const leakedFiles = entries.filter((e) => !liveIds.has(e.id)).length;
  const leakedVeths = veths.length - live.length;
  if (after === 'after-gc') {
    assert.deepEqual(entries.map((e) => e.ip).sort(), live.map((a) => a.ip!).sort(), `${what}: after GC host-local holds exactly the live attachments' addresses`);
    assert.equal(veths.length, live.length, `${what}: after GC one veth per live attachment (${veths.map((v) => `${v.ifname}:${v.ifalias ?? '-'}`).join(' ')})`);
    assert.ok(veths.every((v) => v.master === 'cni0'), `${what}: every veth left is on the bridge`);
    for (const at of atts) if (at.state !== 'added') assert.equal(kernel.get(at.id)!.eth0, false, `${what}: ${at.id} (${at.state}) still has eth0 after GC`);
  }
  return { files: entries.length, veths: veths.length, leakedFiles, leakedVeths };
}

function confFor(dataDir: string, pool: number): { bridge: object; loopback: object } {
  // one range, a bit smaller than the number of attachments: freed addresses get handed out again
  const last = 2 + pool - 1;
  const rangeEnd = `10.250.${Math.floor(last / 256)}.${last % 256}`;
  return {
    bridge: { cniVersion: '1.1.0', name: 'pnfaults', type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', dataDir, ranges: [[{ subnet: '10.250.0.0/20', rangeStart: '10.250.0.2', rangeEnd }]] } },
    loopback: { cniVersion: '1.1.0', name: 'pnfaults', type: 'loopback' },
  };
}

async function gcCall(bin: string, path: string, conf: object, live: readonly Attachment[], nodeNs: string, extraEnv: Record<string, string>): Promise<Exit> {
  const gcConf = { ...conf, 'cni.dev/valid-attachments': live.map((a) => ({ containerID: a.id, ifname: 'eth0' })) };
  return new PluginProc(bin, { CNI_COMMAND: 'GC', CNI_PATH: path, ...extraEnv }, JSON.stringify(gcConf), nodeNs).done;
}

function report(t: Tally, mode: string, diag: (s: string) => void, s: { before: { files: number; veths: number; leakedFiles: number; leakedVeths: number } }): void {
  const failed = [...t.failed].map(([m, n]) => `${n}× ${m}`).join('; ') || 'none';
  diag(`${mode}: seed ${SEED}: ${t.tried} attachments, ${t.ok} ADD ok, ${t.killedAdd} killed mid-ADD, ${t.churned} DEL'd again (${t.killedDel} killed mid-DEL), ${t.killsMissed} kills landed after the call ended; other ADD failures: ${failed}`);
  diag(`${mode}: before GC ${s.before.files} allocations (${s.before.leakedFiles} leaked), ${s.before.veths} veths (${s.before.leakedVeths} leaked); duplicates: ${t.duplicates.length}; after GC: 0 leaked`);
}

function countFail(t: Tally, out: string): void {
  let msg = 'no output';
  try { const j = JSON.parse(out) as { code: number; msg: string }; msg = `code ${j.code}: ${j.msg.replace(/[0-9a-f]{8,}|\d+\.\d+\.\d+\.\d+/g, '…')}`; } catch { /* keep */ }
  t.failed.set(msg, (t.failed.get(msg) ?? 0) + 1);
}

test(`faults: ${THIN_OPS} concurrent CNI ADD/DEL through the thin clients, clients SIGKILLed mid-call; no duplicate, GC frees every leak`, async (tc) => {
  const f = new CniFixture();
  const already = new Set(labLeftovers(`tcni-${f.id}`));
  const prng = new Prng(SEED);
  let stop: (() => Promise<void>) | undefined;
  const atts: Attachment[] = Array.from({ length: THIN_OPS }, (_, i) => ({ i, id: `fthin${i}`, nsName: `pn-tcni-${f.id}-t${i}`, ns: `/run/netns/pn-tcni-${f.id}-t${i}`, state: 'new' }));
  try {
    const node = await f.netns('n');
    const sock = join(f.dir, 'cni.sock');
    stop = await serve(node, sock);
    await netnsBatch('add', atts.map((a) => a.nsName));
    const conf = confFor(join(f.dir, 'ipam'), Math.ceil(THIN_OPS * 0.9));
    const store = new DiskStore(join(f.dir, 'ipam'), 'pnfaults');
    const t = newTally(THIN_OPS);
    const holders = new Holders(t);
    const env = { PODNET_CNI_SOCKET: sock };
    // the plan, all from the seed: who gets killed when, who is deleted again right after ADD
    const killAt = new Map<number, number>();
    for (const at of atts) if (prng.chance(0.12)) killAt.set(at.i, prng.int(4000));
    const churn = new Set(atts.filter(() => prng.chance(0.3)).map((a) => a.i));
    const started = Date.now();
    const timers = [...killAt].map(([i, ms]) => setTimeout(() => { const at = atts[i]!; if (!at.cur?.kill()) t.killsMissed++; }, ms));
    await Promise.all(atts.map(async (at) => {
      const lo = await runIn(at, join(FAST, 'loopback'), 'ADD', conf.loopback, node, FAST, env);
      if (lo.signal === 'SIGKILL') { at.state = 'add-killed'; t.killedAdd++; return; }
      if (lo.code !== 0) { at.state = 'add-failed'; countFail(t, lo.out); return; } // counted; must be a CNI error result (checked below)
      const r = await runIn(at, join(FAST, 'bridge'), 'ADD', conf.bridge, node, FAST, env);
      if (r.signal === 'SIGKILL') { at.state = 'add-killed'; t.killedAdd++; return; }
      if (r.code !== 0) { at.state = 'add-failed'; at.failMsg = r.out; countFail(t, r.out); return; }
      at.ip = ipOf(r.out);
      assert.ok(at.ip, `ADD ${at.id} printed no address: ${r.out}`);
      t.ok++;
      holders.got(at.ip, at.id);
      at.state = 'added';
      if (!churn.has(at.i)) return;
      t.churned++;
      holders.released(at.ip);
      at.state = 'deleted';
      const d = await runIn(at, join(FAST, 'bridge'), 'DEL', conf.bridge, node, FAST, env);
      if (d.signal === 'SIGKILL') { at.state = 'del-killed'; t.killedDel++; return; }
      assert.equal(d.code, 0, `DEL ${at.id}: ${d.out}`);
    }));
    for (const x of timers) clearTimeout(x);
    assert.ok(!t.failed.has('no output'), `every failed call printed a CNI error result (${[...t.failed.keys()].join('; ')})`);
    tc.diagnostic(`thin: ${THIN_OPS} attachments' calls took ${Date.now() - started} ms`);
    await quiesce(sock);
    const live = atts.filter((a) => a.state === 'added');
    assert.ok(t.killedAdd > 0, 'some ADDs were killed mid-call');
    assert.ok(live.length >= THIN_OPS * 0.4, `most attachments exist (${live.length})`);
    const before = await checkState('thin', atts, live, store, node, t, 'before-gc');
    const gc = await gcCall(join(FAST, 'bridge'), FAST, conf.bridge, live, node, env);
    assert.equal(gc.code, 0, `GC: ${gc.out}`);
    await checkState('thin', atts, live, store, node, t, 'after-gc');
    report(t, 'thin', (s) => tc.diagnostic(s), { before });
    // the runtime's normal end: DEL every live attachment (concurrently), then nothing is left
    await Promise.all(live.map(async (at) => {
      const d = await runIn(at, join(FAST, 'bridge'), 'DEL', conf.bridge, node, FAST, env);
      assert.equal(d.code, 0, `DEL ${at.id}: ${d.out}`);
    }));
    assert.deepEqual(ipFiles(join(f.dir, 'ipam'), 'pnfaults'), []);
    assert.deepEqual(await nodeVeths(node), []);
    await stop(); stop = undefined;
  } finally {
    if (stop) await stop();
    await netnsBatch('delete', atts.map((a) => a.nsName));
    await f.cleanup();
  }
  assert.deepEqual(labLeftovers(`tcni-${f.id}`).filter((l) => !already.has(l)), [], 'nothing of this test left behind (what other labs had before it started is not counted)');
  assert.deepEqual((await exec(['ip', 'netns', 'list'])).stdout.split('\n').filter((l) => l.includes(`pn-tcni-${f.id}`)), []);
});

test(`faults: ${EXEC_OPS} CNI ADDs exec'd as full plugins (bridge → host-local), process groups SIGKILLed at random points; GC frees every leak`, async (tc) => {
  const f = new CniFixture();
  const already = new Set(labLeftovers(`tcni-${f.id}`));
  const prng = new Prng(SEED + 1);
  const atts: Attachment[] = Array.from({ length: EXEC_OPS }, (_, i) => ({ i, id: `fexec${i}`, nsName: `pn-tcni-${f.id}-e${i}`, ns: `/run/netns/pn-tcni-${f.id}-e${i}`, state: 'new' }));
  try {
    const node = await f.netns('n');
    await netnsBatch('add', atts.map((a) => a.nsName));
    const conf = confFor(join(f.dir, 'ipam'), Math.max(4, Math.ceil(EXEC_OPS * 0.9)));
    const store = new DiskStore(join(f.dir, 'ipam'), 'pnfaults');
    const t = newTally(EXEC_OPS);
    const holders = new Holders(t);
    const bridge = join(OUR_BIN, 'bridge');
    const started = Date.now();
    await pool(atts, EXEC_PARALLEL, async (at) => {
      // half of them are killed somewhere between the start and ~1.5 s (a plugin ADD here takes ~0.3–1 s)
      const killMs = prng.chance(0.5) ? prng.int(1500) : undefined;
      const p = runIn(at, bridge, 'ADD', conf.bridge, node, OUR_BIN, {});
      const timer = killMs === undefined ? undefined : setTimeout(() => { if (!at.cur?.kill()) t.killsMissed++; }, killMs);
      const r = await p;
      clearTimeout(timer);
      if (r.signal === 'SIGKILL') { at.state = 'add-killed'; t.killedAdd++; return; }
      if (r.code !== 0) { at.state = 'add-failed'; countFail(t, r.out); return; }
      at.ip = ipOf(r.out);
      assert.ok(at.ip, `ADD ${at.id}: ${r.out}`);
      t.ok++;
      holders.got(at.ip, at.id);
      at.state = 'added';
      if (!prng.chance(0.25)) return;
      t.churned++;
      holders.released(at.ip);
      at.state = 'deleted';
      const d = await runIn(at, bridge, 'DEL', conf.bridge, node, OUR_BIN, {});
      assert.equal(d.code, 0, `DEL ${at.id}: ${d.out}`);
    });
    tc.diagnostic(`exec: ${EXEC_OPS} attachments' calls took ${Date.now() - started} ms`);
    const live = atts.filter((a) => a.state === 'added');
    assert.ok(t.killedAdd > 0, 'some ADDs were killed mid-call');
    const before = await checkState('exec', atts, live, store, node, t, 'before-gc');
    const gc = await gcCall(bridge, OUR_BIN, conf.bridge, live, node, {});
    assert.equal(gc.code, 0, `GC: ${gc.out}`);
    await checkState('exec', atts, live, store, node, t, 'after-gc');
    report(t, 'exec', (s) => tc.diagnostic(s), { before });
    await pool(live, EXEC_PARALLEL, async (at) => {
      const d = await runIn(at, bridge, 'DEL', conf.bridge, node, OUR_BIN, {});
      assert.equal(d.code, 0, `DEL ${at.id}: ${d.out}`);
    });
    assert.deepEqual(ipFiles(join(f.dir, 'ipam'), 'pnfaults'), []);
    assert.deepEqual(await nodeVeths(node), []);
  } finally {
    for (const at of atts) at.cur?.kill();
    await netnsBatch('delete', atts.map((a) => a.nsName));
    await f.cleanup();
  }
  assert.deepEqual(labLeftovers(`tcni-${f.id}`).filter((l) => !already.has(l)), [], 'nothing of this test left behind (what other labs had before it started is not counted)');
  assert.deepEqual((await exec(['ip', 'netns', 'list'])).stdout.split('\n').filter((l) => l.includes(`pn-tcni-${f.id}`)), []);
});
