/**
 * Container processes: each attempt runs under the shim, joins the pod's network namespace and gets
 * its own PID, mount and UTS namespaces (src/net builds that command), its hostname, /etc/hosts and
 * /etc/resolv.conf, and a tiny init.
 */
import { mkdirSync } from 'node:fs';
import { isolatedProcessArgv } from '../../net/nsproc.js';
import { procAlive, procChildren, procStartTime, signalPid } from '../../net/proc.js';
import { runDirFree, shimChildPid, shimExit, shimExited, startShim } from './shim.js';
import { SandboxError, SETUP_FAILED, type ContainerLaunch, type ContainerProc } from './types.js';
import { waitFor } from './wait.js';

/**
 * Runs as the container's PID 1: workingDir, then the command as its child (like `docker run
 * --init`): SIGTERM/SIGINT are forwarded, zombies reaped, and the exit code (128+n for a signal)
 * passed on. Without this a command that sets no SIGTERM handler would ignore it as a namespace's
 * init and every deletion would wait out the whole grace period.
 */
const INIT = `if [ -n "$1" ]; then cd "$1" || exit ${SETUP_FAILED}; fi; shift; `
  + '"$@" & c=$!; trap \'kill -TERM $c 2>/dev/null\' TERM; trap \'kill -INT $c 2>/dev/null\' INT; '
  + 'while :; do wait $c; rc=$?; kill -0 $c 2>/dev/null || break; done; exit $rc';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Starts one container process through the shim; resolves once its init process exists. */
export async function startContainerProcess(shimPath: string, c: ContainerLaunch): Promise<ContainerProc> {
  mkdirSync(c.runDir, { recursive: true });
  if (!runDirFree(c.runDir)) throw new SandboxError(`${c.runDir} holds a previous attempt`);
  const argv = isolatedProcessArgv({
    netnsPath: c.netnsPath, hostname: c.hostname,
    binds: [{ source: c.hostsFile, target: '/etc/hosts' }, { source: c.resolvFile, target: '/etc/resolv.conf' }],
    argv: ['bash', '-c', INIT, 'container-init', c.workingDir ?? '', ...c.argv],
  });
  const env: Record<string, string> = { PATH: process.env.PATH ?? DEFAULT_PATH, HOME: '/root', ...c.env };
  const shimPid = startShim(shimPath, c.runDir, c.logPath, argv, env);
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
  return { shimPid, shimStart, pid, pidStart, initPid, initStart: initPid ? procStartTime(initPid) ?? 0 : 0 };
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
