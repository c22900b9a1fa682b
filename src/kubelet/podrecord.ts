/**
 * What the kubelet remembers of each pod, on disk so a restarted agent adopts what runs:
 * `<stateDir>/pods/<uid>/state.json`, per-attempt run dirs `pods/<uid>/containers/<c>/<attempt>`,
 * logs `logs/<ns>_<pod>_<uid>/<c>/<attempt>.log`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerProc } from './sandbox/index.js';
import type { ContainerState } from './status.js';

export type Terminated = Extract<ContainerState, { kind: 'terminated' }>;

export interface ContainerRec {
  name: string;
  attempt: number;
  restartCount: number;
  containerID?: string;
  /** The image of the current attempt, as the pod spec names it (shown by `podnet crictl ps`). */
  image?: string;
  /** The resolved image's id (`docker.io/…@sha256:<digest>`), for containerStatuses[].imageID. */
  imageID?: string;
  /** What exec runs with: the container's environment and user, and whether it has its own rootfs. */
  exec?: { env: Record<string, string>; user?: string; rootfs: boolean };
  /** An ephemeral container (kubectl debug): started once, never restarted. */
  ephemeral?: boolean;
  /** Image pull failures in a row and when to try again (ErrImagePull → ImagePullBackOff). */
  pullFailures?: number;
  pullRetryAt?: number;
  proc?: ContainerProc;
  startedAt?: string;
  /** Terminated state of the current attempt (when it exited). */
  terminated?: Terminated;
  lastTerminated?: Terminated;
  waiting?: { reason: string; message?: string };
  restartAt?: number;
  ready: boolean;
  probe?: { successes: number; failures: number; nextAt: number };
  liveness?: { failures: number; nextAt: number };
}

export interface PodRec {
  uid: string;
  namespace: string;
  name: string;
  sandboxId: string;
  netnsName: string;
  /** hostNetwork pod: the pause process stays in the node's netns; no netns mount, no CNI. */
  hostNetwork?: boolean;
  pausePid: number;
  pauseStart: number;
  podIPs: string[];
  networkAttached: boolean;
  startTime: string;
  containers: Record<string, ContainerRec>;
}

/** The state dir's layout and the pod records in it. */
export class PodStore {
  readonly podDir: string;
  readonly logDir: string;

  constructor(stateDir: string) {
    this.podDir = join(stateDir, 'pods');
    this.logDir = join(stateDir, 'logs');
    mkdirSync(this.podDir, { recursive: true });
    mkdirSync(this.logDir, { recursive: true });
  }

  dirOf(uid: string): string { return join(this.podDir, uid); }
  etcDir(uid: string): string { return join(this.dirOf(uid), 'etc'); }
  runDir(uid: string, container: string, attempt: number): string { return join(this.dirOf(uid), 'containers', container, String(attempt)); }
  podLogDir(r: { namespace: string; name: string; uid: string }): string { return join(this.logDir, `${r.namespace}_${r.name}_${r.uid}`); }
  logPath(r: { namespace: string; name: string; uid: string }, container: string, attempt: number): string {
    return join(this.podLogDir(r), container, `${attempt}.log`);
  }

  /** Writes the record atomically. */
  save(r: PodRec): void {
    const d = this.dirOf(r.uid);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'state.json.tmp'), JSON.stringify(r, null, 1));
    renameSync(join(d, 'state.json.tmp'), join(d, 'state.json'));
  }

  /** The record of one pod; undefined when missing or half-written. */
  load(uid: string): PodRec | undefined {
    try { return JSON.parse(readFileSync(join(this.dirOf(uid), 'state.json'), 'utf8')) as PodRec; } catch { return undefined; }
  }

  /** Uids with a pod dir (with or without a readable record). */
  uids(): string[] { return existsSync(this.podDir) ? readdirSync(this.podDir) : []; }

  /** Removes the pod's dir and its logs. */
  remove(uid: string, r?: { namespace: string; name: string; uid: string }): void {
    if (r) rmSync(this.podLogDir(r), { recursive: true, force: true });
    rmSync(this.dirOf(uid), { recursive: true, force: true });
  }
}
