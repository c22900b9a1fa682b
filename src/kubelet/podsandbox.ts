/**
 * A pod's sandbox: the pause process holding its network namespace (or the node's, for
 * hostNetwork pods), the CNI attachment (ADD, rolled back on failure; DEL) and the pod's
 * /etc/hosts and /etc/resolv.conf files.
 */
import { rfc3339 } from '../util/time.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../util/log.js';
import { PodnetError } from '../util/errors.js';
import { writePodEtc } from './podconfig.js';
import { podAttachment, type PodNetAttachment, type PodNetwork } from './podnetwork.js';
import type { PodRec, PodStore } from './podrecord.js';
import type { Sandbox } from './sandbox/index.js';
import type { PodLite } from './types.js';

export class RuntimeError extends PodnetError {
  constructor(message: string, options?: { cause?: unknown }) { super('EKUBELETRUNTIME', message, options); }
}

export interface PodSandboxOptions {
  sandbox: Sandbox;
  store: PodStore;
  network?: PodNetwork;
  stateDir: string;
  nodeIP: string;
  clusterDNS: string[];
  clusterDomain: string;
  nodeResolvConf?: string;
  log: Logger;
  warn: (r: PodRec, reason: string, message: string) => void;
}

/** The namespace a pod's containers join. */
export function podNetnsPath(r: PodRec): string { return r.hostNetwork ? `/proc/${r.pausePid}/ns/net` : `/run/netns/${r.netnsName}`; }

export class PodSandboxes {
  constructor(private readonly o: PodSandboxOptions) {}

  private writeEtc(r: PodRec, pod: PodLite): void {
    let nodeResolvConf = '';
    try { nodeResolvConf = readFileSync(this.o.nodeResolvConf ?? join(this.o.stateDir, 'resolv.conf'), 'utf8'); } catch { /* none */ }
    writePodEtc(this.o.store.etcDir(r.uid), pod, { namespace: r.namespace, podIPs: r.podIPs, clusterDNS: this.o.clusterDNS, clusterDomain: this.o.clusterDomain, nodeResolvConf });
  }

  attachment(r: PodRec, pod?: PodLite): PodNetAttachment { return podAttachment({ ...r, netnsPath: podNetnsPath(r) }, pod); }

  /**
   * A new sandbox for the pod; `prev` is its last record (its containers keep their restart counts).
   * `track` gets the record as soon as it exists, so a failure half way is retried or cleaned up.
   */
  async create(pod: PodLite, prev: PodRec | undefined, track: (r: PodRec) => void): Promise<PodRec> {
    const { sandbox: sb, store } = this.o;
    const r: PodRec = {
      uid: pod.metadata.uid!, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name!,
      sandboxId: randomBytes(32).toString('hex'), netnsName: `cni-${randomUUID()}`,
      pausePid: 0, pauseStart: 0, podIPs: [], networkAttached: false, startTime: prev?.startTime ?? rfc3339(), containers: prev?.containers ?? {},
    };
    store.save(r); // so a crash half way is cleaned up by gc
    track(r);
    if (pod.spec.hostNetwork) {
      r.hostNetwork = true;
      r.netnsName = '';
      const hp = await sb.startHostNetworkPause();
      r.pausePid = hp.pid; r.pauseStart = hp.startTime; r.podIPs = [this.o.nodeIP];
      this.writeEtc(r, pod);
      store.save(r);
      return r;
    }
    const p = await sb.startPause(r.netnsName);
    r.pausePid = p.pid; r.pauseStart = p.startTime;
    store.save(r);
    if (this.o.network) {
      try {
        const res = await this.o.network.setUp(this.attachment(r, pod));
        r.networkAttached = true;
        r.podIPs = res.ips.map((ip) => ip.split('/')[0]!);
      } catch (e) {
        await this.o.network.tearDown(this.attachment(r)).catch(() => undefined);
        await sb.stopPause({ pid: r.pausePid, startTime: r.pauseStart, netnsName: r.netnsName });
        r.pausePid = 0;
        store.save(r);
        this.o.warn(r, 'FailedCreatePodSandBox', `Failed to create pod sandbox: network set-up failed: ${(e as Error).message}`);
        throw new RuntimeError(`network set-up for pod ${r.namespace}/${r.name} failed: ${(e as Error).message}`, { cause: e });
      }
    }
    this.writeEtc(r, pod);
    store.save(r);
    this.o.log.info({ pod: `${r.namespace}/${r.name}`, netns: r.netnsName, pause: r.pausePid, ips: r.podIPs }, 'sandbox ready');
    return r;
  }

  /** Pause alive, its netns still named, and (with a network) attached. */
  alive(r: PodRec): boolean {
    if (r.hostNetwork) return this.o.sandbox.pauseAlive({ pid: r.pausePid, startTime: r.pauseStart });
    return this.o.sandbox.pauseAlive({ pid: r.pausePid, startTime: r.pauseStart, netnsName: r.netnsName }) && (!this.o.network || r.networkAttached);
  }

  /** CNI DEL (failures logged), pause killed, netns name removed. */
  async tearDown(r: PodRec): Promise<void> {
    if (r.hostNetwork) {
      await this.o.sandbox.stopPause({ pid: r.pausePid, startTime: r.pauseStart, netnsName: '' });
      r.pausePid = 0; r.podIPs = [];
      return;
    }
    if (this.o.network) await this.o.network.tearDown(this.attachment(r)).catch((e: unknown) => this.o.log.warn({ err: (e as Error).message }, 'CNI DEL failed'));
    await this.o.sandbox.stopPause({ pid: r.pausePid, startTime: r.pauseStart, netnsName: r.netnsName });
    r.pausePid = 0; r.networkAttached = false; r.podIPs = [];
  }
}
