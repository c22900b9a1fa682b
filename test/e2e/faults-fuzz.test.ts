/**
 * Issue 17, robustness 4: fuzzing with a bounded budget against the real processes. A seeded PRNG
 * (seed printed; PODNET_FAULTS_SEED replays it) makes a fixed number of cases; PODNET_FAULTS_FULL=1
 * makes ten times more.
 *  - CNI: mutated configs (wrong types, missing fields, huge/negative values, bad CIDRs, truncated
 *    or garbage stdin) and env, exec'd as a runtime does (thin clients to `podnet cni serve`, and
 *    the full Node plugins for a share): every case is a success (then DEL'd) or an error result
 *    with a spec code, and leaves no interface and no allocation.
 *  - API: mutated objects POSTed as JSON, YAML and protobuf (raw HTTPS, plus `kubectl create -f`):
 *    every answer a 2xx or a 4xx Status (422 naming the field), never a 5xx; the server stays up
 *    and no object exists that was not acknowledged.
 *  - DNS: mutated, truncated and oversized queries over UDP and TCP at `podnet dns`: no crash,
 *    FORMERR/NOTIMP/dropped as the case asks, and valid queries keep being answered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, type AddressInfo } from 'node:net';
import { Agent, request } from 'node:https';
import { readFileSync, readdirSync, existsSync, writeFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { CniFixture, OUR_BIN, REPO, vethsIn } from '../support/netns.js';
import { startApiServer, PODNET_MAIN, type ApiServerHandle } from '../support/apiserver.js';
import { labLeftovers } from '../support/lab.js';
import { FAULTS_FULL, Prng, faultsSeed } from '../support/prng.js';
import { encodeProtobufObject } from '../../src/api/protobuf/envelope.js';
import { exec } from '../../src/util/exec.js';

const SCALE = FAULTS_FULL ? 10 : 1;
const CNI_CASES = Number(process.env.PODNET_FAULTS_CNI_FUZZ ?? 120 * SCALE);
const CNI_FULL_PLUGIN_EVERY = 12; // one case in 12 runs the full Node plugin instead of the thin client
const API_CASES = Number(process.env.PODNET_FAULTS_API_FUZZ ?? 300 * SCALE);
const KUBECTL_CASES = FAULTS_FULL ? 40 : 6;
const DNS_CASES = Number(process.env.PODNET_FAULTS_DNS_FUZZ ?? 300 * SCALE);
const SEED = faultsSeed(4242);

// ---------------------------------------------------------------------------------------------
// mutation vocabulary shared by the CNI and API fuzzers

const ODD_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 31), 3.5, '', ' ', 'x'.repeat(5000), '-1', 'null', '\u0000',
  '10.0.0.0/33', '300.1.1.1/24', '::/129', 'fe80::1/64', '10.251.0.7', '0.0.0.0/0', '../../etc', '%s%n', '"', [], [[]], [null], [1, 'a'], {}, { a: { b: [] } },
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (list of keys) in a JSON value. */
function paths(v: Json, pre: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([...pre, i]); paths(x, [...pre, i], out); });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push([...pre, k]); paths(x, [...pre, k], out); }
  return out;
}
function setPath(root: Json, p: readonly (string | number)[], val: Json | undefined): void {
  let cur = root as Record<string | number, Json>;
  for (const k of p.slice(0, -1)) { const next = cur[k]; if (!next || typeof next !== 'object') return; cur = next as Record<string | number, Json>; }
  const last = p[p.length - 1]!;
  if (val === undefined) { if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1); else delete cur[last]; } else cur[last] = val;
}

/** 1–3 random changes: a field set to an odd value (or a sibling's value), deleted, or an unknown field added. */
function mutate(prng: Prng, obj: Json, protect: (p: readonly (string | number)[]) => boolean, extra: readonly Json[] = []): { obj: Json; what: string[] } {
  const o = structuredClone(obj);
  const what: string[] = [];
  for (let n = 1 + prng.int(3); n > 0; n--) {
    const ps = paths(o).filter((p) => !protect(p));
    if (!ps.length) break;
    const p = prng.pick(ps);
    const r = prng.next();
    if (r < 0.25) { setPath(o, p, undefined); what.push(`-${p.join('.')}`); }
    else if (r < 0.35) { setPath(o, [...p.slice(0, -1), 'zz' + prng.int(100)], prng.pick(ODD_VALUES) as Json); what.push(`+${p.slice(0, -1).join('.')}.zz`); }
    else { const v = prng.pick([...ODD_VALUES, ...extra]) as Json; setPath(o, p, v); what.push(`${p.join('.')}=${JSON.stringify(v)?.slice(0, 20)}`); }
  }
  return { obj: o, what };
}

/** Broken bytes: truncated, a byte flipped, garbage. */
function breakBytes(prng: Prng, b: Buffer): { buf: Buffer; what: string } {
  const r = prng.next();
  if (r < 0.45) { const n = prng.int(Math.max(1, b.length)); return { buf: b.subarray(0, n), what: `truncated at ${n}/${b.length}` }; }
  if (r < 0.8) { const c = Buffer.from(b); const k = 1 + prng.int(4); for (let i = 0; i < k && c.length; i++) c[prng.int(c.length)] = prng.int(256); return { buf: c, what: `${k} byte(s) changed` }; }
  const n = prng.int(600); return { buf: prng.bytes(n), what: `${n} random bytes` };
}

function tally(m: Map<string, number>, k: string): void { m.set(k, (m.get(k) ?? 0) + 1); }
const fmt = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');

// ---------------------------------------------------------------------------------------------
// CNI

const ALLOWED_CNI_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 11, 50, 51, 999]);
/** A JS runtime error leaking out as a message: a crash dressed as a result. */
const INTERNAL_ERROR = /TypeError|ReferenceError|RangeError|SyntaxError: (?!Unexpected|JSON)|Cannot read prop|is not a function|is not iterable|Maximum call stack|\bundefined\b/;

function allocations(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  const out: string[] = [];
  for (const net of readdirSync(dataDir)) {
    const d = join(dataDir, net);
    if (!statSync(d).isDirectory()) continue;
    for (const f of readdirSync(d)) if (f !== 'lock' && !f.startsWith('last_reserved_ip') && !f.startsWith('.')) out.push(`${net}/${f}`);
  }
  return out;
}

interface Ran { code: number | null; signal: string | null; out: string }
function runCni(bin: string, env: Record<string, string>, stdin: Buffer, nodeNs: string): Promise<Ran> {
  return new Promise((resolve) => {
    const c = spawn('nsenter', [`--net=${nodeNs}`, '--', bin], { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env }, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    c.stdin.on('error', () => { /* exited early */ });
    c.stdin.end(stdin);
    c.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

/** Links other than lo in a netns (ip -j link). */
async function linksIn(nsName: string): Promise<string[]> {
  const r = await exec(['ip', '-n', nsName, '-j', 'link', 'show'], { allowFail: true });
  return (JSON.parse(r.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname).filter((n) => n !== 'lo');
}

test(`fuzz: ${CNI_CASES} mutated CNI configs and env → a spec error code and no partial state`, async (tc) => {
  const f = new CniFixture();
  const already = new Set(labLeftovers(`tcni-${f.id}`));
  const prng = new Prng(SEED);
  let server: ChildProcess | undefined;
  try {
    const node = await f.netns('n'), pod = await f.netns('p');
    const podName = pod.split('/').pop()!;
    const sock = join(f.dir, 'cni.sock');
    server = spawn('nsenter', [`--net=${node}`, '--', process.execPath, join(REPO, 'dist', 'src', 'cli', 'main.js'), 'cni', 'serve', '--socket', sock], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      server!.stderr!.on('data', (b: Buffer) => { if (b.toString().includes('listening')) resolve(); });
      server!.once('exit', (c) => reject(new Error(`cni server exited (${c})`)));
    });
    const dataDir = join(f.dir, 'ipam');
    const base: Json = {
      cniVersion: '1.1.0', name: 'pnfuzz', type: 'bridge', bridge: 'fz0', isGateway: true, mtu: 1500, hairpinMode: false, vlan: 0,
      ipam: { type: 'host-local', dataDir, ranges: [[{ subnet: '10.251.0.0/24', rangeStart: '10.251.0.10', rangeEnd: '10.251.0.200', gateway: '10.251.0.1' }]], routes: [{ dst: '0.0.0.0/0', gw: '10.251.0.1' }] },
      dns: { nameservers: ['10.96.0.10'] }, runtimeConfig: {}, args: {},
    };
    const baseEnv = (): Record<string, string> => ({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'fuzz0001', CNI_NETNS: pod, CNI_IFNAME: 'eth0', CNI_PATH: join(OUR_BIN, 'fast'), PODNET_CNI_SOCKET: sock });
    const ENV_VALUES: Record<string, readonly (string | undefined)[]> = {
      CNI_COMMAND: [undefined, '', 'add', 'ADD ', 'FROB', 'CHECK', 'VERSION', 'STATUS'],
      CNI_CONTAINERID: [undefined, '', '-x', 'a/b', '../..', 'x'.repeat(300), 'a b', '\u00e9'],
      CNI_NETNS: [undefined, '', '/nonexistent/netns', '/etc/hostname', '/proc/1/ns/net', '/proc/self/ns/net', '/run/netns'],
      CNI_IFNAME: [undefined, '', 'x'.repeat(16), 'a b', 'a/b', '.', '..', 'eth0:1', 'lo', '-x'],
      CNI_ARGS: ['foo', '=x', 'IP=300.1.1.1', 'IP=10.251.0.5', 'IP=10.9.9.9', 'K8S_POD_NAME=x;;IgnoreUnknown=1', ';;;'],
      CNI_PATH: [undefined, '', '/nonexistent'],
    };
    const results = new Map<string, number>();
    const violations: string[] = [];
    let accepted = 0, fullPlugin = 0;
    for (let i = 0; i < CNI_CASES; i++) {
      const env = baseEnv();
      let stdin: Buffer;
      const what: string[] = [];
      const r = prng.next();
      if (r < 0.6) {
        // never point dataDir elsewhere: a fuzzed ADD must not write outside this test's directory
        const m = mutate(prng, base, (p) => p[0] === 'ipam' && p[1] === 'dataDir', ['10.251.0.0/24', 'host-local', 'bridge', '1.0.0', '0.4.0']);
        stdin = Buffer.from(JSON.stringify(m.obj));
        what.push(...m.what);
      } else if (r < 0.75) {
        const b = breakBytes(prng, Buffer.from(JSON.stringify(base)));
        stdin = b.buf; what.push(b.what);
      } else {
        stdin = Buffer.from(JSON.stringify(base));
        const k = prng.pick(Object.keys(ENV_VALUES));
        const v = prng.pick(ENV_VALUES[k]!);
        if (v === undefined) delete env[k]; else env[k] = v;
        what.push(`${k}=${JSON.stringify(v)}`);
      }
      const full = i % CNI_FULL_PLUGIN_EVERY === CNI_FULL_PLUGIN_EVERY - 1;
      if (full) { fullPlugin++; env.CNI_PATH = env.CNI_PATH?.replace(/\/fast$/, '') ?? ''; }
      const bin = join(OUR_BIN, full ? '' : 'fast', 'bridge');
      const res = await runCni(bin, env, stdin, node);
      const label = `case ${i} (${what.join(' ')})`;
      let parsed: { code?: unknown; msg?: unknown } | undefined;
      try { parsed = res.out.trim() ? JSON.parse(res.out) as typeof parsed : undefined; } catch { /* checked below */ }
      if (res.code === 0) {
        accepted++;
        tally(results, 'ok');
        if (env.CNI_COMMAND === 'ADD') {
          const d = await runCni(bin, { ...env, CNI_COMMAND: 'DEL' }, stdin, node);
          if (d.code !== 0) violations.push(`${label}: ADD ok but DEL failed: ${d.out.slice(0, 200)}`);
        }
      } else if (res.code !== 1 || !parsed || typeof parsed.code !== 'number' || typeof parsed.msg !== 'string') {
        violations.push(`${label}: exit ${res.code ?? res.signal} without an error result: ${res.out.slice(0, 200)}`);
        tally(results, 'no result');
      } else {
        const c = parsed.code;
        tally(results, `code ${c}`);
        if (!ALLOWED_CNI_CODES.has(c) && c < 100) violations.push(`${label}: code ${c} is not a spec code`);
        if (INTERNAL_ERROR.test(parsed.msg as string)) violations.push(`${label}: internal error leaked as code ${c}: ${String(parsed.msg).slice(0, 200)}`);
      }
      // no partial state: no veth on the node, nothing but lo in the pod, no allocation
      const [veths, podLinks] = await Promise.all([vethsIn(node), linksIn(podName)]);
      const allocs = allocations(dataDir);
      if (veths.length || podLinks.length || allocs.length) {
        violations.push(`${label}: left ${JSON.stringify({ veths, podLinks, allocs })}`);
        for (const v of veths) await exec(['ip', '-n', node.split('/').pop()!, 'link', 'del', v], { allowFail: true });
        for (const l of podLinks) await exec(['ip', '-n', podName, 'link', 'del', l], { allowFail: true });
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    tc.diagnostic(`cni fuzz: seed ${SEED}, ${CNI_CASES} cases (${fullPlugin} through the full plugin), ${accepted} accepted and DEL'd; results: ${fmt(results)}; violations: ${violations.length}`);
    assert.deepEqual(violations.slice(0, 15), [], `${violations.length} violations`);
    assert.ok(server.exitCode === null && server.signalCode === null, 'the CNI server survived');
  } finally {
    if (server && server.exitCode === null && server.signalCode === null) {
      const done = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await done;
    }
    await f.cleanup();
  }
  assert.deepEqual(labLeftovers(`tcni-${f.id}`).filter((l) => !already.has(l)), [], 'nothing of this test left behind (what other labs had before it started is not counted)');
});

// ---------------------------------------------------------------------------------------------
// API

interface Raw { status: number; type: string; body: Buffer }
const agents = new WeakMap<ApiServerHandle, Agent>();
/** One keep-alive HTTPS agent per server, with the admin kubeconfig's client certificate. */
function agentFor(api: ApiServerHandle): Agent {
  let a = agents.get(api);
  if (!a) {
    const kc = parseYaml(readFileSync(api.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
    const b = (s: string): Buffer => Buffer.from(s, 'base64');
    a = new Agent({ keepAlive: true, maxSockets: 1, ca: b(kc.clusters[0]!.cluster['certificate-authority-data']!), cert: b(kc.users[0]!.user['client-certificate-data']!), key: b(kc.users[0]!.user['client-key-data']!) });
    agents.set(api, a);
  }
  return a;
}
function rawRequest(api: ApiServerHandle, method: string, path: string, body: Buffer | undefined, contentType: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}${path}`, {
      method, agent: agentFor(api), headers: { 'content-type': contentType, accept: 'application/json', ...(body ? { 'content-length': body.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(body);
  });
}

const API_BASES: { resource: string; obj: Json }[] = [
  { resource: 'configmaps', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { app: 'a' } }, data: { k: 'v', k2: 'w' } } },
  { resource: 'services', obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { type: 'ClusterIP', selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } } },
  { resource: 'pods', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', labels: { app: 'a' } }, spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: 'podnet/echo', ports: [{ containerPort: 8080 }], env: [{ name: 'A', value: 'b' }] }] } } },
];

test(`fuzz: ${API_CASES} mutated API objects as JSON, YAML and protobuf → 4xx Status, the server stays up, no half-made object`, async (tc) => {
  const prng = new Prng(SEED + 1);
  const t0 = Date.now();
  const api = await startApiServer({ controllers: '' });
  try {
    await api.kubectl(['create', 'namespace', 'fuzz']);
    await api.kubectl(['create', 'serviceaccount', 'default', '-n', 'fuzz']);
    const t1 = Date.now();
    const statuses = new Map<string, number>();
    const samples403: string[] = [];
    const violations: string[] = [];
    const acked = new Map<string, Set<string>>(API_BASES.map((b) => [b.resource, new Set()]));
    const alive = async (label: string) => {
      const pid = api.pid();
      let up = false;
      try { up = pid !== undefined && process.kill(pid, 0); } catch { up = false; }
      const h = up ? await rawRequest(api, 'GET', '/readyz', undefined, 'application/json').catch(() => undefined) : undefined;
      if (!up || h?.status !== 200) throw new Error(`API server down after ${label} (pid ${pid}, readyz ${h?.status})`);
    };
    for (let i = 0; i < API_CASES; i++) {
      const base = prng.pick(API_BASES);
      const name = `fz-${i}`;
      const named = structuredClone(base.obj) as { metadata: { name: string } };
      named.metadata.name = name;
      const m = mutate(prng, named as unknown as Json, (p) => p.length === 1 && (p[0] === 'apiVersion' || p[0] === 'kind') && prng.chance(0.8));
      const r = prng.next();
      let body: Buffer, ct: string, enc: string;
      if (r < 0.4) { body = Buffer.from(JSON.stringify(m.obj)); ct = 'application/json'; enc = 'json'; }
      else if (r < 0.6) { body = Buffer.from(toYaml(m.obj)); ct = 'application/yaml'; enc = 'yaml'; }
      else if (r < 0.8) {
        enc = 'protobuf'; ct = 'application/vnd.kubernetes.protobuf';
        try { body = encodeProtobufObject(m.obj as Record<string, unknown>); } catch { body = encodeProtobufObject(named as unknown as Record<string, unknown>); enc = 'protobuf (unmutated fields)'; }
        if (prng.chance(0.5)) { const b = breakBytes(prng, body); body = b.buf; enc = `protobuf, ${b.what}`; }
      } else if (r < 0.92) {
        const raw = prng.chance(0.5) ? Buffer.from(JSON.stringify(named)) : Buffer.from(toYaml(named));
        const b = breakBytes(prng, raw); body = b.buf; ct = prng.chance(0.5) ? 'application/json' : 'application/yaml'; enc = `${ct.split('/')[1]}, ${b.what}`;
      } else { body = Buffer.from(JSON.stringify(named)); ct = prng.pick(['text/plain', 'application/xml', 'application/cbor', 'multipart/form-data', '']); enc = `content-type ${JSON.stringify(ct)}`; }
      const label = `case ${i} ${base.resource} ${enc} (${m.what.join(' ')})`;
      const res = await rawRequest(api, 'POST', `/api/v1/namespaces/fuzz/${base.resource}`, body, ct).catch((e: Error) => ({ status: -1, type: '', body: Buffer.from(e.message) }));
      tally(statuses, String(res.status));
      if (res.status === 403 && !samples403.length) samples403.push(`${label}: ${res.body.toString().slice(0, 200)}`);
      if (res.status === 201 || res.status === 200) {
        const got = JSON.parse(res.body.toString()) as { metadata?: { name?: string } };
        acked.get(base.resource)!.add(got.metadata?.name ?? '?');
      } else if (res.status >= 400 && res.status < 500) {
        let st: { kind?: string; code?: number; message?: string; details?: { causes?: { field?: string }[] } } | undefined;
        try { st = JSON.parse(res.body.toString()) as typeof st; } catch { /* below */ }
        if (st?.kind !== 'Status' || st.code !== res.status || !st.message) violations.push(`${label}: ${res.status} without a Status: ${res.body.toString().slice(0, 160)}`);
        else if (res.status === 422 && !(st.details?.causes?.some((c) => c.field) || /[a-z]+\.[a-zA-Z[]/.test(st.message))) violations.push(`${label}: 422 names no field: ${st.message.slice(0, 160)}`);
        else if (INTERNAL_ERROR.test(st.message)) violations.push(`${label}: internal error leaked: ${st.message.slice(0, 160)}`);
      } else violations.push(`${label}: HTTP ${res.status}: ${res.body.toString().slice(0, 200)}`);
      if (i % 50 === 49) await alive(label);
    }
    const t2 = Date.now();
    // YAML through the real kubectl: client- or server-side refusal, or created
    let kubectlRefused = 0;
    for (let i = 0; i < KUBECTL_CASES; i++) {
      const base = prng.pick(API_BASES);
      const named = structuredClone(base.obj) as { metadata: { name: string; namespace?: string } };
      named.metadata.name = `fk-${i}`; named.metadata.namespace = 'fuzz';
      const m = mutate(prng, named as unknown as Json, (p) => p.length <= 2 && (p[0] === 'apiVersion' || p[0] === 'kind' || (p[0] === 'metadata' && p[1] === 'namespace')));
      const r = await api.kubectlRaw(['create', '-f', '-', '-o', 'name'], toYaml(m.obj));
      if (r.code === 0) { const nm = r.stdout.trim().split('/').pop()!; acked.get(base.resource)!.add(nm); } else kubectlRefused++;
      if (/Internal error|InternalError|\b50\d\b/.test(r.stderr)) violations.push(`kubectl case ${i}: ${r.stderr.slice(0, 200)}`);
    }
    await alive('the last case');
    tc.diagnostic(`api fuzz: start ${t1 - t0} ms, raw cases ${t2 - t1} ms, kubectl cases ${Date.now() - t2} ms`);
    // no half-made object: what exists is exactly what was acknowledged
    for (const b of API_BASES) {
      const list = JSON.parse((await rawRequest(api, 'GET', `/api/v1/namespaces/fuzz/${b.resource}`, undefined, 'application/json')).body.toString()) as { items: { metadata: { name: string } }[] };
      const names = list.items.map((x) => x.metadata.name).filter((n) => !(b.resource === 'configmaps' && n === 'kube-root-ca.crt')).sort();
      assert.deepEqual(names, [...acked.get(b.resource)!].sort(), `${b.resource}: objects that exist vs objects acknowledged`);
    }
    tc.diagnostic(`api fuzz: seed ${SEED + 1}, ${API_CASES} raw POSTs (JSON/YAML/protobuf/broken/bad content types) → HTTP ${fmt(statuses)}; ${KUBECTL_CASES} kubectl create -f (${kubectlRefused} refused); ${[...acked.values()].reduce((n, s) => n + s.size, 0)} objects acknowledged = objects stored; violations: ${violations.length}; server alive`);
    if (samples403.length) tc.diagnostic(`api fuzz: a 403: ${samples403[0]}`);
    assert.deepEqual(violations.slice(0, 15), [], `${violations.length} violations`);
  } finally {
    agents.get(api)?.destroy();
    await api.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// DNS

function dnsQuery(id: number, name: string, qtype = 1, o: { flags?: number; qdcount?: number; edns?: boolean } = {}): Buffer {
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0); h.writeUInt16BE(o.flags ?? 0x0100, 2); h.writeUInt16BE(o.qdcount ?? 1, 4); h.writeUInt16BE(o.edns ? 1 : 0, 10);
  const q = Buffer.alloc(4); q.writeUInt16BE(qtype, 0); q.writeUInt16BE(1, 2);
  const opt = o.edns ? Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0]) : Buffer.alloc(0);
  return Buffer.concat([h, ...labels, Buffer.from([0]), q, opt]);
}

interface DnsCase { what: string; pkt: Buffer; /** rcodes acceptable; 'drop' allows no answer */ expect: readonly (number | 'drop')[] }

/** One UDP exchange: the answer, or undefined after `ms`. */
async function udpAsk(port: number, pkt: Buffer, ms = 400): Promise<Buffer | undefined> {
  const s = createSocket('udp4');
  try {
    return await new Promise<Buffer | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), ms);
      s.on('message', (m) => { clearTimeout(t); resolve(m); });
      s.send(pkt, port, '127.0.0.1');
    });
  } finally { s.close(); }
}

/** One TCP exchange: `raw` is sent as is (the test frames it); the first framed answer, or undefined when the server closes/stays silent. */
function tcpAsk(port: number, raw: Buffer, ms = 300): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const done = (v: Buffer | undefined) => { clearTimeout(t); c.destroy(); resolve(v); };
    const t = setTimeout(() => done(undefined), ms);
    c.on('connect', () => c.end(raw));
    c.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0))); });
    c.on('error', () => done(undefined));
    c.on('close', () => done(undefined));
  });
}

function dnsCases(prng: Prng, n: number): DnsCase[] {
  const ok = (id: number) => dnsQuery(id, 'web.default.svc.cluster.local');
  const any: readonly (number | 'drop')[] = [0, 1, 2, 3, 4, 5, 'drop'];
  const out: DnsCase[] = [];
  for (let i = 0; i < n; i++) {
    const id = prng.int(65536);
    const r = prng.int(11);
    if (r === 0) out.push({ what: 'header cut short', pkt: ok(id).subarray(0, prng.int(12)), expect: ['drop'] });
    else if (r === 1) out.push({ what: 'question cut short', pkt: ok(id).subarray(0, 12 + 1 + prng.int(30)), expect: [1, 'drop'] });
    else if (r === 2) out.push({ what: 'no question', pkt: dnsQuery(id, 'web.default.svc.cluster.local', 1, { qdcount: 0 }).subarray(0, 12), expect: [1, 'drop'] });
    else if (r === 3) out.push({ what: 'opcode STATUS/NOTIFY/UPDATE', pkt: dnsQuery(id, 'web.default.svc.cluster.local', 1, { flags: (prng.pick([2, 4, 5, 9]) << 11) | 0x0100 }), expect: [4] });
    else if (r === 4) out.push({ what: 'a response (QR set)', pkt: dnsQuery(id, 'web.default.svc.cluster.local', 1, { flags: 0x8100 }), expect: ['drop'] });
    else if (r === 5) {
      const loop = Buffer.concat([dnsQuery(id, '', 1).subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
      out.push({ what: 'compression pointer loop', pkt: loop, expect: [1, 'drop'] });
    } else if (r === 6) {
      const long = Buffer.concat([dnsQuery(id, '', 1).subarray(0, 12), Buffer.from([64]), Buffer.alloc(64, 0x61), Buffer.from([0, 0, 1, 0, 1])]);
      out.push({ what: 'label longer than 63', pkt: long, expect: [1, 'drop'] });
    } else if (r === 7) {
      const name = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
      out.push({ what: 'name longer than 255', pkt: dnsQuery(id, name), expect: [1, 3, 5, 'drop'] });
    } else if (r === 8) out.push({ what: 'oversized datagram', pkt: Buffer.concat([ok(id), prng.bytes(1200 + prng.int(3000))]), expect: any });
    else if (r === 9) out.push({ what: 'qtype/qclass odd', pkt: dnsQuery(id, 'web.default.svc.cluster.local', prng.pick([0, 255, 252, 65535, 99])), expect: [0, 1, 3, 4, 5] });
    else { const b = breakBytes(prng, ok(id)); out.push({ what: `mutated (${b.what.replace(/\d+/g, 'N')})`, pkt: b.buf, expect: any }); }
  }
  return out;
}

test(`fuzz: ${DNS_CASES} malformed DNS queries over UDP and TCP → FORMERR/NOTIMP/dropped, the server keeps answering`, async (tc) => {
  const prng = new Prng(SEED + 2);
  const dir = mkdtempSync(join(tmpdir(), 'pn-fuzzdns-'));
  let dns: ChildProcess | undefined;
  try {
    const records = join(dir, 'records.yaml');
    writeFileSync(records, toYaml({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.50', ports: [{ port: 80 }] } }));
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    dns = spawn(process.execPath, [PODNET_MAIN, 'dns', '--records-file', records, '--listen', `127.0.0.1:${port}`, '--http-listen', '127.0.0.1:0', '--dns-ip', '10.96.0.10'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    dns.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-5000); });
    const valid = async (via: 'udp' | 'tcp'): Promise<boolean> => {
      const id = prng.int(65536);
      const q = dnsQuery(id, 'web.default.svc.cluster.local');
      const a = via === 'udp' ? await udpAsk(port, q, 1000) : await tcpAsk(port, Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q]), 2000);
      return !!a && a.readUInt16BE(0) === id && (a[3]! & 15) === 0 && a.readUInt16BE(6) === 1 && a.subarray(a.length - 4).equals(Buffer.from([10, 96, 0, 50]));
    };
    for (let i = 0; i < 100 && !(await valid('udp')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(await valid('udp'), `podnet dns answers before fuzzing: ${log}`);
    const outcomes = new Map<string, number>();
    const violations: string[] = [];
    const cases = dnsCases(prng, DNS_CASES);
    for (const [i, c] of cases.entries()) {
      const tcp = i % 5 === 4;
      let answer: Buffer | undefined;
      if (tcp) {
        // TCP framing faults too: a length that lies, or none at all
        const lie = prng.int(4);
        const len = lie === 0 ? c.pkt.length + 1 + prng.int(100) : lie === 1 ? Math.max(0, c.pkt.length - 1) : c.pkt.length;
        const framed = lie === 3 ? c.pkt.subarray(0, 1) : Buffer.concat([Buffer.from([len >> 8 & 255, len & 255]), c.pkt]);
        answer = await tcpAsk(port, framed);
      } else answer = await udpAsk(port, c.pkt, c.expect.length === 1 && c.expect[0] === 'drop' ? 80 : 300);
      const rcode = answer && answer.length >= 4 ? answer[3]! & 15 : undefined;
      tally(outcomes, `${tcp ? 'tcp' : 'udp'} ${c.what}: ${rcode === undefined ? 'no answer' : ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][rcode] ?? `rcode ${rcode}`}`);
      if (answer && answer.length < 12) violations.push(`case ${i} ${c.what}: a ${answer.length}-byte answer`);
      else if (answer && c.pkt.length >= 2 && answer.readUInt16BE(0) !== c.pkt.readUInt16BE(0)) violations.push(`case ${i} ${c.what}: answer ID ${answer.readUInt16BE(0)} ≠ query ID`);
      else if (answer && !(answer[2]! & 0x80)) violations.push(`case ${i} ${c.what}: answer without QR`);
      else if (!tcp && !c.expect.includes(rcode === undefined ? 'drop' : rcode)) violations.push(`case ${i} ${c.what}: got ${rcode ?? 'no answer'}, want one of ${c.expect.join('/')}`);
      if (i % 40 === 39) {
        if (dns.exitCode !== null || dns.signalCode !== null) throw new Error(`podnet dns died after case ${i} (${c.what}): ${log}`);
        if (!(await valid(i % 80 === 79 ? 'tcp' : 'udp'))) violations.push(`after case ${i}: a valid query was not answered`);
      }
    }
    assert.ok(await valid('udp') && await valid('tcp'), 'valid queries are answered after the fuzzing');
    assert.ok(dns.exitCode === null && dns.signalCode === null, 'podnet dns is alive');
    tc.diagnostic(`dns fuzz: seed ${SEED + 2}, ${DNS_CASES} cases (${Math.floor(DNS_CASES / 5)} over TCP with lying lengths) → ${fmt(outcomes)}`);
    tc.diagnostic(`dns fuzz: violations: ${violations.length}; server alive and answering`);
    assert.deepEqual(violations.slice(0, 15), [], `${violations.length} violations`);
  } finally {
    if (dns && dns.exitCode === null && dns.signalCode === null) {
      const done = new Promise((r) => dns!.once('exit', r));
      dns.kill('SIGTERM');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
