import type { FlannelNetConf } from '../config.js';

/** What a node publishes with its lease (flannel's LeaseAttrs). */
export interface LeaseAttrs {
  PublicIP: string;
  PublicIPv6?: string | null;
  BackendType: string;
  BackendData: Record<string, unknown> | null;
}

export interface Lease {
  /** The node's subnet, e.g. 10.20.92.0/24. */
  subnet: string;
  attrs: LeaseAttrs;
  /** ms since epoch, when the subnet manager has TTLs (etcd). */
  expiration?: number;
  /** Who holds it (kube mode: the node name). */
  owner?: string;
}

export interface LeaseEvent { type: 'added' | 'removed'; lease: Lease }

/** Where leases live: node objects (kube) or etcd keys (etcd). */
export interface SubnetManager {
  readonly name: string;
  networkConfig(): Promise<FlannelNetConf>;
  acquireLease(attrs: LeaseAttrs, signal: AbortSignal): Promise<Lease>;
  /**
   * Every lease event, the current ones first (as 'added'), then changes, until the signal aborts.
   * Batches are delivered as arrays, as flannel's WatchLeases does.
   */
  watchLeases(signal: AbortSignal): AsyncIterable<LeaseEvent[]>;
  close(): Promise<void>;
}
