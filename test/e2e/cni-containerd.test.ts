/**
 * Issue 13, acceptance 6: a foreign runtime uses our CNI plugins. containerd (Debian's 1.6, with
 * runc) runs inside node1's network namespace with its own root, state, socket and config under a
 * temp dir, in a private mount namespace where /run/containerd (the shims' sockets, runc's state)
 * is a tmpfs, /etc/cni/net.d is node1's podnet conf dir and /opt/cni/bin holds podnet's plugins
 * (ctr's go-cni reads only those default dirs). A tiny OCI image (busybox-static in one layer) is
 * built by hand and imported with `ctr image import`; `ctr run --cni --rm` starts a container:
 * flannel → bridge → host-local give it an address from node1's podCIDR, it pings a pod on node2
 * and talks HTTP to it (busybox nc: a static busybox's wget crashes looking up the "http" service
 * through glibc's NSS), and on removal ctr's CNI DEL releases the address. containerd, shims,
 * mounts, cgroups and temp files are removed in `finally`; the host never runs a containerd of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PODNET, labDown, labKubectl, labLeftovers, must, randomLabName, until } from '../support/lab.js';
import { buildBusyboxImage } from '../support/ociimage.js';
import { PODNET_CNI_BIN_DIR } from '../../src/cni/runtime/index.js';
import { agentPaths } from '../../src/node/paths.js';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every pid whose command line mentions `needle`, and all their descendants (children first). */
function processTree(needle: string): number[] {
  const parent = new Map<number, number>();
  const roots: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) roots.push(Number(d));
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const visit = (p: number): void => { for (const [c, pp] of parent) if (pp === p && !out.includes(c)) visit(c); if (!out.includes(p)) out.push(p); };
  for (const r of roots) visit(r);
  return out;
}

/** The cgroup directories runc made for a containerd namespace (v1 controllers and v2), deepest first. */
function cgroupDirs(ns: string): string[] {
  const base = '/sys/fs/cgroup';
  const out: string[] = [];
  const tops = existsSync(join(base, ns)) ? [join(base, ns)] : [];
  for (const c of existsSync(base) ? readdirSync(base) : []) if (existsSync(join(base, c, ns))) tops.push(join(base, c, ns));
  const walk = (d: string): void => { try { for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name)); } catch { /* gone */ } out.push(d); };
  for (const t of tops) walk(t);
  return out;
}

const SCRIPT = String.raw`
set -eu
T=$1; CONF=$2; CNIBIN=$3; NS=$4; IMG=$5; NAME=$6; TARGET=$7; IPAM=$8
ctr() { command ctr -a "$T/containerd.sock" -n "$NS" "$@"; }
# This shell is alone in a private mount namespace (unshare -m): nothing below is seen by the host.
mkdir -p "$T/keep" "$T/etc-up" "$T/etc-work"
mount --rbind /run/podnet "$T/keep"
mount -t tmpfs -o mode=0755 podnet-ctr /run
mkdir -p /run/podnet /run/containerd
mount --move "$T/keep" /run/podnet
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc
mkdir -p /etc/cni/net.d
mount --bind "$CONF" /etc/cni/net.d
mount -t tmpfs -o mode=0755 podnet-ctr-opt /opt
mkdir -p /opt/cni/bin
for p in "$CNIBIN"/*; do [ -f "$p" ] && ln -s "$p" /opt/cni/bin/; done
containerd --config "$T/config.toml" >"$T/containerd.log" 2>&1 &
CPID=$!
echo "CONTAINERD $CPID"
for i in $(seq 200); do [ -S "$T/containerd.sock" ] && break; sleep 0.05; done
ctr version >/dev/null
ctr image import "$IMG" >"$T/import.log" 2>&1
echo "IMAGES $(ctr image ls -q | tr '\n' ' ')"
ctr run --rm --cni "$NAME" ctrcni sh -c '
  ip -4 addr show eth0 | sed -n "s/.*inet \([0-9.]*\/[0-9]*\).*/ADDR \1/p"
  ip route | sed "s/^/ROUTE /"
  ping -c1 -W5 '"$TARGET"' >/dev/null 2>&1 && echo PING-OK || echo PING-FAIL
  echo "HTTP $(printf "GET / HTTP/1.0\r\n\r\n" | nc -w 10 '"$TARGET"' 8080 | grep pod=)"
  echo READY
  trap "echo TERM; exit 0" TERM
  while :; do sleep 0.2; done' </dev/null >"$T/ctr.out" 2>&1 &
RPID=$!
for i in $(seq 600); do grep -q '^READY' "$T/ctr.out" 2>/dev/null && break; kill -0 $RPID 2>/dev/null || break; sleep 0.05; done
cat "$T/ctr.out"
echo "DURING $(ls "$IPAM" | tr '\n' ' ')"
echo "TASKS $(ctr task ls -q | tr '\n' ' ')"
ctr task kill -s TERM ctrcni || true
set +e; wait $RPID; echo "CTR-EXIT $?"; set -e
echo "AFTER $(ls "$IPAM" | tr '\n' ' ')"
echo "CONTAINERS $(ctr container ls -q | tr '\n' ' ')"
ctr image rm "$NAME" >/dev/null
kill $CPID; wait $CPID || true
echo DONE
`;

test('containerd in a node\'s namespace runs a container on podnet\'s CNI chain (ctr run --cni): address from the podCIDR, reaches a pod on another node, DEL releases it', { timeout: 180_000 }, async (t) => {
  const lab = randomLabName('tcd');
  const ns = `pncni${Math.random().toString(36).slice(2, 6)}`;
  const tmp = mkdtempSync(join(tmpdir(), 'podnet-ctr-'));
  const hadRunContainerd = existsSync('/run/containerd');
  let out = '';
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2'], { timeoutMs: 180_000 });
    const kubectl = labKubectl(lab);
    await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: target}\nspec:\n  nodeName: node2\n  containers: [{name: echo, image: podnet/echo}]\n');
    const target = await until('target pod Running', async () => {
      const p = JSON.parse(await kubectl(['get', 'pod', 'target', '-o', 'json'])) as { status: { phase?: string; podIP?: string } };
      return p.status.phase === 'Running' ? p.status.podIP : undefined;
    }, 90_000);
    const podCIDR = (await kubectl(['get', 'node', 'node1', '-o', 'jsonpath={.spec.podCIDR}'])).trim();
    const paths = agentPaths(`/run/podnet/${lab}/nodes/node1/state`);
    const ipamDir = join(paths.ipamData, 'cbr0');

    mkdirSync(join(tmp, 'img'));
    const img = buildBusyboxImage(join(tmp, 'img'), 'docker.io/podnet/busybox:cni', ['sh', 'ip', 'ping', 'nc', 'grep', 'printf', 'sed', 'sleep', 'cat', 'echo']);
    writeFileSync(join(tmp, 'config.toml'), [
      'version = 2',
      `root = "${tmp}/root"`, `state = "${tmp}/state"`,
      // ctr run --cni calls CNI itself (go-cni); the CRI plugin and the host-path plugins stay off.
      'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]',
      '[grpc]', `  address = "${tmp}/containerd.sock"`,
      '[ttrpc]', `  address = "${tmp}/containerd.sock.ttrpc"`,
      '[debug]', '  address = ""',
      '[metrics]', '  address = ""',
      '',
    ].join('\n'));
    writeFileSync(join(tmp, 'run.sh'), SCRIPT);
    const child = spawn('nsenter', [`--net=/run/netns/pn-${lab}-node1`, 'unshare', '-m', '--propagation', 'private', 'bash', join(tmp, 'run.sh'),
      tmp, paths.confDir, PODNET_CNI_BIN_DIR, ns, img.archive, img.name, target!, ipamDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    t.diagnostic(out.trim());
    const log = (): string => `${out}\n--- containerd.log:\n${existsSync(join(tmp, 'containerd.log')) ? readFileSync(join(tmp, 'containerd.log'), 'utf8').slice(-3000) : ''}`;
    assert.equal(code, 0, `the containerd script failed\n${log()}`);
    assert.match(out, /^IMAGES .*docker\.io\/podnet\/busybox:cni/m, 'ctr image import took our OCI archive');
    const addr = /^ADDR (\d+\.\d+\.\d+\.\d+)\/(\d+)$/m.exec(out);
    assert.ok(addr, `the container has an IPv4 address on eth0\n${log()}`);
    const ip = addr[1]!;
    assert.ok(ip.startsWith(podCIDR.split('.').slice(0, 3).join('.') + '.') && addr[2] === podCIDR.split('/')[1], `${ip}/${addr[2]} is in node1's podCIDR ${podCIDR}`);
    assert.match(out, new RegExp(`^ROUTE default via ${esc(podCIDR.replace(/0\/24$/, '1'))} dev eth0`, 'm'), 'default route via cni0 (the bridge plugin\'s gateway)');
    assert.match(out, new RegExp(`^DURING .*\\b${esc(ip)}\\b`, 'm'), 'host-local recorded the address in the node\'s IPAM dir while the container ran');
    assert.match(out, /^PING-OK$/m, `the container pings the pod on node2 (${target})\n${log()}`);
    assert.match(out, new RegExp(`^HTTP pod=target ip=${esc(target!)} peer=${esc(ip)}:`, 'm'), 'the pod on node2 sees the container\'s address');
    assert.match(out, /^CTR-EXIT 0$/m, 'the container ended on SIGTERM');
    assert.doesNotMatch(out.match(/^AFTER .*$/m)?.[0] ?? 'AFTER ?', new RegExp(`\\b${esc(ip)}\\b`), 'CNI DEL at removal released the address');
    assert.ok(!existsSync(join(ipamDir, ip)), 'no host-local reservation left');
    assert.match(out, /^CONTAINERS\s*$/m, 'the container is removed (--rm)');
  } finally {
    // Containers (children of shims) first, then shims and containerd: all mention the temp dir or are below it.
    for (const pid of processTree(tmp)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    await until('containerd and its shims gone', async () => processTree(tmp).length === 0, 10_000).catch(() => undefined);
    for (const d of cgroupDirs(ns)) { try { rmdirSync(d); } catch { /* busy or gone */ } }
    rmSync(tmp, { recursive: true, force: true });
    const down = await labDown(lab);
    assert.equal(down.code, 0, down.stderr);
  }
  assert.deepEqual(processTree(tmp), [], 'no containerd, shim or container process left');
  assert.deepEqual(cgroupDirs(ns), [], 'no cgroup left');
  assert.ok(!existsSync(tmp), 'temp dir removed');
  assert.deepEqual(labLeftovers(lab), []);
  assert.equal(existsSync('/run/containerd'), hadRunContainerd, 'the host\'s /run/containerd untouched (ours was a tmpfs in a private mount namespace)');
});
