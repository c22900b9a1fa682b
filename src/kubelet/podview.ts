/** The kubelet's view of a pod (input of the pure status computation) from its record. */
import type { PodRec } from './podrecord.js';
import { shouldRestart, type ContainerState, type ContainerView, type PodView } from './status.js';
import type { PodLite } from './types.js';

/**
 * Each container's state: waiting (ContainerCreating, image errors, CrashLoopBackOff while a
 * restart is pending), running or terminated. `backoffMs(restartCount)` words the back-off.
 */
export function podView(r: PodRec, pod: PodLite, o: { sandboxReady: boolean; hostIP: string; backoffMs: (restartCount: number) => number; now: string }): PodView {
  const containers: ContainerView[] = pod.spec.containers.map((c) => {
    const cr = r.containers[c.name];
    let state: ContainerState;
    if (!cr) state = { kind: 'waiting', reason: 'ContainerCreating' };
    else if (cr.waiting) state = { kind: 'waiting', ...cr.waiting };
    else if (cr.terminated && cr.restartAt !== undefined && shouldRestart(pod.spec.restartPolicy, cr.terminated.exitCode)) {
      const secs = Math.round(o.backoffMs(cr.restartCount) / 1000);
      return {
        name: c.name, image: c.image, containerID: cr.containerID, imageID: cr.imageID, restartCount: cr.restartCount, ready: false, lastTerminated: cr.terminated,
        state: { kind: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${secs}s restarting failed container=${c.name} pod=${r.name}_${r.namespace}(${r.uid})` },
      };
    } else if (cr.terminated) state = cr.terminated;
    else if (cr.proc) state = { kind: 'running', startedAt: cr.startedAt ?? o.now };
    else state = { kind: 'waiting', reason: 'ContainerCreating' };
    return { name: c.name, image: c.image, containerID: cr?.containerID, imageID: cr?.imageID, restartCount: cr?.restartCount ?? 0, state, lastTerminated: cr?.lastTerminated, ready: !!cr?.ready };
  });
  return { sandboxReady: o.sandboxReady, podIPs: r.podIPs, hostIP: o.hostIP, startTime: r.startTime, containers };
}
