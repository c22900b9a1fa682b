import type { Logger } from 'pino';
import type { NetnsPath } from '../../net/exec.js';
import type { FlannelNetConf } from '../config.js';
import type { Lease, LeaseAttrs, LeaseEvent } from '../subnet/types.js';

export interface BackendContext {
  netns: NetnsPath;
  conf: FlannelNetConf;
  publicIP: string;
  /** The underlay interface (eth0 in the lab). */
  iface: string;
  ifaceMtu: number;
  log: Logger;
}

/** A backend after its device is ready: what it publishes, and how it follows lease events. */
export interface OverlayNetwork {
  attrs: LeaseAttrs;
  mtu: number;
  /** Our own lease is known: finish the local device (addresses). */
  start(own: Lease): Promise<void>;
  /** Applies a batch of lease events; the first batch is the full current set (stale state is removed then). */
  handle(events: LeaseEvent[], initial: boolean): Promise<void>;
  /** Releases what lives only as long as the daemon (the udp backend's TUN device and threads). */
  stop?(): Promise<void>;
}

export type BackendFactory = (ctx: BackendContext) => Promise<OverlayNetwork>;

const registry = new Map<string, BackendFactory>();
export function registerBackend(type: string, f: BackendFactory): void { registry.set(type, f); }
export function backendFactory(type: string): BackendFactory | undefined { return registry.get(type); }
export function backendTypes(): string[] { return [...registry.keys()]; }
