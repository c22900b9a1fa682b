/**
 * The pods/eviction subresource (policy/v1 Eviction, also policy/v1beta1 bodies): a delete that
 * honours PodDisruptionBudgets, as upstream's eviction REST. A pod that is terminal, pending or
 * already terminating, or covered by no budget, is deleted at once; with one budget the server
 * spends one of its `disruptionsAllowed` (status write with optimistic concurrency, the pod noted
 * in `disruptedPods`) and then deletes the pod; a budget with none left answers 429
 * TooManyRequests, which `kubectl drain` retries every 5 s.
 */
import type { KindSemantics, KObject } from '../kinds/types.js';
import { kindByKind } from '../kinds/index.js';
import { selectorMatches } from '../validation/index.js';
import type { Registry } from './registry.js';
import { ApiStatusError, badRequest, conflict } from './status.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface EvictionDeleteOptions { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[] }

/** Checks an Eviction body against the URL and returns its delete options. */
export function parseEviction(body: unknown, name: string): EvictionDeleteOptions {
  if (!isObj(body)) throw badRequest('the request body must be an Eviction object');
  const av = typeof body.apiVersion === 'string' ? body.apiVersion : 'policy/v1';
  const kind = typeof body.kind === 'string' ? body.kind : 'Eviction';
  if (kind !== 'Eviction' || !['policy/v1', 'policy/v1beta1'].includes(av)) {
    throw badRequest(`the body must be a policy/v1 Eviction, not ${av}/${kind}`);
  }
  const meta = isObj(body.metadata) ? body.metadata : {};
  if (typeof meta.name === 'string' && meta.name !== '' && meta.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  return isObj(body.deleteOptions) ? body.deleteOptions as EvictionDeleteOptions : {};
}

/** The budgets whose selector matches the pod (a budget without a selector matches none; `{}` all). */
export function budgetsFor(pod: KObject, pdbs: KObject[]): KObject[] {
  return pdbs.filter((b) => {
    const sel = isObj(b.spec) ? b.spec.selector : undefined;
    return isObj(sel) && selectorMatches(sel, pod.metadata.labels);
  });
}

function podReady(pod: KObject): boolean {
  const conds = isObj(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions as { type?: string; status?: string }[] : [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Pods a budget does not protect: finished, not yet running, or already being deleted. */
export function canIgnoreBudget(pod: KObject): boolean {
  const phase = isObj(pod.status) ? pod.status.phase : undefined;
  return !!pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending';
}

type Decision = { action: 'delete' } | { action: 'spend' } | { action: 'refuse'; error: ApiStatusError };

const tooMany = (message: string, cause: string): ApiStatusError =>
  new ApiStatusError(429, 'TooManyRequests', message, { causes: [{ reason: 'DisruptionBudget', message: cause }] });

/** What an eviction of `pod` may do under `pdb` (upstream's checkAndDecrement, without the write). */
export function decide(pod: KObject, pdb: KObject): Decision {
  const spec = isObj(pdb.spec) ? pdb.spec : {};
  const st = isObj(pdb.status) ? pdb.status : {};
  const name = pdb.metadata.name ?? '';
  const current = typeof st.currentHealthy === 'number' ? st.currentHealthy : 0;
  const desired = typeof st.desiredHealthy === 'number' ? st.desiredHealthy : 0;
  if (!podReady(pod)) {
    if (spec.unhealthyPodEvictionPolicy === 'AlwaysAllow') return { action: 'delete' };
    if (current >= desired && desired > 0) return { action: 'delete' };
  }
  if (typeof st.observedGeneration !== 'number' || st.observedGeneration < (pdb.metadata.generation ?? 1)) {
    return { action: 'refuse', error: tooMany("Cannot evict pod as it would violate the pod's disruption budget.", `The disruption budget ${name} is still being processed by the server.`) };
  }
  const allowed = typeof st.disruptionsAllowed === 'number' ? st.disruptionsAllowed : 0;
  if (allowed < 0) return { action: 'refuse', error: new ApiStatusError(403, 'Forbidden', 'pdb disruptions allowed is negative') };
  if (isObj(st.disruptedPods) && Object.keys(st.disruptedPods).length > 2000) {
    return { action: 'refuse', error: new ApiStatusError(403, 'Forbidden', 'DisruptedPods map too big - too many evictions not confirmed by PDB controller') };
  }
  if (allowed === 0) {
    return { action: 'refuse', error: tooMany("Cannot evict pod as it would violate the pod's disruption budget.", `The disruption budget ${name} needs ${desired} healthy pods and has ${current} currently`) };
  }
  return { action: 'spend' };
}

/** Evicts `name`: the 201 Status body on success; throws the ApiStatusError otherwise. */
export async function evictPod(reg: Registry, podKind: KindSemantics, ns: string, name: string, opts: EvictionDeleteOptions, dryRun: boolean): Promise<object> {
  const pdbKind = kindByKind('policy', 'PodDisruptionBudget');
  for (let attempt = 0; attempt < 5; attempt++) {
    const pod = await reg.get(podKind, ns, name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== pod.metadata.uid) throw conflict(podKind, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${pod.metadata.uid ?? ''}`);
    if (!canIgnoreBudget(pod) && pdbKind) {
      const budgets = budgetsFor(pod, (await reg.list(pdbKind, ns)).items);
      if (budgets.length > 1) throw new ApiStatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
      const pdb = budgets[0];
      if (pdb) {
        const d = decide(pod, pdb);
        if (d.action === 'refuse') throw d.error;
        if (d.action === 'spend' && !dryRun) {
          try {
            await reg.update(pdbKind, ns, pdb.metadata.name!, (cur) => {
              const st = (isObj(cur.status) ? cur.status : {}) as { disruptionsAllowed?: number; disruptedPods?: Record<string, string>; conditions?: unknown[] };
              st.disruptionsAllowed = (st.disruptionsAllowed ?? 0) - 1;
              st.disruptedPods = { ...(st.disruptedPods ?? {}), [name]: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
              cur.status = st;
              return cur;
            }, { subresource: 'status', expectRV: pdb.metadata.resourceVersion });
          } catch (e) {
            if (e instanceof ApiStatusError && e.httpCode === 409) continue; // the budget moved: decide again
            throw e;
          }
        }
      }
    }
    await reg.delete(podKind, ns, name, { dryRun, gracePeriodSeconds: opts.gracePeriodSeconds, preconditionUID: opts.preconditions?.uid, preconditionRV: opts.preconditions?.resourceVersion });
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }
  throw new ApiStatusError(429, 'TooManyRequests', 'too many conflicts updating the disruption budget; try again');
}
