/** What the pod runtime asks of the container runtime, and the records it keeps of it. */
import { ISOLATION_FAILED } from '../../net/nsproc.js';
import { PodnetError } from '../../util/errors.js';

export class SandboxError extends PodnetError {
  constructor(message: string, options?: { cause?: unknown }) { super('ESANDBOX', message, options); }
}

/** A pause process (pid + start time, so a reused pid is never taken for it). */
export interface PauseHandle { pid: number; startTime: number }

export interface ContainerLaunch {
  /** Per-container run dir (pid, exit files). Must not hold pid/exit yet. */
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

/** How an attempt ended, as the shim recorded it. */
export interface ContainerExit { code: number; finishedAt?: string }

/** Exit code of a container whose set-up (hostname, /etc/hosts, /etc/resolv.conf, workingDir) failed. */
export const SETUP_FAILED = ISOLATION_FAILED;

/**
 * The container runtime under the pod runtime: pause sandboxes, container processes, probes. The
 * real one (kernelSandbox in ./index.ts) works on the kernel; unit tests of the pod lifecycle fake it.
 */
export interface Sandbox {
  /** A pause process in a new network namespace named /run/netns/<netnsName>, lo up. */
  startPause(netnsName: string): Promise<PauseHandle>;
  /** A pause process in this process's (the node's) network namespace; its netns is /proc/<pid>/ns/net. */
  startHostNetworkPause(): Promise<PauseHandle>;
  /** Kills the pause process (when still ours) and removes the netns name ('' for none). */
  stopPause(p: { pid: number; startTime: number; netnsName: string }): Promise<void>;
  /** Pause alive and, with a netns name, the name still naming its namespace. */
  pauseAlive(p: { pid: number; startTime: number; netnsName?: string }): boolean;
  /** Starts one attempt; resolves once its init process exists (or it already ended). */
  startContainer(c: ContainerLaunch): Promise<ContainerProc>;
  /** How the attempt in runDir ended; undefined while no exit is recorded. */
  containerExit(runDir: string): ContainerExit | undefined;
  /** Shim or the container's processes still alive. */
  containerAlive(p: ContainerProc): boolean;
  /** The container's init is alive (exec possible). */
  initAlive(p: ContainerProc): boolean;
  /** SIGTERM the init, SIGKILL after graceMs; resolves when it ended. */
  stopContainer(p: ContainerProc, runDir: string, graceMs: number): Promise<void>;
  probeTcp(netnsPath: string, host: string, port: number, timeoutMs: number): Promise<boolean>;
  probeHttp(netnsPath: string, url: string, headers: Record<string, string>, timeoutMs: number): Promise<boolean>;
  /** Runs a command in the container (exec probe); true on exit 0. */
  probeExec(initPid: number, command: readonly string[], timeoutMs: number): Promise<boolean>;
}
