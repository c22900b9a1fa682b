/**
 * Processes in namespaces: detached processes (optionally in a new network namespace), the argv of
 * an isolated process (a netns to join plus its own PID, mount and UTS namespaces, hostname and
 * bind mounts), and commands run in a running process's namespaces. The kubelet's sandbox asks for
 * these; the command strings (unshare, nsenter, hostname, mount) live only here.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { exec, type ExecOptions, type ExecResult } from '../util/exec.js';
import type { NetnsPath } from './whereami.js';

/**
 * Starts argv detached — its own session (setsid), stdio on /dev/null — so it outlives this
 * process. With `newNetns` it runs in a new network namespace: unshare (no --fork) execs argv in
 * place, so the pid returned is argv's. Undefined when the process could not be started.
 */
export function spawnDetached(argv: readonly string[], o: { newNetns?: boolean; env?: NodeJS.ProcessEnv } = {}): number | undefined {
  const full = o.newNetns ? ['unshare', '--net', '--', ...argv] : [...argv];
  const fd = openSync('/dev/null', 'r');
  try {
    const child = spawn(full[0]!, full.slice(1), { detached: true, stdio: [fd, 'ignore', 'ignore'], env: o.env ?? process.env });
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } finally { closeSync(fd); }
}

export interface IsolatedProcess {
  /** The network namespace to join. */
  netnsPath: NetnsPath;
  hostname: string;
  /** Files bind-mounted over paths of the new (private) mount namespace, e.g. /etc/hosts. */
  binds: readonly { source: string; target: string }[];
  /** What then runs, as PID 1 of the new PID namespace (exec'd in place of the set-up shell). */
  argv: readonly string[];
}

/** Exit code of an isolated process whose set-up (hostname, bind mounts) failed. */
export const ISOLATION_FAILED = 128;

/**
 * Set-up shell: hostname, then N bind mounts (source target pairs), then exec of the rest. Any
 * failure exits ISOLATION_FAILED before the command runs. This is the host's view (`podnet/host`):
 * a mount point missing on the host (e.g. /var/run/secrets/kubernetes.io/serviceaccount) is never
 * created in the host's tree; that volume is left out, with a line on stderr (the container log).
 */
const ISOLATE = `hostname "$1" || exit ${ISOLATION_FAILED}; n=$2; shift 2; `
  + `while [ "$n" -gt 0 ]; do if [ -e "$2" ]; then mount --bind "$1" "$2" || exit ${ISOLATION_FAILED}; `
  + `else echo "host view: $2 does not exist on the host and is not created there; not mounted" >&2; fi; shift 2; n=$((n-1)); done; exec "$@"`;

/**
 * argv that runs p.argv in p's network namespace with its own PID (forked: it becomes PID 1, /proc
 * remounted), mount (private propagation) and UTS namespaces. The process that runs this argv
 * (nsenter exec'd into unshare) is the parent of the isolated PID 1.
 */
export function isolatedProcessArgv(p: IsolatedProcess): string[] {
  return ['nsenter', `--net=${p.netnsPath}`, '--', 'unshare', '--pid', '--fork', '--mount', '--uts', '--mount-proc', '--propagation', 'private', '--',
    'bash', '-c', ISOLATE, 'isolate', p.hostname, String(p.binds.length), ...p.binds.flatMap((b) => [b.source, b.target]), ...p.argv];
}

/** argv that runs a command in the net, pid, mount and uts namespaces of a running process. */
function joinArgv(pid: number, argv: readonly string[]): string[] {
  return ['nsenter', '-t', String(pid), '--net', '--pid', '--mount', '--uts', '--', ...argv];
}

/** Runs a command in a process's namespaces (net, pid, mount, uts) to completion. */
export function execInProcessNamespaces(pid: number, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  return exec(joinArgv(pid, argv), opts);
}

/** Starts a command in a process's namespaces with piped stdio (interactive exec); the caller owns it. */
export function spawnInProcessNamespaces(pid: number, argv: readonly string[]): ChildProcessWithoutNullStreams {
  const full = joinArgv(pid, argv);
  return spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A container in its own root filesystem: an overlay of the image over a per-container writable layer. */
export interface RootfsProcess {
  /** The network namespace to join (the pod's). */
  netnsPath: NetnsPath;
  /** With a target: join its PID namespace (ephemeral container with targetContainerName) instead of a new one. */
  pidOf?: number;
  /** Join this process's IPC namespace (the pod's first container) instead of a new one. */
  ipcOf?: number;
  hostname: string;
  /** The image's read-only tree (overlay lowerdir). */
  lower: string;
  /** Writable layer and overlay work dir (same filesystem), and the mount point of the merged tree. */
  upper: string;
  work: string;
  merged: string;
  /** Bind mounts into the rootfs (files or dirs), in order; targets are created when missing. */
  binds: readonly { source: string; target: string; readOnly?: boolean }[];
  workingDir: string;
  /** `uid:gid`, or '' to stay root. */
  user: string;
  /** Exec'd as a child of the container's init (PID 1), whose exit code it passes on; argv[0] as given. */
  argv: readonly string[];
  /** The file argv[0] names (the image PATH's lookup); default argv[0]. */
  path?: string;
}

/** The init loop (a fresh, short-lived-script PID 1: what `ps` in the container shows). */
// (an asynchronous list's stdin is /dev/null in a non-interactive shell: the container's stdin, e.g. its
// attach FIFO, is passed on through fd 9)
const INIT_LOOP = `p=$1; a0=$2; shift 2; exec 9<&0; { exec -a "$a0" "$p" "$@" 0<&9 9<&-; } & c=$!; exec 9<&-; trap "kill -TERM $c 2>/dev/null" TERM; trap "kill -INT $c 2>/dev/null" INT; `
  + 'while :; do wait $c; rc=$?; kill -0 $c 2>/dev/null || break; done; exit $rc';

/**
 * The container's set-up and init, run by the host's static busybox sh (its applets keep working
 * once the host's tree is gone): hostname; overlay; /proc, /sys (ro), a minimal /dev (null zero
 * full random urandom tty bound from the host, devpts newinstance, shm, fd links); the binds;
 * pivot_root into the overlay and the old root detached; then workingDir and, as PID 1, the
 * command as a child with SIGTERM/SIGINT forwarded, zombies reaped and its exit code passed on
 * (like `docker run --init`: a command with no SIGTERM handler still stops). Set-up failures
 * print a reason on stderr and exit ISOLATION_FAILED before the command runs.
 */
const ROOTFS_INIT = `fail() { echo "podnet: container set-up failed: $*" >&2; exit ${ISOLATION_FAILED}; }
hostname "$1" || fail hostname; lower=$2; upper=$3; work=$4; r=$5; n=$6; shift 6
mkdir -p "$upper" "$work" "$r" || fail "state dirs"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$r" || fail "overlay mount"
mount -t proc -o nosuid,nodev,noexec proc "$r/proc" || fail /proc
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys" 2>/dev/null
mount -t tmpfs -o nosuid,mode=755,size=65536k tmpfs "$r/dev" || fail /dev
for d in null zero full random urandom tty; do : > "$r/dev/$d" && mount --bind "/dev/$d" "$r/dev/$d" || fail "/dev/$d"; done
mkdir -p "$r/dev/pts" "$r/dev/shm" && mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts" || fail /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=1777,size=65536k shm "$r/dev/shm" || fail /dev/shm
ln -s pts/ptmx "$r/dev/ptmx"; ln -s /proc/self/fd "$r/dev/fd"; ln -s /proc/self/fd/0 "$r/dev/stdin"; ln -s /proc/self/fd/1 "$r/dev/stdout"; ln -s /proc/self/fd/2 "$r/dev/stderr"
while [ "$n" -gt 0 ]; do
  src=$1; dst=$r$2; ro=$3; shift 3; n=$((n-1))
  if [ -d "$src" ]; then mkdir -p "$dst"; else mkdir -p "\${dst%/*}" && { [ -e "$dst" ] || : > "$dst"; }; fi || fail "mount point $dst"
  mount --bind "$src" "$dst" || fail "bind mount of $src"
  if [ "$ro" = ro ]; then mount -o remount,bind,ro "$dst" || fail "read-only $dst"; fi
done
cd "$r" && mkdir -p .pivot && pivot_root . .pivot || fail pivot_root
cd / && umount -l /.pivot && rmdir /.pivot || fail "old root"
wd=$2; user=$3; p=$4; a0=$5; shift 5
mkdir -p "$wd" 2>/dev/null; cd "$wd" || fail "workingDir $wd"
if [ -n "$user" ]; then set -- -S "\${user%%:*}" -G "\${user#*:}" -- "$p" "$@"; p=nsenter; a0=nsenter; fi
unset OLDPWD _ SHLVL
{ echo ok >&7; } 2>/dev/null; exec 7>&-
exec -a busybox /proc/self/exe sh -c '${INIT_LOOP}' podnet-init "$p" "$a0" "$@"`;

/** Absolute path of a host tool (the container's PATH is not the host's). */
export function hostBin(name: string): string {
  return ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => `${d}/${name}`).find((p) => existsSync(p)) ?? name;
}

/** The host's static busybox (it runs the container's set-up and init). */
export const STATIC_BUSYBOX = '/bin/busybox';

/**
 * argv that starts p: nsenter into the pod's network namespace (and the target's PID namespace),
 * unshare new mount (private), UTS, IPC and (unless joined) PID namespaces, then ROOTFS_INIT as
 * PID 1. The process that runs this argv (nsenter exec'd into unshare) is the parent of the init.
 */
export function rootfsProcessArgv(p: RootfsProcess): string[] {
  const enter = [hostBin('nsenter'), `--net=${p.netnsPath}`, ...(p.pidOf ? [`--pid=/proc/${p.pidOf}/ns/pid`] : []), ...(p.ipcOf ? [`--ipc=/proc/${p.ipcOf}/ns/ipc`] : [])];
  const unshare = [hostBin('unshare'), ...(p.pidOf ? [] : ['--pid']), '--fork', '--mount', '--uts', ...(p.ipcOf ? [] : ['--ipc']), '--propagation', 'private'];
  return [...enter, '--', ...unshare, '--', STATIC_BUSYBOX, 'sh', '-c', ROOTFS_INIT, 'container-init',
    p.hostname, p.lower, p.upper, p.work, p.merged, String(p.binds.length), ...p.binds.flatMap((b) => [b.source, b.target, b.readOnly ? 'ro' : 'rw']),
    '--', p.workingDir || '/', p.user, p.path ?? p.argv[0]!, ...p.argv];
}

function shQuote(s: string): string { return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`; }

/**
 * Starts a command in a running container: its mount (root and tree), PID, network, UTS and IPC
 * namespaces, with the given environment, working directory and user; piped stdio, the caller owns it.
 */
export function spawnInContainer(pid: number, argv: readonly string[], o: { env: Record<string, string>; user?: string; tty?: boolean }): ChildProcessWithoutNullStreams {
  const [uid, gid] = o.user ? o.user.split(':') : [];
  const full = [hostBin('nsenter'), '-t', String(pid), '--mount', '--pid', '--net', '--uts', '--ipc', '--wd',
    ...(uid ? [`--setuid=${uid}`, `--setgid=${gid ?? uid}`] : []), '--', ...argv];
  // with a tty: the image's script(1) gives the command a pseudo-terminal of the container's own devpts
  const line = o.tty ? [...full.slice(0, full.indexOf('--') + 1), '/usr/bin/script', '-qfec', argv.map(shQuote).join(' '), '/dev/null'] : full;
  return spawn(line[0]!, line.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: { ...o.env, SHELL: '/bin/sh' } });
}
