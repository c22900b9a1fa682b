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
  /**
   * The container's root filesystem: the image's tree (read-only overlay lowerdir) and the
   * container's writable layer; without it the container sees the host's tree (podnet/host).
   */
  rootfs?: { lower: string; upper: string; work: string; merged: string };
  /** Volumes and image binds (the pod's /etc files come from hostsFile/resolvFile/hostnameFile). */
  binds?: { source: string; target: string; readOnly?: boolean }[];
  /** The pod's /etc/hostname file (rootfs containers). */
  hostnameFile?: string;
  /** `uid:gid` to run as; default root. */
  user?: string;
  /** Join this process's PID namespace (ephemeral container with targetContainerName). */
  pidOf?: number;
  /** Join this process's IPC namespace. */
  ipcOf?: number;
  /** stdin: true — the container reads `<runDir>/stdin.fifo`, held open by the shim (attach writes to it). */
  stdin?: boolean;
}

/** How to start a process in a running container (exec): its init and the container's environment. */
export interface ExecSpec {
  initPid: number;
  env: Record<string, string>;
  /** `uid:gid`, or undefined for root. */
  user?: string;
  /** The container has its own root filesystem (else exec sees the host's tree, podnet/host). */
  rootfs: boolean;
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
  /**
   * Starts a process in a running container (kubectl exec): its namespaces and root, environment,
   * working directory (the init's) and user; piped stdio, the caller owns the child. With `tty`
   * the command runs under a pseudo-terminal (script(1) on the host side): all output on stdout.
   */
  execProcess?(spec: ExecSpec, argv: readonly string[], o?: { tty?: boolean }): import('node:child_process').ChildProcessWithoutNullStreams;
}
