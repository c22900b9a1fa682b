/**
 * Container processes: each attempt runs under the shim, joins the pod's network namespace and gets
 * its own PID, mount and UTS namespaces (src/net builds that command), its hostname, /etc/hosts and
 * /etc/resolv.conf, and a tiny init.
 */
import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { isolatedProcessArgv, rootfsProcessArgv } from '../../net/nsproc.js';
import { procAlive, procChildren, procStartTime, signalPid } from '../../net/proc.js';
import { runDirFree, setUpDone, shimChildPid, shimExit, shimExited, startShim } from './shim.js';
import { SandboxError, SETUP_FAILED, type ContainerLaunch, type ContainerProc } from './types.js';
import { waitFor } from './wait.js';

/**
 * Runs as the container's PID 1: workingDir, then the command as its child (like `docker run
 * --init`): SIGTERM/SIGINT are forwarded, zombies reaped, and the exit code (128+n for a signal)
 * passed on. Without this a command that sets no SIGTERM handler would ignore it as a namespace's
 * init and every deletion would wait out the whole grace period.
 */
const INIT = `exec 7>&-; if [ -n "$1" ]; then cd "$1" || exit ${SETUP_FAILED}; fi; shift; `
  + 'exec 9<&0; { exec "$@" 0<&9 9<&-; } & c=$!; exec 9<&-; trap \'kill -TERM $c 2>/dev/null\' TERM; trap \'kill -INT $c 2>/dev/null\' INT; '
  + 'while :; do wait $c; rc=$?; kill -0 $c 2>/dev/null || break; done; exit $rc';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * argv[0] as the container's PATH finds it in the image's tree (symlinks followed inside the tree),
 * like runc's lookup; a name with a slash, or one not found, is left as it is (then the exec fails
 * in the container: exit 127 with the shell's message in the log).
 */
export function lookPath(root: string, name: string, path: string): string {
  if (name.includes('/')) return name;
  for (const dir of path.split(':')) {
    if (!dir.startsWith('/')) continue;
    if (resolveInRoot(root, posix.join(dir, name))) return posix.join(dir, name);
  }
  return name;
}

/** True when p (absolute, inside root) names a file once symlinks are followed inside root. */
function resolveInRoot(root: string, p: string, depth = 0): boolean {
  if (depth > 16) return false;
  const parts = p.split('/').filter(Boolean);
  let cur = '/';
  for (let i = 0; i < parts.length; i++) {
    const next = posix.join(cur, parts[i]!);
    let st;
    try { st = lstatSync(join(root, next)); } catch { return false; }
    if (st.isSymbolicLink()) {
      const t = readlinkSync(join(root, next));
      return resolveInRoot(root, posix.join(t.startsWith('/') ? t : posix.join(cur, t), ...parts.slice(i + 1)), depth + 1);
    }
    if (i === parts.length - 1) return st.isFile();
    if (!st.isDirectory()) return false;
    cur = next;
  }
  return false;
}

/** Starts one container process through the shim; resolves once its init process exists. */
export async function startContainerProcess(shimPath: string, c: ContainerLaunch): Promise<ContainerProc> {
  mkdirSync(c.runDir, { recursive: true });
  if (!runDirFree(c.runDir)) throw new SandboxError(`${c.runDir} holds a previous attempt`);
  const etcBinds = [{ source: c.hostsFile, target: '/etc/hosts' }, { source: c.resolvFile, target: '/etc/resolv.conf' }];
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOME: '/root', ...c.env };
  const argv = c.rootfs
    ? rootfsProcessArgv({
      netnsPath: c.netnsPath, hostname: c.hostname, ...c.rootfs, workingDir: c.workingDir ?? '/', user: c.user ?? '',
      ...(c.pidOf ? { pidOf: c.pidOf } : {}), ...(c.ipcOf ? { ipcOf: c.ipcOf } : {}),
      binds: [...etcBinds, ...(c.hostnameFile ? [{ source: c.hostnameFile, target: '/etc/hostname' }] : []), ...(c.binds ?? [])],
      argv: c.argv, path: lookPath(c.rootfs.lower, c.argv[0]!, env.PATH ?? DEFAULT_PATH),
    })
    : isolatedProcessArgv({
      netnsPath: c.netnsPath, hostname: c.hostname, binds: [...etcBinds, ...(c.binds ?? [])],
      argv: ['bash', '-c', INIT, 'container-init', c.workingDir ?? '', ...c.argv],
    });
  const shimPid = startShim(shimPath, c.runDir, c.logPath, argv, env, c.stdin ? join(c.runDir, 'stdin.fifo') : undefined);
  if (!shimPid) throw new SandboxError('could not start the container shim');
  const shimStart = procStartTime(shimPid) ?? 0;
  const pid = await waitFor(() => shimChildPid(c.runDir) ?? (shimExited(c.runDir) ? -1 : undefined), 5000, 'the container process');
  if (pid < 0) return { shimPid, shimStart, pid: 0, pidStart: 0, initPid: 0, initStart: 0 };
  const pidStart = procStartTime(pid) ?? 0;
  // the init exists once unshare has forked and the set-up shell exec'd; if the container exits
  // very quickly we may never see it, which is fine (the exit file tells).
  const initPid = await waitFor(() => {
    if (shimExited(c.runDir) || !procAlive(pid, undefined)) return 0;
    const kids = procChildren(pid);
    return kids.length ? kids[0] : undefined;
  }, 5000, 'the container init').catch(() => 0);
  const initStart = initPid ? procStartTime(initPid) ?? 0 : 0;
  // a rootfs container's init forks the command only once its root is set up (overlay, binds,
  // pivot_root): until then exec would land in a half-built mount namespace
  if (c.rootfs && initPid) {
    await waitFor(() => (setUpDone(c.runDir) || !procAlive(initPid, initStart) ? true : undefined), 10_000, 'the container set-up').catch(() => undefined);
  }
  return { shimPid, shimStart, pid, pidStart, initPid, initStart };
}

/** Shim or the container's processes still alive. */
export function containerAlive(p: ContainerProc): boolean {
  return procAlive(p.shimPid, p.shimStart) || (!!p.pid && procAlive(p.pid, p.pidStart));
}

/**
 * SIGTERM the container's init (PID 1 of its PID namespace); SIGKILL after graceMs. Resolves when it
 * ended. The init counts on its own: when the shim and unshare are gone (killed, or a crashed agent's
 * `lab down`), the init they leave behind is reparented to PID 1 and must still be stopped.
 */
export async function stopContainerProcess(p: ContainerProc, runDir: string, graceMs: number): Promise<void> {
  const initAlive = (): boolean => !!p.initPid && procAlive(p.initPid, p.initStart);
  const alive = (): boolean => initAlive() || (shimExit(runDir) === undefined && (procAlive(p.shimPid, p.shimStart) || procAlive(p.pid, p.pidStart)));
  if (!alive()) return;
  const init = initAlive() ? p.initPid : procChildren(p.pid)[0];
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
