import { createHash } from 'node:crypto';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (standard alphabet) of bytes, no padding needed for our 16-char prefixes. */
export function base32(buf: Uint8Array): string {
  let bits = 0, acc = 0, out = '';
  for (const b of buf) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) { out += B32[(acc >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** First 16 base32 characters of sha256(s): how upstream turns names into iptables-legal chain suffixes. */
function hash16(s: string): string {
  return base32(createHash('sha256').update(s).digest()).slice(0, 16);
}

/** Upstream portProtoHash(servicePortName, lower(protocol)). */
function portProtoHash(spn: string, protocol: string): string { return hash16(spn + protocol.toLowerCase()); }

export const svcChain = (spn: string, proto: string): string => `KUBE-SVC-${portProtoHash(spn, proto)}`;
export const svlChain = (spn: string, proto: string): string => `KUBE-SVL-${portProtoHash(spn, proto)}`;
export const extChain = (spn: string, proto: string): string => `KUBE-EXT-${portProtoHash(spn, proto)}`;
/** Upstream servicePortEndpointChainName: sha256(spn + protocol + "ip:port"). */
export const sepChain = (spn: string, proto: string, endpoint: string): string => `KUBE-SEP-${hash16(spn + proto.toLowerCase() + endpoint)}`;

/** Chains kube-proxy owns per service (prefixes); anything else KUBE-* is fixed. */
const PER_SERVICE_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-', 'KUBE-XLB-'];
export function isServiceChain(name: string): boolean { return PER_SERVICE_PREFIXES.some((p) => name.startsWith(p)); }
