import type { Deployment, DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { R } from '../client/resources.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import type { EventRecorder } from './events.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import type { KReplicaSet } from './replicaset.js';
import { POD_TEMPLATE_HASH, resolveFenceposts, rollingStep, templateHash } from './rsmodel.js';
import { type K, controllerRef, deepEqual, keyOf, nowISO, splitKey } from './util.js';

export type KDeployment = K<Deployment>;
const REVISION = 'deployment.kubernetes.io/revision';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';

/**
 * Deployment controller: one ReplicaSet per pod template, named `<deployment>-<pod-template-hash>`;
 * RollingUpdate (maxSurge/maxUnavailable) or Recreate between them; scaling; status and the
 * Available/Progressing conditions that `kubectl get deploy` and `kubectl rollout status` read.
 */
export class DeploymentController {
  private readonly queue: WorkQueue;
  private readonly deps;
  private readonly rss;
  /** RSes this controller created/scaled, until the informer shows them (avoids acting on a stale cache). */
  private readonly pendingRS = new Map<string, { rv: string; at: number; dep: string }>();

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly events: EventRecorder, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'deployment', log, workers: 2 });
    this.deps = informers.get<KDeployment>(R.deployments);
    this.rss = informers.get<KReplicaSet>(R.replicasets);
    this.deps.on({ onAdd: (d) => this.queue.add(keyOf(d)), onUpdate: (_o, d) => this.queue.add(keyOf(d)), onDelete: (d) => this.queue.add(keyOf(d)) });
    const owner = (r: KReplicaSet): void => {
      const ref = controllerRef(r);
      if (ref?.kind === 'Deployment') this.queue.add(`${r.metadata.namespace}/${ref.name}`);
    };
    this.rss.on({ onAdd: owner, onUpdate: (_o, r) => owner(r), onDelete: owner });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private owned(d: KDeployment): KReplicaSet[] {
    return this.rss.list().filter((r) => r.metadata.namespace === d.metadata.namespace && controllerRef(r)?.uid === d.metadata.uid);
  }

  /** True while an RS we wrote for this Deployment isn't in the cache at that version yet. */
  private stale(depKey: string): boolean {
    for (const [k, p] of this.pendingRS) {
      const { namespace, name } = splitKey(k);
      const c = this.rss.get(namespace, name);
      if (Date.now() - p.at > 30_000 || (c && Number(c.metadata.resourceVersion) >= Number(p.rv))) { this.pendingRS.delete(k); continue; }
      if (p.dep === depKey) return true;
    }
    return false;
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace!;
    const d = this.deps.get(ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    if (this.stale(key)) { this.queue.addAfter(key, 50); return; }
    let rsets = this.owned(d);
    const hash = templateHash(d.spec?.template, d.status?.collisionCount);
    let newRS = rsets.find((r) => r.metadata.labels?.[POD_TEMPLATE_HASH] === hash);
    const old = rsets.filter((r) => r !== newRS);
    const desired = d.spec?.replicas ?? 1;
    const maxRev = Math.max(0, ...rsets.map((r) => Number(r.metadata.annotations?.[REVISION] ?? 0)));
    const strategy = d.spec?.strategy?.type ?? 'RollingUpdate';
    const { surge, unavailable } = strategy === 'Recreate' ? { surge: 0, unavailable: desired } : resolveFenceposts(d.spec?.strategy?.rollingUpdate?.maxSurge, d.spec?.strategy?.rollingUpdate?.maxUnavailable, desired);
    let createdNew = false;

    if (!newRS && !d.spec?.paused) {
      const oldActive = old.reduce((a, r) => a + (r.spec?.replicas ?? 0), 0);
      const initial = strategy === 'Recreate' ? (oldActive > 0 ? 0 : desired)
        : old.length === 0 ? desired : Math.max(0, Math.min(desired, desired + surge - oldActive));
      newRS = await this.createRS(d, hash, initial, maxRev + 1);
      createdNew = true;
      rsets = [...old, newRS];
    } else if (newRS && Number(newRS.metadata.annotations?.[REVISION] ?? 0) < maxRev && old.some((r) => (r.spec?.replicas ?? 0) > 0)) {
      // Rolled back to an older template: it becomes the newest revision again.
      newRS = await this.scaleRS(newRS, newRS.spec?.replicas ?? 0, desired, surge, maxRev + 1);
    }

    if (newRS && !d.spec?.paused) {
      if (strategy === 'Recreate') {
        const oldRunning = old.reduce((a, r) => a + (r.spec?.replicas ?? 0) + (r.status?.replicas ?? 0), 0);
        for (const r of old) if ((r.spec?.replicas ?? 0) > 0) await this.scaleRS(r, 0, desired, surge);
        if (oldRunning === 0 && (newRS.spec?.replicas ?? 0) !== desired) newRS = await this.scaleRS(newRS, desired, desired, surge);
      } else {
        const step = rollingStep(desired, surge, unavailable,
          { name: newRS.metadata.name!, replicas: newRS.spec?.replicas ?? 0, available: newRS.status?.availableReplicas ?? 0, created: newRS.metadata.creationTimestamp ?? '' },
          old.map((r) => ({ name: r.metadata.name!, replicas: r.spec?.replicas ?? 0, available: r.status?.availableReplicas ?? 0, created: r.metadata.creationTimestamp ?? '' })));
        if (step.newReplicas !== (newRS.spec?.replicas ?? 0) || newRS.metadata.annotations?.[DESIRED] !== String(desired)) newRS = await this.scaleRS(newRS, step.newReplicas, desired, surge);
        for (const r of old) {
          const want = step.old.get(r.metadata.name!)!;
          if (want !== (r.spec?.replicas ?? 0)) await this.scaleRS(r, want, desired, surge);
        }
      }
    }
    await this.cleanup(d, old);
    await this.updateStatus(d, newRS, rsets, unavailable, createdNew);
  }

  private async createRS(d: KDeployment, hash: string, replicas: number, revision: number): Promise<KReplicaSet> {
    const ns = d.metadata.namespace!;
    const name = `${d.metadata.name}-${hash}`;
    const t = JSON.parse(JSON.stringify(d.spec?.template ?? {})) as NonNullable<NonNullable<KDeployment['spec']>['template']>;
    const labels = { ...(t.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const rs: KReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name, namespace: ns, labels,
        annotations: { [DESIRED]: String(d.spec?.replicas ?? 1), [MAX]: String((d.spec?.replicas ?? 1) + 1), [REVISION]: String(revision) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        replicas, minReadySeconds: d.spec?.minReadySeconds,
        selector: { ...(d.spec?.selector ?? {}), matchLabels: { ...(d.spec?.selector?.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash } },
        template: { ...t, metadata: { ...(t.metadata ?? {}), labels } },
      },
    };
    try {
      const created = await this.client.create(R.replicasets(ns), rs);
      this.pendingRS.set(`${ns}/${name}`, { rv: created.metadata.resourceVersion ?? '0', at: Date.now(), dep: keyOf(d) });
      await this.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`);
      return created;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await this.client.get<KReplicaSet>(R.replicasets(ns), name);
      if (controllerRef(existing)?.uid !== d.metadata.uid) {
        // A hash collision with an RS that isn't ours: bump collisionCount and try a new name.
        await this.client.update(R.deployments(ns), { ...d, status: { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 } }, 'status');
        throw new Error(`replica set ${name} exists and is not owned by deployment ${d.metadata.name}; retrying with a new hash`);
      }
      return existing;
    }
  }

  private async scaleRS(rs: KReplicaSet, replicas: number, desired: number, surge: number, revision?: number): Promise<KReplicaSet> {
    const ns = rs.metadata.namespace!;
    const from = rs.spec?.replicas ?? 0;
    const annotations: Record<string, string> = { ...(rs.metadata.annotations ?? {}), [DESIRED]: String(desired), [MAX]: String(desired + surge) };
    if (revision) annotations[REVISION] = String(revision);
    const upd: KReplicaSet = { ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...rs.spec!, replicas } };
    try {
      const out = await this.client.update(R.replicasets(ns), upd);
      this.pendingRS.set(`${ns}/${rs.metadata.name}`, { rv: out.metadata.resourceVersion ?? '0', at: Date.now(), dep: `${ns}/${controllerRef(rs)?.name}` });
      const owner = controllerRef(rs);
      if (from !== replicas && owner) {
        const d = this.deps.get(ns, owner.name);
        if (d) await this.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
      }
      return out;
    } catch (e) {
      if (isConflict(e)) throw new Error(`replica set ${rs.metadata.name} changed meanwhile (conflict), retrying`);
      throw e;
    }
  }

  /** Old ReplicaSets scaled to zero beyond revisionHistoryLimit (default 10) are deleted, oldest first. */
  private async cleanup(d: KDeployment, old: KReplicaSet[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const idle = old.filter((r) => (r.spec?.replicas ?? 0) === 0 && (r.status?.replicas ?? 0) === 0 && !r.metadata.deletionTimestamp)
      .sort((a, b) => Number(a.metadata.annotations?.[REVISION] ?? 0) - Number(b.metadata.annotations?.[REVISION] ?? 0));
    for (const r of idle.slice(0, Math.max(0, idle.length - limit))) {
      try { await this.client.delete(R.replicasets(r.metadata.namespace!), r.metadata.name!); } catch (e) { if (!isNotFound(e)) throw e; }
    }
  }

  private async updateStatus(d: KDeployment, newRS: KReplicaSet | undefined, rsets: KReplicaSet[], maxUnavailable: number, createdNew: boolean): Promise<void> {
    const desired = d.spec?.replicas ?? 1;
    const sum = (f: (r: KReplicaSet) => number | undefined): number => rsets.reduce((a, r) => a + (f(r) ?? 0), 0);
    const replicas = sum((r) => r.status?.replicas);
    const available = sum((r) => r.status?.availableReplicas);
    const updated = newRS?.status?.replicas ?? 0;
    const now = nowISO();
    const prevConds = d.status?.conditions ?? [];
    const cond = (type: string, status: 'True' | 'False', reason: string, message: string): DeploymentCondition => {
      const prev = prevConds.find((c) => c.type === type);
      const same = prev && prev.status === status && prev.reason === reason && prev.message === message;
      return {
        type, status, reason, message,
        lastUpdateTime: same ? prev.lastUpdateTime : now,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
      };
    };
    const availableOK = available >= desired - maxUnavailable;
    const complete = !!newRS && updated === desired && (newRS.status?.availableReplicas ?? 0) === desired && replicas === desired
      && (newRS.status?.observedGeneration ?? 0) >= (newRS.metadata.generation ?? 1);
    const rsName = newRS?.metadata.name ?? '';
    const progressing = complete ? cond('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`)
      : createdNew ? cond('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${rsName}"`)
      : cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
    const conditions = [
      availableOK ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
        : cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
      progressing,
    ];
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas, updatedReplicas: updated,
      readyReplicas: sum((r) => r.status?.readyReplicas),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available, desired - available) || undefined,
      conditions,
      ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}),
    };
    const cmp = (s: DeploymentStatus | undefined): unknown => ({ ...s, conditions: (s?.conditions ?? []).map((c) => ({ ...c, lastUpdateTime: undefined, lastTransitionTime: undefined })) });
    const revision = newRS?.metadata.annotations?.[REVISION];
    const ns = d.metadata.namespace!;
    if (revision && d.metadata.annotations?.[REVISION] !== revision) {
      try {
        await this.client.patch(R.deployments(ns), d.metadata.name!, { metadata: { annotations: { [REVISION]: revision } } }, 'merge');
        return; // the update event brings us back with a fresh object
      } catch (e) { if (isNotFound(e)) return; throw e; }
    }
    if (deepEqual(cmp(d.status), cmp(status))) return;
    try {
      await this.client.update(R.deployments(ns), { ...d, status }, 'status');
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) { this.queue.addAfter(keyOf(d), 50); return; }
      throw e;
    }
  }
}
