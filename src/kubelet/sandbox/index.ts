/**
 * The container runtime on the kernel: pause sandboxes (pause.ts), container processes under a
 * shim (container.ts, shim.ts), probes (probes.ts). Kernel commands go through src/net.
 */
import { join } from 'node:path';
import { procAlive } from '../../net/proc.js';
import { spawnInContainer, spawnInProcessNamespaces } from '../../net/nsproc.js';
import { containerAlive, startContainerProcess, stopContainerProcess } from './container.js';
import { pauseAlive, startHostNetworkPause, startPause, stopPause } from './pause.js';
import { probeExec, probeHttp, probeTcp } from './probes.js';
import { installShim, shimExit } from './shim.js';
import type { Sandbox } from './types.js';

export * from './types.js';

/** POSIX shell single-quoting. */
function shellQuote(s: string): string { return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`; }

/** The real Sandbox; installs the shim under `<stateDir>/bin`. */
export function kernelSandbox(stateDir: string): Sandbox {
  const shim = installShim(join(stateDir, 'bin'));
  return {
    startPause, startHostNetworkPause, stopPause, pauseAlive,
    startContainer: (c) => startContainerProcess(shim, c),
    containerExit: shimExit,
    containerAlive,
    initAlive: (p) => !!p.initPid && procAlive(p.initPid, p.initStart),
    stopContainer: stopContainerProcess,
    probeTcp, probeHttp, probeExec,
    execProcess: (spec, argv, o) => (spec.rootfs
      ? spawnInContainer(spec.initPid, argv, { env: spec.env, ...(spec.user ? { user: spec.user } : {}), tty: !!o?.tty })
      : spawnInProcessNamespaces(spec.initPid, o?.tty ? ['script', '-qfec', argv.map(shellQuote).join(' '), '/dev/null'] : argv)),
  };
}
