/** What the packet pump's main side and its worker threads share: control flags and counters. */

/** Int32 control words. */
export const CTL_STOP = 0;
export const CTL_WORDS = 4;

/** Float64 counters, one slot each (each written by one thread only). */
export const STAT = {
  egressPackets: 0, egressBytes: 1, noRoute: 2, ttlExpired: 3, sendErrors: 4,
  ingressPackets: 5, ingressBytes: 6, unknownPeer: 7, malformed: 8, writeErrors: 9,
} as const;
export type TunnelStats = { -readonly [K in keyof typeof STAT]: number };
export const STAT_SLOTS = 10;

export type PumpRole = 'egress' | 'ingress';

/** The data a pump worker starts with. */
export interface PumpWorkerData {
  role: PumpRole;
  tunFd: number;
  sockFd: number;
  routes: SharedArrayBuffer;
  ctl: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  /** Our address on the TUN device (source of ICMP errors), unsigned 32-bit; 0 = none yet. */
  localIP: SharedArrayBuffer;
  mtu: number;
  pollMs: number;
}

/** Messages a worker posts. */
export type PumpMessage = { type: 'ready' } | { type: 'error'; message: string } | { type: 'warn'; message: string };
