import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../../src/util/exec.js';
import { makeDnsTopo, type DnsTopo } from '../support/dns-netns.js';

// podnet dns inside a namespace, with a real upstream (dnsmasq) serving a test zone, queried by
// the real dig and glibc's getent from another namespace.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let topo: DnsTopo;
let dir: string;
const procs: ChildProcess[] = [];

const records = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hyjx--hyjx-group3' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'hyjx--hyjx-group3', name: 'mysql-demo' }, spec: { clusterIP: '10.10.125.13', ports: [{ name: 'mysqld-demo', port: 13306, protocol: 'TCP' }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'kube-dns' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'many' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: 'default', name: 'many-1', labels: { 'kubernetes.io/service-name': 'many' } },
    addressType: 'IPv4', endpoints: Array.from({ length: 80 }, (_, i) => ({ addresses: [`10.244.7.${i + 1}`], conditions: { ready: true }, ...(i === 0 ? { hostname: 'first' } : {}) })),
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'db' }, spec: { type: 'ExternalName', externalName: 'www.example.test' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'p' }, spec: { containers: [] }, status: { podIP: '10.244.9.9' } },
];

async function dig(...args: string[]): Promise<string> {
  return (await exec(['ip', 'netns', 'exec', topo.client, 'dig', '+time=2', '+tries=2', '-p', '53', '@10.53.0.1', ...args])).stdout;
}

before(async () => {
  topo = await makeDnsTopo();
  dir = mkdtempSync(join(tmpdir(), 'podnet-dns-e2e-'));
  writeFileSync(join(dir, 'records.yaml'), records.map((r) => JSON.stringify(r)).join('\n---\n'));
  // Upstream: dnsmasq authoritative for example.test only, never reading the host's resolvers.
  const dnsmasq = spawn('ip', ['netns', 'exec', topo.server, 'dnsmasq', '--keep-in-foreground', '--no-resolv', '--no-hosts', '--no-daemon',
    '--listen-address=10.53.0.3', '--bind-interfaces', '--port=53', `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    '--host-record=www.example.test,10.53.99.1', '--auth-zone=example.test', '--auth-server=ns.example.test', '--auth-soa=1,hostmaster.example.test,1200,120,604800,30'], { stdio: 'ignore' });
  procs.push(dnsmasq);
  const ours = spawn('ip', ['netns', 'exec', topo.server, join(root, 'bin', 'podnet'), 'dns', '--records-file', join(dir, 'records.yaml'),
    '--listen', '10.53.0.1:53', '--http-listen', '10.53.0.1:8080', '--upstream', '10.53.0.3', '--dns-ip', '10.96.0.10'], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(ours);
  for (let i = 0; i < 100; i++) {
    const r = await exec(['ip', 'netns', 'exec', topo.client, 'dig', '+short', '+time=1', '+tries=1', '@10.53.0.1', 'kube-dns.default.svc.cluster.local'], { allowFail: true });
    const u = await exec(['ip', 'netns', 'exec', topo.client, 'dig', '+short', '+time=1', '+tries=1', '@10.53.0.3', 'www.example.test'], { allowFail: true });
    // dig +short prints errors on stdout too: wait for actual addresses.
    if (/^10\.96\.0\.10$/m.test(r.stdout) && /^10\.53\.99\.1$/m.test(u.stdout)) return;
    await new Promise((x) => setTimeout(x, 200));
  }
  throw new Error('DNS servers did not come up');
});

after(async () => {
  for (const p of procs) p.kill('SIGKILL');
  await topo?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('getent resolves short, namespaced and full names through resolv.conf search paths', async () => {
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 10.53.0.1\nsearch hyjx--hyjx-group3.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
  for (const name of ['mysql-demo', 'mysql-demo.hyjx--hyjx-group3', 'mysql-demo.hyjx--hyjx-group3.svc.cluster.local']) {
    const out = await exec(['ip', 'netns', 'exec', topo.client, 'unshare', '--mount', 'sh', '-c', `mount --bind ${join(dir, 'resolv.conf')} /etc/resolv.conf && getent hosts ${name}`]);
    assert.match(out.stdout, /^10\.10\.125\.13\s/, name);
  }
});

test('SRV, PTR, pod, ExternalName records as the specification gives them', async () => {
  assert.match(await dig('+short', 'SRV', '_mysqld-demo._tcp.mysql-demo.hyjx--hyjx-group3.svc.cluster.local'), /^0 100 13306 mysql-demo\.hyjx--hyjx-group3\.svc\.cluster\.local\.$/m);
  assert.match(await dig('+short', '-x', '10.10.125.13'), /^mysql-demo\.hyjx--hyjx-group3\.svc\.cluster\.local\.$/m);
  assert.match(await dig('+short', '-x', '10.244.7.1'), /^first\.many\.default\.svc\.cluster\.local\.$/m);
  // A headless endpoint without a hostname: answered from the cluster's data (its dashed-IP name), not forwarded.
  const ptr = await dig('-x', '10.244.7.2');
  assert.match(ptr, /status: NOERROR/);
  assert.match(ptr, /2\.7\.244\.10\.in-addr\.arpa\.\s+5\s+IN\s+PTR\s+10-244-7-2\.many\.default\.svc\.cluster\.local\./);
  assert.match(await dig('+short', '10-244-7-2.many.default.svc.cluster.local'), /^10\.244\.7\.2$/m);
  assert.match(await dig('+short', '10-244-9-9.default.pod.cluster.local'), /^10\.244\.9\.9$/m);
  const ext = await dig('db.default.svc.cluster.local');
  assert.match(ext, /db\.default\.svc\.cluster\.local\.\s+5\s+IN\s+CNAME\s+www\.example\.test\./);
  assert.match(ext, /www\.example\.test\.\s+\d+\s+IN\s+A\s+10\.53\.99\.1/);
  assert.match(await dig('TXT', '+short', 'dns-version.cluster.local'), /"1\.1\.0"/);
});

test('unknown names are NXDOMAIN with the SOA in authority; outside names are forwarded', async () => {
  const nx = await dig('nothere.default.svc.cluster.local');
  assert.match(nx, /status: NXDOMAIN/);
  assert.match(nx, /AUTHORITY SECTION:\s*\ncluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./);
  assert.match(await dig('+short', 'www.example.test'), /^10\.53\.99\.1$/m);
  assert.match(await dig('nope.example.test'), /status: NXDOMAIN/);
});

test('dig +bufsize=512 on a large headless service truncates and retries over TCP; +tcp works', async () => {
  const viaUdp = await dig('+bufsize=512', 'many.default.svc.cluster.local');
  assert.match(viaUdp, /Truncated, retrying in TCP mode/);
  assert.match(viaUdp, /ANSWER: 80,/);
  const noRetry = await dig('+bufsize=512', '+ignore', 'many.default.svc.cluster.local');
  assert.match(noRetry, /flags: qr aa( rd)? ra? ?tc|flags:[^;]*\btc\b/);
  const tcp = await dig('+tcp', 'many.default.svc.cluster.local');
  assert.match(tcp, /ANSWER: 80,/);
});

test('health, readiness and metrics endpoints answer', async () => {
  const get = (p: string): Promise<string> => exec(['ip', 'netns', 'exec', topo.client, 'curl', '-sf', `http://10.53.0.1:8080${p}`]).then((r) => r.stdout);
  assert.equal(await get('/health'), 'OK');
  assert.equal(await get('/ready'), 'OK');
  assert.match(await get('/metrics'), /podnet_dns_requests_total/);
});

// Issue 6 acceptance 4 over the wire: 10,000 malformed or mutated packets from another namespace.
const FUZZ = String.raw`
import json, os, random, socket, struct, time
random.seed(6)
def query(name):
    qn = b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0'
    return struct.pack('>HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + qn + struct.pack('>HH', 1, 1)
valid = query('kube-dns.default.svc.cluster.local')
cases = []
for i in range(10000):
    k = i % 5
    if k == 0: cases.append(bytes(random.getrandbits(8) for _ in range(1 + i % 300)))      # random bytes
    elif k == 1: b = bytearray(valid); b[12 + i % (len(b) - 12)] = i & 0xff; cases.append(bytes(b))  # one byte mutated
    elif k == 2: b = bytearray(valid); struct.pack_into('>H', b, 4 + 2 * (i % 4), 0xffff); cases.append(bytes(b))  # huge counts
    elif k == 3: b = bytearray(14); struct.pack_into('>HHH', b, 0, i & 0xffff, 0, 1); b[12] = 0xc0; b[13] = 12; cases.append(bytes(b))  # pointer loop
    else: b = bytearray(valid); b[12] = 63 + i % 64; cases.append(bytes(b))                  # bad label length
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.setblocking(False)
replies, refused = [], 0
def drain():
    global refused
    while True:
        try: replies.append(s.recv(65535))
        except BlockingIOError: return
        except ConnectionRefusedError: refused += 1
for i, c in enumerate(cases):
    try: s.sendto(c, ('10.53.0.1', 53))
    except BlockingIOError: pass
    if i % 100 == 99: time.sleep(0.01); drain()
end = time.time() + 3
while time.time() < end: drain(); time.sleep(0.05)
flags = [struct.unpack('>H', r[2:4])[0] for r in replies if len(r) >= 12]
rcodes = {}
for f in flags: rcodes[f & 0xf] = rcodes.get(f & 0xf, 0) + 1
print(json.dumps({'sent': len(cases), 'replies': len(replies), 'short': sum(1 for r in replies if len(r) < 12), 'noQR': sum(1 for f in flags if not f & 0x8000), 'rcodes': rcodes, 'refused': refused}))
`;

test('10,000 malformed or mutated packets from another namespace: FORMERR or dropped, and the server keeps answering', { timeout: 120_000 }, async (t) => {
  const out = await exec(['ip', 'netns', 'exec', topo.client, 'python3', '-c', FUZZ], { timeoutMs: 90_000 });
  const r = JSON.parse(out.stdout) as { sent: number; replies: number; short: number; noQR: number; rcodes: Record<string, number>; refused: number };
  assert.equal(r.sent, 10_000);
  assert.equal(r.short, 0, 'every reply has a full header');
  assert.equal(r.noQR, 0, 'every reply is a response');
  assert.equal(r.refused, 0, 'the server never went away (no ICMP port unreachable)');
  for (const code of Object.keys(r.rcodes)) assert.ok(['0', '1', '2', '3', '4', '5'].includes(code), `rcode ${code}: ${out.stdout}`);
  assert.ok((r.rcodes['1'] ?? 0) > 1000, `many FORMERR answers: ${out.stdout}`);
  assert.equal(procs[1]!.exitCode, null, 'podnet dns still running');
  assert.match(await dig('+short', 'mysql-demo.hyjx--hyjx-group3.svc.cluster.local'), /^10\.10\.125\.13$/m);
  assert.match(await dig('+short', 'www.example.test'), /^10\.53\.99\.1$/m, 'forwarding still works');
  t.diagnostic(`fuzz: ${out.stdout.trim()}`);
});
