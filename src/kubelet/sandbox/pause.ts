/**
 * The pause process that holds a pod's network namespace: in a new namespace named
 * /run/netns/cni-<uuid> (as the CRI runtimes name them), or in the node's own for hostNetwork pods.
 * Detached (own session, stdio on /dev/null), so it outlives the agent.
 */
import { attachNamedNetns, detachNamedNetns, netnsPath } from '../../net/netns.js';
import { spawnDetached } from '../../net/nsproc.js';
import { procAlive, procCmdline, procStartTime, signalPid } from '../../net/proc.js';
import { inHostNetns, netnsIdOfPath, netnsIdOfPid, ownNetnsId, pidsInNetnsId } from '../../net/whereami.js';
import { SandboxError, type PauseHandle } from './types.js';
import { waitFor } from './wait.js';

/** The pause process: a sleep that shows as /pause. */
const PAUSE = ['bash', '-c', 'exec -a /pause sleep infinity'];

/** Starts a pause process in a new netns, names it /run/netns/<netnsName>, lo up; undoes it all on failure. */
export async function startPause(netnsName: string): Promise<PauseHandle> {
  if (!/^[A-Za-z0-9_.-]+$/.test(netnsName)) throw new SandboxError(`bad netns name ${JSON.stringify(netnsName)}`);
  const pid = spawnDetached(PAUSE, { newNetns: true });
  if (!pid) throw new SandboxError('could not start the pause process');
  try {
    // wait until it has exec'd into sleep in its new netns
    const own = ownNetnsId() ?? '';
    await waitFor(() => {
      const net = netnsIdOfPid(pid);
      return procCmdline(pid).startsWith('/pause') && net && net !== own ? true : undefined;
    }, 5000, 'the pause process');
    const startTime = procStartTime(pid);
    if (startTime === undefined) throw new SandboxError('pause process exited at once');
    await attachNamedNetns(netnsName, pid);
    return { pid, startTime };
  } catch (e) {
    signalPid(pid, 'SIGKILL');
    await detachNamedNetns(netnsName);
    throw e instanceof SandboxError ? e : new SandboxError(`starting the sandbox failed: ${(e as Error).message}`, { cause: e });
  }
}

/** A pause process for a hostNetwork pod, in the agent's (node's) netns. Refused in the host's own namespace. */
export async function startHostNetworkPause(): Promise<PauseHandle> {
  if (inHostNetns()) throw new SandboxError('refusing a hostNetwork pod: the agent runs in the host\'s network namespace');
  const pid = spawnDetached(PAUSE);
  if (!pid) throw new SandboxError('could not start the pause process');
  await waitFor(() => (procCmdline(pid).startsWith('/pause') ? true : undefined), 5000, 'the pause process');
  const startTime = procStartTime(pid);
  if (startTime === undefined) throw new SandboxError('pause process exited at once');
  return { pid, startTime };
}

/**
 * Kills the pause process (if it is still the one we started) and removes the netns name. Before the
 * name goes, every process still inside that netns is killed too: a container whose start an agent
 * killed by SIGKILL never recorded would otherwise outlive its pod in an unnamed netns.
 */
export async function stopPause(p: { pid?: number; startTime?: number; netnsName: string }): Promise<void> {
  const id = p.netnsName ? netnsIdOfPath(netnsPath(p.netnsName)) : undefined;
  const stray = id && id !== ownNetnsId() ? pidsInNetnsId(id).filter((x) => x !== p.pid) : [];
  for (const x of stray) signalPid(x, 'SIGKILL');
  if (stray.length) await waitFor(() => (stray.some((x) => procAlive(x, undefined)) ? undefined : true), 5000, 'the sandbox\'s processes to exit').catch(() => undefined);
  if (p.pid && procAlive(p.pid, p.startTime)) {
    signalPid(p.pid, 'SIGKILL');
    await waitFor(() => (procAlive(p.pid, p.startTime) ? undefined : true), 5000, `pause ${p.pid} to exit`).catch(() => undefined);
  }
  if (p.netnsName) await detachNamedNetns(p.netnsName);
}

/** The pause process is alive and, when named, /run/netns/<netnsName> still is its namespace. */
export function pauseAlive(p: { pid: number; startTime: number; netnsName?: string }): boolean {
  if (!(p.pid > 0 && procAlive(p.pid, p.startTime))) return false;
  if (!p.netnsName) return true;
  const mine = netnsIdOfPid(p.pid);
  return mine !== undefined && netnsIdOfPath(netnsPath(p.netnsName)) === mine;
}
