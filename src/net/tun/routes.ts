/**
 * The tunnel's routing table shared between the thread that follows leases (the writer) and the
 * packet pump's threads (the readers), in a SharedArrayBuffer: no message passing per change and
 * no lock on the packet path. A sequence number makes it a seqlock: odd while the writer is in
 * the middle of an update, readers copy and retry when it moved under them.
 *
 * Layout (Int32): [0] sequence, [1] count, then per route: network, prefix length, peer IP, peer port.
 */
import { prefixMask, u32ToIp } from './ipv4.js';
import { sockaddrIn } from './libc.js';

export const MAX_ROUTES = 8192;
const HEADER = 2;
const STRIDE = 4;

/** A subnet reached through a peer's UDP endpoint (addresses as unsigned 32-bit numbers). */
export interface TunnelRoute { network: number; prefix: number; peerIP: number; peerPort: number }

export function newRouteTable(): SharedArrayBuffer {
  return new SharedArrayBuffer((HEADER + STRIDE * MAX_ROUTES) * 4);
}

/** Replaces the table's content (single writer). */
export function writeRoutes(sab: SharedArrayBuffer, routes: readonly TunnelRoute[]): void {
  if (routes.length > MAX_ROUTES) throw new Error(`at most ${MAX_ROUTES} tunnel routes, not ${routes.length}`);
  const a = new Int32Array(sab);
  Atomics.add(a, 0, 1); // odd: writing
  routes.forEach((r, i) => {
    const o = HEADER + i * STRIDE;
    a[o] = r.network | 0; a[o + 1] = r.prefix; a[o + 2] = r.peerIP | 0; a[o + 3] = r.peerPort;
  });
  Atomics.store(a, 1, routes.length);
  Atomics.add(a, 0, 1); // even: done
}

/** One peer as the pump needs it: its address (for the sender check) and a ready sockaddr_in. */
export interface Peer { ip: number; port: number; sockaddr: Buffer }

interface Group { mask: number; byNet: Map<number, Peer> }

/**
 * A reader's view: refresh() is cheap when nothing changed (one atomic load); lookup() is a map
 * hit per distinct prefix length (one in practice: every lease has the network's SubnetLen).
 */
export class RouteReader {
  private seq = -1;
  private groups: Group[] = [];
  private peerSet = new Set<number>();
  private readonly a: Int32Array;
  constructor(sab: SharedArrayBuffer) { this.a = new Int32Array(sab); }

  refresh(): void {
    const a = this.a;
    if (Atomics.load(a, 0) === this.seq) return;
    for (;;) {
      const s1 = Atomics.load(a, 0);
      if (s1 & 1) continue;
      const n = Atomics.load(a, 1);
      const rows: TunnelRoute[] = [];
      for (let i = 0; i < n; i++) {
        const o = HEADER + i * STRIDE;
        rows.push({ network: a[o]! >>> 0, prefix: a[o + 1]!, peerIP: a[o + 2]! >>> 0, peerPort: a[o + 3]! });
      }
      if (Atomics.load(a, 0) !== s1) continue;
      this.rebuild(rows);
      this.seq = s1;
      return;
    }
  }

  private rebuild(rows: readonly TunnelRoute[]): void {
    const byLen = new Map<number, Group>();
    const peers = new Map<string, Peer>();
    this.peerSet = new Set();
    for (const r of rows) {
      let g = byLen.get(r.prefix);
      if (!g) { g = { mask: prefixMask(r.prefix), byNet: new Map() }; byLen.set(r.prefix, g); }
      const key = `${r.peerIP}:${r.peerPort}`;
      let p = peers.get(key);
      if (!p) { p = { ip: r.peerIP, port: r.peerPort, sockaddr: sockaddrIn(r.peerIP, r.peerPort) }; peers.set(key, p); }
      g.byNet.set((r.network & g.mask) >>> 0, p);
      this.peerSet.add(r.peerIP);
    }
    this.groups = [...byLen.entries()].sort((x, y) => y[0] - x[0]).map(([, g]) => g);
  }

  /** The peer whose subnet holds dst (longest prefix first), or undefined. */
  lookup(dst: number): Peer | undefined {
    for (const g of this.groups) {
      const p = g.byNet.get((dst & g.mask) >>> 0);
      if (p) return p;
    }
    return undefined;
  }

  /** True when ip is the address of a peer in the table (only those may inject packets). */
  isPeer(ip: number): boolean { return this.peerSet.has(ip); }

  /** For logs and tests: the routes as text. */
  describe(): string[] {
    const out: string[] = [];
    for (const g of this.groups) for (const [net, p] of g.byNet) out.push(`${u32ToIp(net)}/${popcount(g.mask)} → ${u32ToIp(p.ip)}:${p.port}`);
    return out;
  }
}

function popcount(n: number): number { let c = 0; for (let x = n >>> 0; x; x >>>= 1) c += x & 1; return c; }
