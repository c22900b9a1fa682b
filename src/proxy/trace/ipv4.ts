import { contains, parseCidr, tryParseCidr, tryParseIP, type Cidr } from '../../util/addr.js';
import { TraceError } from './types.js';

/** An address or CIDR from a rule; a bare address is a host prefix. `text` is the rule's spelling. */
export interface Prefix { cidr: Cidr; text: string }

export function parsePrefix(s: string): Prefix {
  const ip = s.includes('/') ? undefined : tryParseIP(s);
  const cidr = ip ? { ip, prefix: ip.family === 4 ? 32 : 128 } : tryParseCidr(s);
  if (!cidr || cidr.ip.family !== 4) throw new TraceError(`not an IPv4 address or CIDR: ${s}`);
  return { cidr, text: s };
}

export function prefixContains(p: Prefix, ip: string): boolean {
  const a = tryParseIP(ip);
  if (!a || a.family !== 4) throw new TraceError(`packet address is not IPv4: ${ip}`);
  return contains(p.cidr, a);
}

const LOOPBACK: Prefix = { cidr: parseCidr('127.0.0.0/8'), text: '127.0.0.0/8' };

/** The node's idea of "local" (addrtype LOCAL, fib type local): its addresses and 127.0.0.0/8. */
export function isLocal(nodeIPs: readonly string[], ip: string): boolean {
  return nodeIPs.includes(ip) || prefixContains(LOOPBACK, ip);
}
