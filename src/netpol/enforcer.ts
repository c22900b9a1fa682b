/**
 * The node agent's NetworkPolicy part: informers (NetworkPolicies, Pods, Namespaces, Nodes) → model →
 * desired table of this node → one `nft -f` transaction when it differs from what was applied.
 * Restart-safe: the first sync reads the kernel's table and converges it (established connections
 * survive: conntrack state is untouched and `ct state established,related accept` comes first).
 */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { R } from '../client/resources.js';
import type { KObject } from '../meta/types.js';
import { nftApply, nftCounterValues, nftTableObjects } from '../net/nft.js';
import type { NetnsPath } from '../net/exec.js';
import type { Logger } from '../util/log.js';
import { buildModel, modelDigest } from './cluster.js';
import { type DenyCounter, type DesiredTable, type KernelObjects, POLICY_FAMILY, POLICY_TABLE, desiredTable, renderTransaction, tableFingerprint } from './rules.js';

export interface EnforcerOptions {
  netns: NetnsPath;
  nodeName: string;
  informers: InformerFactory;
  /** Written after every sync: { digest, syncedAt, … } (tests wait on the digest). */
  statusFile?: string;
  logDrops?: boolean;
  /** Coalesce bursts of events (ms). */
  debounceMs?: number;
  log?: Logger;
}

export interface EnforcerStatus {
  node: string;
  /** digest of the model the kernel now reflects (see modelDigest) */
  digest: string;
  syncedAt: string;
  syncs: number;
  transactions: number;
  lastSyncMs: number;
  chains: number;
  sets: number;
  rules: number;
  lastError?: string;
}

export class PolicyEnforcer {
  private have: KernelObjects | undefined;
  private lastFp = '';
  /** The table this process applied last (so the next change is a diff); undefined after a failure. */
  private applied: DesiredTable | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private counters: DenyCounter[] = [];
  readonly status: EnforcerStatus;
  private readonly pols; private readonly pods; private readonly nss; private readonly nodes;

  constructor(private readonly o: EnforcerOptions) {
    this.pols = o.informers.get<NetworkPolicy & KObject>(R.networkpolicies);
    this.pods = o.informers.get<Pod & KObject>(R.pods);
    this.nss = o.informers.get<Namespace & KObject>(R.namespaces);
    this.nodes = o.informers.get<Node & KObject>(R.nodes);
    this.status = { node: o.nodeName, digest: '', syncedAt: '', syncs: 0, transactions: 0, lastSyncMs: 0, chains: 0, sets: 0, rules: 0 };
  }

  /** Starts watching; resolves after the first sync. */
  async start(signal: AbortSignal): Promise<void> {
    const h = { onAdd: () => this.schedule(), onUpdate: () => this.schedule(), onDelete: () => this.schedule() };
    for (const i of [this.pols, this.pods, this.nss, this.nodes]) i.on(h);
    void this.o.informers.start(signal);
    await Promise.all([this.pols.synced(), this.pods.synced(), this.nss.synced(), this.nodes.synced()]);
    signal.addEventListener('abort', () => { if (this.timer) clearTimeout(this.timer); this.timer = undefined; }, { once: true });
    this.stopped = signal;
    await this.syncNow();
  }
  private stopped: AbortSignal | undefined;

  private schedule(): void {
    if (!this.stopped || this.stopped.aborted || this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.syncNow(); }, this.o.debounceMs ?? 30);
  }

  /** One sync now (serialized: a sync requested while one runs runs right after it). */
  async syncNow(): Promise<void> {
    if (this.running) { this.again = true; return this.running; }
    this.running = (async () => {
      do { this.again = false; await this.syncOnce(); } while (this.again);
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async syncOnce(): Promise<void> {
    const t0 = performance.now();
    const model = buildModel(this.nss.list(), this.pods.list(), this.pols.list(), this.nodes.list());
    const digest = modelDigest(model);
    const want = desiredTable(model, this.o.nodeName, { logDrops: this.o.logDrops });
    const fp = tableFingerprint(want);
    try {
      if (fp !== this.lastFp || !this.have) {
        const have = this.have ?? await nftTableObjects(this.o.netns, POLICY_FAMILY, POLICY_TABLE);
        const script = renderTransaction(want, have, this.have ? this.applied : undefined);
        if (script) { await nftApply(this.o.netns, script); this.status.transactions++; }
        this.have = want.chains.length
          ? { table: true, chains: want.chains.map((c) => c.name), sets: want.sets.map((s) => s.name), maps: want.maps.map((m) => m.name), counters: want.counters.map((c) => c.counter) }
          : { table: false, chains: [], sets: [], maps: [], counters: [] };
        this.lastFp = fp;
        this.applied = want;
        this.counters = want.counters;
        this.o.log?.info({ chains: want.chains.length, sets: want.sets.length, ms: Math.round(performance.now() - t0) }, 'network policy rules applied');
      }
      Object.assign(this.status, {
        digest, syncedAt: new Date().toISOString(), lastSyncMs: Math.round((performance.now() - t0) * 10) / 10, lastError: undefined,
        chains: want.chains.length, sets: want.sets.length, rules: want.chains.reduce((n, c) => n + c.rules.length, 0),
      });
    } catch (e) {
      this.have = undefined; // re-read the kernel next time, and replace every rule
      this.applied = undefined;
      this.status.lastError = (e as Error).message;
      this.o.log?.error({ err: (e as Error).message }, 'network policy sync failed; retrying');
      if (this.stopped && !this.stopped.aborted) setTimeout(() => this.schedule(), 1000).unref();
    }
    this.status.syncs++;
    this.writeStatus();
  }

  private writeStatus(): void {
    const f = this.o.statusFile;
    if (!f) return;
    try {
      mkdirSync(dirname(f), { recursive: true });
      writeFileSync(`${f}.tmp`, JSON.stringify(this.status) + '\n');
      renameSync(`${f}.tmp`, f);
    } catch (e) { this.o.log?.warn({ err: (e as Error).message }, 'cannot write the network policy status file'); }
  }

  /** Denied packets per pod and direction, from the kernel's named counters. */
  async denied(): Promise<{ c: DenyCounter; packets: number; bytes: number }[]> {
    if (!this.counters.length) return [];
    const vals = await nftCounterValues(this.o.netns, POLICY_FAMILY, POLICY_TABLE);
    return this.counters.map((c) => ({ c, ...(vals.get(c.counter) ?? { packets: 0, bytes: 0 }) }));
  }
}
