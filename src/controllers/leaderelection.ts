/**
 * Leader election on a coordination.k8s.io/v1 Lease, as kube-controller-manager does with
 * --leader-elect: of several API servers (each embedding the controllers) only the holder of
 * kube-system/podnet-controller-manager runs them. The holder renews every retry period; a lease
 * whose renewTime is older than leaseDurationSeconds may be taken over (compare-and-swap on the
 * Lease's resourceVersion, so two candidates cannot both win). A leader that cannot renew within
 * the renew deadline stops its controllers and becomes a candidate again (upstream exits and is
 * restarted; our controllers are restart-safe, so stopping them is the same). A graceful stop
 * releases the lease (upstream's ReleaseOnCancel), so a successor need not wait for expiry.
 */
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound, R, type KubeClient } from '../client/index.js';
import type { KObject } from '../meta/types.js';

export interface LeaderElectionOptions {
  identity: string;
  namespace?: string;
  name?: string;
  /** Default 15 s (kube-controller-manager's --leader-elect-lease-duration). */
  leaseDurationMs?: number;
  /** Default 10 s. */
  renewDeadlineMs?: number;
  /** Default 2 s. */
  retryPeriodMs?: number;
  log?: Logger;
}

export interface LeaderCallbacks {
  /** Became leader: start the controllers; stop them when `lost` aborts. */
  onStartedLeading(lost: AbortSignal): Promise<void> | void;
  /** Leadership ended (lost, or the elector stopped): resolves once the controllers stopped. */
  onStoppedLeading(): Promise<void> | void;
}

interface LeaseSpec { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number }
type Lease = KObject & { spec?: LeaseSpec };

export const DEFAULT_LEASE_NAME = 'podnet-controller-manager';

/** RFC 3339 with microseconds (a Lease's MicroTime). */
function microTime(ms: number): string { return new Date(ms).toISOString().replace(/Z$/, '000Z'); }

export class LeaderElector {
  private readonly ns: string;
  private readonly name: string;
  private readonly durationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private leading = false;
  /** Leadership changes seen by this elector (tests, logs). */
  readonly transitions: { at: number; leading: boolean }[] = [];

  constructor(private readonly client: KubeClient, private readonly o: LeaderElectionOptions) {
    this.ns = o.namespace ?? 'kube-system';
    this.name = o.name ?? DEFAULT_LEASE_NAME;
    this.durationMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryMs = o.retryPeriodMs ?? 2000;
  }

  isLeader(): boolean { return this.leading; }

  /** One attempt to acquire or renew; true when this identity holds the lease afterwards. */
  async tryAcquireOrRenew(now = Date.now()): Promise<boolean> {
    const ref = R.leases(this.ns);
    let cur: Lease | undefined;
    try { cur = await this.client.get<Lease>(ref, this.name); } catch (e) { if (!isNotFound(e)) throw e; }
    const spec: LeaseSpec = { holderIdentity: this.o.identity, leaseDurationSeconds: Math.max(1, Math.round(this.durationMs / 1000)), renewTime: microTime(now) };
    if (!cur) {
      try {
        await this.client.create<Lease>(ref, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.ns }, spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 } });
        return true;
      } catch (e) { if (isAlreadyExists(e)) return false; throw e; }
    }
    const s = cur.spec ?? {};
    const mine = s.holderIdentity === this.o.identity;
    const renewed = s.renewTime ? Date.parse(s.renewTime) : 0;
    const expired = !s.holderIdentity || !Number.isFinite(renewed) || renewed + (s.leaseDurationSeconds ?? 0) * 1000 < now;
    if (!mine && !expired) return false;
    const next: Lease = {
      ...cur,
      spec: { ...s, ...spec, acquireTime: mine ? (s.acquireTime ?? microTime(now)) : microTime(now), leaseTransitions: (s.leaseTransitions ?? 0) + (mine ? 0 : 1) },
    };
    try { await this.client.update<Lease>(ref, next); return true; } catch (e) { if (isConflict(e)) return false; throw e; }
  }

  /** Gives the lease up if this identity holds it (graceful stop). */
  async release(): Promise<void> {
    const ref = R.leases(this.ns);
    try {
      const cur = await this.client.get<Lease>(ref, this.name);
      if (cur.spec?.holderIdentity !== this.o.identity) return;
      await this.client.update<Lease>(ref, { ...cur, spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(Date.now()) } });
    } catch { /* best effort: the lease expires anyway */ }
  }

  /** Runs until `signal` aborts: acquire, lead (renewing), lose, acquire again … */
  async run(signal: AbortSignal, cb: LeaderCallbacks): Promise<void> {
    const sleep = (ms: number): Promise<void> => new Promise((r) => { const t = setTimeout(r, ms); signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });
    const log = this.o.log;
    while (!signal.aborted) {
      let got = false;
      try { got = await this.tryAcquireOrRenew(); } catch (e) { log?.warn({ err: (e as Error).message }, 'leader election: lease not reachable'); }
      if (!got) { await sleep(this.retryMs); continue; }
      this.leading = true;
      this.transitions.push({ at: Date.now(), leading: true });
      log?.info({ identity: this.o.identity, lease: `${this.ns}/${this.name}` }, 'leader election: became leader');
      const lost = new AbortController();
      try { await cb.onStartedLeading(lost.signal); } catch (e) { log?.error({ err: (e as Error).message }, 'leader election: starting the controllers failed'); }
      let lastRenew = Date.now();
      while (!signal.aborted) {
        await sleep(this.retryMs);
        if (signal.aborted) break;
        let ok = false;
        try { ok = await this.tryAcquireOrRenew(); } catch (e) { log?.warn({ err: (e as Error).message }, 'leader election: renew failed'); }
        if (ok) { lastRenew = Date.now(); continue; }
        if (Date.now() - lastRenew >= this.renewDeadlineMs || !(await this.stillMine())) break;
      }
      lost.abort();
      this.leading = false;
      this.transitions.push({ at: Date.now(), leading: false });
      if (!signal.aborted) log?.warn({ identity: this.o.identity }, 'leader election: lost the lease; controllers stopped');
      await cb.onStoppedLeading();
      if (signal.aborted) await this.release();
    }
  }

  /** After a failed renew: is the lease still ours (a transient error) or did someone take it? */
  private async stillMine(): Promise<boolean> {
    try { return (await this.client.get<Lease>(R.leases(this.ns), this.name)).spec?.holderIdentity === this.o.identity; } catch { return true; }
  }
}
