/**
 * Kernel side of pod sandboxes and containers (the only place the kubelet touches namespaces):
 * a pause process holding a new network namespace, bind-mounted as /run/netns/cni-<id>; container
 * processes that join it with their own PID, mount and UTS namespaces, started through a tiny
 * detached shim that writes CRI-format logs and the exit code to files (so the agent can restart
 * without disturbing them); probes and exec run inside the pod's namespaces.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readlinkSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec, type ExecResult } from '../util/exec.js';
import { PodnetError } from '../util/errors.js';

export class SandboxError extends PodnetError {
  constructor(message: string, options?: { cause?: unknown }) { super('ESANDBOX', message, options); }
}

/** Start time (field 22 of /proc/PID/stat, clock ticks since boot); undefined when the process is gone. */
export function procStartTime(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field 22 is rest[19]
    if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
    return Number(rest[19]);
  } catch { return undefined; }
}

/** True when PID is alive and is still the process that started at `startTime` (no PID reuse). */
export function procAlive(pid: number | undefined, startTime: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  const st = procStartTime(pid);
  return st !== undefined && (startTime === undefined || st === startTime);
}

/** Direct children of a process (from /proc/PID/task/PID/children). */
export function procChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { return []; }
}

export function signalPid(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid || pid <= 0) return;
  try { process.kill(pid, sig); } catch { /* gone */ }
}

// ───────────────────────────── pause sandbox ─────────────────────────────

export interface PauseInfo { pid: number; startTime: number; netnsName: string; netnsPath: string }

async function waitFor<T>(fn: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new SandboxError(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Starts a pause process in a NEW network namespace (detached: setsid, stdio to /dev/null, so it
 * outlives the agent), binds that namespace to /run/netns/<netnsName> (as `ip netns attach`) and
 * brings lo up. On failure everything made so far is undone.
 */
export async function startPause(netnsName: string): Promise<PauseInfo> {
  if (!/^[A-Za-z0-9_.-]+$/.test(netnsName)) throw new SandboxError(`bad netns name ${JSON.stringify(netnsName)}`);
  const child = spawn('unshare', ['--net', '--', 'bash', '-c', 'exec -a /pause sleep infinity'], { detached: true, stdio: 'ignore' });
  const pid = child.pid;
  child.unref();
  if (!pid) throw new SandboxError('could not start the pause process');
  try {
    // `detached` runs setsid() in the child, so it is its own session; unshare (no --fork) execs in
    // place: the pid is the pause process. Wait until it has exec'd into sleep in its new netns.
    const hostNet = readLinkSafe('/proc/self/ns/net');
    await waitFor(() => {
      const cmd = readFileSafe(`/proc/${pid}/cmdline`);
      const net = readLinkSafe(`/proc/${pid}/ns/net`);
      return cmd.startsWith('/pause') && net && net !== hostNet ? true : undefined;
    }, 5000, 'the pause process');
    const startTime = procStartTime(pid);
    if (startTime === undefined) throw new SandboxError('pause process exited at once');
    await exec([...hostMountNs(), 'ip', 'netns', 'attach', netnsName, String(pid)]);
    await exec(['ip', '-n', netnsName, 'link', 'set', 'lo', 'up']);
    return { pid, startTime, netnsName, netnsPath: `/run/netns/${netnsName}` };
  } catch (e) {
    signalPid(pid, 'SIGKILL');
    await removeNetnsMount(netnsName);
    throw e instanceof SandboxError ? e : new SandboxError(`starting the sandbox failed: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A pause process for a hostNetwork pod: it stays in the agent's (node's) network namespace, which
 * its containers then join through /proc/<pid>/ns/net. Refused in the host's own namespace.
 */
export async function startHostNetworkPause(): Promise<{ pid: number; startTime: number; netnsPath: string }> {
  if (readLinkSafe('/proc/self/ns/net') === readLinkSafe('/proc/1/ns/net') && readLinkSafe('/proc/1/ns/net') !== '') {
    throw new SandboxError('refusing a hostNetwork pod: the agent runs in the host\'s network namespace');
  }
  const child = spawn('bash', ['-c', 'exec -a /pause sleep infinity'], { detached: true, stdio: 'ignore' });
  const pid = child.pid;
  child.unref();
  if (!pid) throw new SandboxError('could not start the pause process');
  await waitFor(() => (readFileSafe(`/proc/${pid}/cmdline`).startsWith('/pause') ? true : undefined), 5000, 'the pause process');
  const startTime = procStartTime(pid);
  if (startTime === undefined) throw new SandboxError('pause process exited at once');
  return { pid, startTime, netnsPath: `/proc/${pid}/ns/net` };
}

function readFileSafe(p: string): string { try { return readFileSync(p, 'utf8'); } catch { return ''; } }
function readLinkSafe(p: string): string { try { return readlinkSync(p); } catch { return ''; } }

/**
 * An agent started with `ip netns exec NODE …` runs in a private (slave) mount namespace, so a netns
 * bind mount made there is invisible to the host's shell (`ip netns identify PID` would fail). The
 * mount is therefore made in PID 1's mount namespace, from where it propagates (shared /run/netns)
 * into the agent's slave namespace too. Only the mount namespace is entered, never a network one.
 */
function hostMountNs(): string[] {
  const mine = readLinkSafe('/proc/self/ns/mnt');
  const init = readLinkSafe('/proc/1/ns/mnt');
  return mine && init && mine !== init ? ['nsenter', '--mount=/proc/1/ns/mnt', '--'] : [];
}

/** Unmounts and removes /run/netns/<name> (missing is fine). */
export async function removeNetnsMount(netnsName: string): Promise<void> {
  if (!netnsName) return;
  if (existsSync(`/run/netns/${netnsName}`)) await exec([...hostMountNs(), 'ip', 'netns', 'delete', netnsName], { allowFail: true });
}

/** Kills the pause process (if it is still the one we started) and removes the netns mount. */
export async function stopPause(p: { pid?: number; startTime?: number; netnsName: string }): Promise<void> {
  if (p.pid && procAlive(p.pid, p.startTime)) {
    signalPid(p.pid, 'SIGKILL');
    await waitFor(() => (procAlive(p.pid, p.startTime) ? undefined : true), 5000, `pause ${p.pid} to exit`).catch(() => undefined);
  }
  await removeNetnsMount(p.netnsName);
}

/** True when the namespace mount exists and is the pause process's namespace. */
export function sandboxNetnsIntact(p: { pid: number; netnsName: string }): boolean {
  try {
    const a = readlinkSync(`/proc/${p.pid}/ns/net`);
    const st = statIno(`/run/netns/${p.netnsName}`);
    return st !== undefined && a === `net:[${st}]`;
  } catch { return false; }
}
function statIno(p: string): number | undefined { try { return statSync(p).ino; } catch { return undefined; } }

// ───────────────────────────── containers ─────────────────────────────

/**
 * The shim: bash, detached. Runs argv with stdout/stderr turned into CRI log lines
 * (`<RFC3339Nano> <stream> F <line>`) appended to $LOG, records the child pid and finally the
 * exit code (written atomically) so a restarted agent can still learn how the container ended.
 */
const SHIM = `#!/bin/bash
# podnet container shim: shim DIR LOG -- argv...
set -u
dir=$1; log=$2; shift 3
exec 3>>"$log"
fmt() {
  # runs in its own process (process substitution): the container's environment stays untouched
  export LC_ALL=C TZ=UTC
  local stream=$1 line t ts
  while IFS= read -r line || [[ -n $line ]]; do
    t=$EPOCHREALTIME
    printf -v ts '%(%Y-%m-%dT%H:%M:%S)T' "\${t%.*}"
    printf '%s.%s000Z %s F %s\\n' "$ts" "\${t#*.}" "$stream" "$line" >&3
  done
}
exec 4> >(fmt stdout) 5> >(fmt stderr)
"$@" >&4 2>&5 </dev/null 3>&- 4>&- 5>&- &
pid=$!
exec 4>&- 5>&-
echo "$pid" > "$dir/pid.tmp" && mv "$dir/pid.tmp" "$dir/pid"
wait "$pid"; rc=$?
wait 2>/dev/null
echo "$rc" > "$dir/exit.tmp" && mv "$dir/exit.tmp" "$dir/exit"
`;

/** Writes the shim script under dir (atomically: running shims keep their old inode). */
export function installShim(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, 'shim.sh');
  if (readFileSafe(p) !== SHIM) {
    writeFileSync(`${p}.tmp`, SHIM, { mode: 0o755 });
    renameSync(`${p}.tmp`, p);
  }
  return p;
}

export interface ContainerLaunch {
  shimPath: string;
  /** Per-container run dir (pid, exit files). Must exist and be empty of pid/exit. */
  runDir: string;
  logPath: string;
  netnsPath: string;
  hostname: string;
  hostsFile: string;
  resolvFile: string;
  workingDir?: string;
  argv: string[];
  env: Record<string, string>;
}

export interface ContainerProc {
  shimPid: number;
  shimStart: number;
  /** nsenter→unshare process (parent of the container's init). */
  pid: number;
  pidStart: number;
  /** The container's PID 1 (in its own PID namespace). */
  initPid: number;
  initStart: number;
}

/**
 * Runs as the container's PID 1: hostname, /etc/hosts and /etc/resolv.conf (private mount ns),
 * workingDir, then the command as its child (like `docker run --init`): SIGTERM/SIGINT are
 * forwarded, zombies reaped, and the exit code (128+n for a signal) passed on. Without this a
 * command that sets no SIGTERM handler would ignore it as a namespace's init and every deletion
 * would wait out the whole grace period.
 */
const SETUP = 'hostname "$1" && mount --bind "$2" /etc/hosts && mount --bind "$3" /etc/resolv.conf || exit 128; '
  + 'if [ -n "$4" ]; then cd "$4" || exit 128; fi; shift 4; '
  + '"$@" & c=$!; trap \'kill -TERM $c 2>/dev/null\' TERM; trap \'kill -INT $c 2>/dev/null\' INT; '
  + 'while :; do wait $c; rc=$?; kill -0 $c 2>/dev/null || break; done; exit $rc';

/** Starts one container process through the shim; resolves once its init process exists. */
export async function startContainerProcess(c: ContainerLaunch): Promise<ContainerProc> {
  mkdirSync(c.runDir, { recursive: true });
  for (const f of ['pid', 'exit']) if (existsSync(join(c.runDir, f))) throw new SandboxError(`${c.runDir}/${f} exists`);
  const inner = ['nsenter', `--net=${c.netnsPath}`, '--', 'unshare', '--pid', '--fork', '--mount', '--uts', '--mount-proc', '--propagation', 'private', '--',
    'bash', '-c', SETUP, 'container-setup', c.hostname, c.hostsFile, c.resolvFile, c.workingDir ?? '', ...c.argv];
  const fd = openSync('/dev/null', 'r');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', ...c.env };
  const child = spawn('bash', [c.shimPath, c.runDir, c.logPath, '--', ...inner], { detached: true, stdio: [fd, 'ignore', 'ignore'], env });
  closeSync(fd);
  const shimPid = child.pid;
  child.unref();
  if (!shimPid) throw new SandboxError('could not start the container shim');
  const shimStart = procStartTime(shimPid) ?? 0;
  const pid = await waitFor(() => {
    const t = readFileSafe(join(c.runDir, 'pid')).trim();
    return t ? Number(t) : (existsSync(join(c.runDir, 'exit')) ? -1 : undefined);
  }, 5000, 'the container process');
  if (pid < 0) return { shimPid, shimStart, pid: 0, pidStart: 0, initPid: 0, initStart: 0 };
  const pidStart = procStartTime(pid) ?? 0;
  // the init exists once unshare has forked and the setup shell exec'd; if the container exits
  // very quickly we may never see it, which is fine (the exit file tells).
  const initPid = await waitFor(() => {
    if (existsSync(join(c.runDir, 'exit')) || !procAlive(pid, undefined)) return 0;
    const kids = procChildren(pid);
    return kids.length ? kids[0] : undefined;
  }, 5000, 'the container init').catch(() => 0);
  return { shimPid, shimStart, pid, pidStart, initPid, initStart: initPid ? procStartTime(initPid) ?? 0 : 0 };
}

/** The exit code the shim recorded, or undefined while running. */
export function containerExitCode(runDir: string): number | undefined {
  const t = readFileSafe(join(runDir, 'exit')).trim();
  return t === '' ? undefined : Number(t);
}

/** SIGTERM the container's init (PID 1 of its PID namespace); SIGKILL after graceMs. Resolves when it ended. */
export async function stopContainerProcess(p: ContainerProc, runDir: string, graceMs: number): Promise<void> {
  const alive = (): boolean => containerExitCode(runDir) === undefined && (procAlive(p.shimPid, p.shimStart) || procAlive(p.pid, p.pidStart));
  if (!alive()) return;
  const init = p.initPid && procAlive(p.initPid, p.initStart) ? p.initPid : procChildren(p.pid)[0];
  if (graceMs > 0) {
    signalPid(init, 'SIGTERM');
    await waitFor(() => (alive() ? undefined : true), graceMs, 'graceful stop').catch(() => undefined);
  }
  if (alive()) {
    // killing a PID namespace's init kills the whole namespace
    signalPid(init ?? procChildren(p.pid)[0], 'SIGKILL');
    await waitFor(() => (alive() ? undefined : true), 5000, 'container to die').catch(() => undefined);
  }
  if (alive()) { signalPid(p.pid, 'SIGKILL'); signalPid(p.shimPid, 'SIGKILL'); }
}

/** argv that runs a command inside a running container's namespaces (net, pid, mount, uts). */
export function containerExecArgv(initPid: number, command: readonly string[]): string[] {
  return ['nsenter', '-t', String(initPid), '--net', '--pid', '--mount', '--uts', '--', ...command];
}

/** Runs a command inside a container (exec probes). */
export function execInContainer(initPid: number, command: readonly string[], timeoutMs: number): Promise<ExecResult> {
  return exec(containerExecArgv(initPid, command), { allowFail: true, timeoutMs });
}

/** TCP connect from inside the pod's netns. */
export async function probeTcp(netnsPath: string, host: string, port: number, timeoutMs: number): Promise<boolean> {
  const r = await exec(['nsenter', `--net=${netnsPath}`, '--', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', host, String(port)], { allowFail: true, timeoutMs });
  return r.code === 0;
}

/** HTTP GET from inside the pod's netns; success is a status in 200..399. */
export async function probeHttp(netnsPath: string, url: string, headers: Record<string, string>, timeoutMs: number): Promise<boolean> {
  const hdr = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const r = await exec(['nsenter', `--net=${netnsPath}`, '--', 'curl', '-s', '-k', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', String(Math.max(1, timeoutMs / 1000)), ...hdr, url],
    { allowFail: true, timeoutMs: timeoutMs + 1000 });
  const code = Number(r.stdout.trim());
  return code >= 200 && code < 400;
}
