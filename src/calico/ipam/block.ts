/**
 * Calico's IPAM block, as pure functions over the IPAMBlock spec: `allocations[i]` is null or the
 * index of the allocation's attributes (handle + pod), `unallocated` the free ordinals in the order
 * they will be handed out (released ordinals go to the back, so an address is not reused at once).
 */
import { cidrSize, formatCidr, formatIP, nthAddress, offsetOf, parseCidr, parseIP, contains, type Cidr } from '../../util/addr.js';

export interface AllocationAttribute { handle_id?: string; secondary?: Record<string, string> }
export interface BlockSpec {
  cidr: string;
  affinity?: string;
  strictAffinity?: boolean;
  allocations: (number | null)[];
  unallocated: number[];
  attributes: AllocationAttribute[];
  sequenceNumber?: number;
  deleted?: boolean;
}

/** IPAMBlock name of a CIDR, as Calico writes it: 10.244.0.0/26 → 10-244-0-0-26. */
export function blockName(cidr: string): string { return cidr.replace(/[./:]/g, '-'); }
/** BlockAffinity name: <node>-<block name>. */
export function affinityName(node: string, cidr: string): string { return `${node}-${blockName(cidr)}`; }
/** The affinity string of a node. */
export const hostAffinity = (node: string): string => `host:${node}`;

/** An empty block affine to `node`. */
export function newBlock(cidr: string, node: string): BlockSpec {
  const n = Number(cidrSize(parseCidr(cidr)));
  return { cidr, affinity: hostAffinity(node), strictAffinity: false, allocations: new Array<null>(n).fill(null), unallocated: [...Array(n).keys()], attributes: [], sequenceNumber: 0, deleted: false };
}

/** Address of an ordinal. */
export function ordinalAddress(cidr: string, ord: number): string { return formatIP(nthAddress(parseCidr(cidr), ord)); }
/** Ordinal of an address inside the block (undefined when outside). */
export function addressOrdinal(cidr: string, ip: string): number | undefined {
  const c = parseCidr(cidr), a = parseIP(ip);
  return contains(c, a) ? Number(offsetOf(c, a)) : undefined;
}

export function usedCount(b: BlockSpec): number { return b.allocations.filter((a) => a !== null).length; }
export function isEmpty(b: BlockSpec): boolean { return usedCount(b) === 0; }

/** Allocates up to `n` addresses for `handle` (a new block object; the input is not changed). */
export function assign(b: BlockSpec, n: number, handle: string, secondary: Record<string, string>): { block: BlockSpec; ips: string[] } {
  const take = b.unallocated.slice(0, n);
  if (!take.length) return { block: b, ips: [] };
  const attributes = [...b.attributes];
  let idx = attributes.findIndex((a) => a.handle_id === handle && JSON.stringify(a.secondary ?? {}) === JSON.stringify(secondary));
  if (idx < 0) { attributes.push({ handle_id: handle, secondary }); idx = attributes.length - 1; }
  const allocations = [...b.allocations];
  for (const o of take) allocations[o] = idx;
  return {
    block: { ...b, allocations, attributes, unallocated: b.unallocated.slice(take.length), sequenceNumber: (b.sequenceNumber ?? 0) + 1 },
    ips: take.map((o) => ordinalAddress(b.cidr, o)),
  };
}

/** Drops attributes no allocation points at, renumbering the allocations (as Calico's block does). */
function compact(allocations: (number | null)[], attributes: AllocationAttribute[]): { allocations: (number | null)[]; attributes: AllocationAttribute[] } {
  const used = [...new Set(allocations.filter((a): a is number => a !== null))].sort((x, y) => x - y);
  const map = new Map(used.map((old, i) => [old, i]));
  return { allocations: allocations.map((a) => (a === null ? null : map.get(a)!)), attributes: used.map((i) => attributes[i]!) };
}

/** Frees every address of `handle`; returns the new block and the freed addresses. */
export function releaseHandle(b: BlockSpec, handle: string): { block: BlockSpec; ips: string[] } {
  const freed: number[] = [];
  const allocations = b.allocations.map((a, i) => {
    if (a !== null && b.attributes[a]?.handle_id === handle) { freed.push(i); return null; }
    return a;
  });
  if (!freed.length) return { block: b, ips: [] };
  const c = compact(allocations, b.attributes);
  return {
    block: { ...b, ...c, unallocated: [...b.unallocated, ...freed], sequenceNumber: (b.sequenceNumber ?? 0) + 1 },
    ips: freed.map((o) => ordinalAddress(b.cidr, o)),
  };
}

/** Frees given addresses (GC of leaks); unknown or free addresses are ignored. */
export function releaseAddresses(b: BlockSpec, ips: readonly string[]): BlockSpec {
  const ords = new Set(ips.map((ip) => addressOrdinal(b.cidr, ip)).filter((o): o is number => o !== undefined && b.allocations[o] !== null));
  if (!ords.size) return b;
  const c = compact(b.allocations.map((a, i) => (ords.has(i) ? null : a)), b.attributes);
  return { ...b, ...c, unallocated: [...b.unallocated, ...ords], sequenceNumber: (b.sequenceNumber ?? 0) + 1 };
}

/** Every allocation of the block: address, handle and secondary attributes. */
export function allocationsOf(b: BlockSpec): { ip: string; handle: string; secondary: Record<string, string> }[] {
  const out: { ip: string; handle: string; secondary: Record<string, string> }[] = [];
  b.allocations.forEach((a, i) => {
    if (a === null) return;
    const at = b.attributes[a];
    out.push({ ip: ordinalAddress(b.cidr, i), handle: at?.handle_id ?? '', secondary: at?.secondary ?? {} });
  });
  return out;
}

/** The block CIDRs of a pool, in order (pool 10.244.0.0/16, size 26 → 10.244.0.0/26, 10.244.0.64/26 …). */
export function* poolBlocks(poolCidr: string, blockSize: number): Generator<string> {
  const pool: Cidr = parseCidr(poolCidr);
  const count = 1n << BigInt(blockSize - pool.prefix);
  const step = cidrSize({ ip: pool.ip, prefix: blockSize });
  for (let i = 0n; i < count; i++) yield formatCidr({ ip: nthAddress(pool, i * step), prefix: blockSize });
}
